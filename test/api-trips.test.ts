// Reading trips: newest first, cursor pages that neither repeat nor skip, time filters, trip detail with its
// trace and events, and clear errors for bad cursors and ranges.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { HOUR_MS, inject, insertTrip, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');

if (targets.length === 0) test.skip(`API trips: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  describe(`API trips on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    let auth: string;
    const t0 = Date.UTC(2026, 0, 5, 8);
    /** Seven trips of driver a1, one an hour from t0, oldest first. */
    const mine: string[] = [];
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, SECRET);
      fx = await seed(t);
      auth = `Bearer ${fx.accounts.analystA.accessToken}`;
      for (let i = 0; i < 7; i++)
        mine.push(await insertTrip(t, fx.tenants.a, fx.drivers.a1, t0 + i * HOUR_MS, i));
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    const page = async (url: string) => {
      const r = await inject(t, 'GET', url, { auth });
      assert.equal(r.status, 200, r.text);
      return r.body as { items: Array<{ id: string; startMs: number }>; nextCursor: string | null };
    };

    test('cursor pages walk every trip once, newest first', async () => {
      const seen: string[] = [];
      let url = `/v1/trips?driverId=${fx.drivers.a1}&from=${t0}&to=${t0 + 7 * HOUR_MS}&limit=3`;
      const sizes: number[] = [];
      for (;;) {
        const p = await page(url);
        sizes.push(p.items.length);
        seen.push(...p.items.map((i) => i.id));
        if (!p.nextCursor) break;
        url = `/v1/trips?driverId=${fx.drivers.a1}&from=${t0}&to=${t0 + 7 * HOUR_MS}&limit=3&cursor=${p.nextCursor}`;
      }
      assert.deepEqual(sizes, [3, 3, 1]);
      assert.deepEqual(seen, [...mine].reverse());
    });

    test('from is inclusive and to exclusive, on the start time', async () => {
      const p = await page(
        `/v1/trips?driverId=${fx.drivers.a1}&from=${t0 + 2 * HOUR_MS}&to=${t0 + 5 * HOUR_MS}`,
      );
      assert.deepEqual(
        p.items.map((i) => i.id),
        [mine[4], mine[3], mine[2]],
      );
      assert.deepEqual(
        p.items.map((i) => i.startMs),
        [t0 + 4 * HOUR_MS, t0 + 3 * HOUR_MS, t0 + 2 * HOUR_MS],
      );
    });

    test('a trip comes with its trace and its events in time order', async () => {
      const r = await inject(t, 'GET', `/v1/trips/${mine[3]}`, { auth });
      assert.equal(r.status, 200);
      const trip = r.body as Record<string, unknown> & { events: Array<{ startMs: number; kind: string }> };
      assert.equal(trip.driverId, fx.drivers.a1);
      assert.equal(trip.durationMs, 600_000);
      assert.deepEqual((trip.trace as { tMs: number[] }).tMs, [t0 + 3 * HOUR_MS, t0 + 3 * HOUR_MS + 1000]);
      assert.equal(trip.events.length, 3);
      assert.deepEqual(
        trip.events.map((e) => e.startMs),
        [1, 2, 3].map((m) => t0 + 3 * HOUR_MS + m * 60_000),
      );
      const events = await inject(t, 'GET', `/v1/trips/${mine[3]}/events`, { auth });
      assert.deepEqual(events.body.items, trip.events);
    });

    test('drivers page by id with a cursor', async () => {
      const admin = `Bearer ${fx.accounts.adminA.accessToken}`;
      for (let i = 0; i < 3; i++)
        await inject(t, 'POST', '/v1/drivers', { auth: admin, body: { displayName: `Extra ${i}` } });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const p = await page(`/v1/drivers?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...p.items.map((i) => i.id));
        cursor = p.nextCursor;
      } while (cursor);
      assert.equal(seen.length, 5);
      assert.deepEqual(seen, [...seen].sort());
      assert.equal(new Set(seen).size, 5);
    });

    test('bad cursors, ranges and limits are 400 problems naming the parameter', async () => {
      const forged = Buffer.from(JSON.stringify(['x'])).toString('base64url');
      for (const [url, field] of [
        ['/v1/trips?cursor=%%%', 'cursor'],
        [`/v1/trips?cursor=${forged}`, 'cursor'],
        [`/v1/trips?from=${t0 + HOUR_MS}&to=${t0}`, 'from'],
        ['/v1/trips?limit=0', 'limit'],
        ['/v1/trips?limit=100000', 'limit'],
        ['/v1/trips?from=yesterday', 'from'],
      ] as const) {
        const r = await inject(t, 'GET', url, { auth });
        assert.equal(r.status, 400, `${url}: ${r.text}`);
        assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
        assert.match(String(r.body.title), new RegExp(field), `${url}: ${r.body.title}`);
      }
    });
  });
}
