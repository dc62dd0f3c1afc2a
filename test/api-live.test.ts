// Live updates over SSE on a listening server: a driver's events and positions, Last-Event-ID resume, portfolio
// counters that follow new trips, and streams that end when the server closes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { V1TestApp } from '../src/api/v1/testing.ts';
import { type DomainEventType, publishEvent } from '../src/services/events.ts';
import { notifyLivePosition } from '../src/services/live.ts';
import { startApiApp } from './api-harness.ts';
import { HOUR_MS, insertTrip, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');

interface Frame {
  id?: string;
  event: string;
  data: unknown;
}

/** A minimal SSE client on node:http: `next` waits for the first unread frame that matches. */
async function sse(url: string, headers: Record<string, string>) {
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get(url, { headers }, resolve).on('error', reject),
  );
  const frames: Frame[] = [];
  let buf = '';
  let ended = false;
  let wake: (() => void) | null = null;
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const f: Partial<Frame> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) f.id = line.slice(4);
        else if (line.startsWith('event: ')) f.event = line.slice(7);
        else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
      }
      if (f.event) frames.push(f as Frame);
    }
    wake?.();
  });
  const done = () => {
    ended = true;
    wake?.();
  };
  res.on('end', done);
  res.on('close', done);
  const tick = () => new Promise<void>((r) => (wake = r));
  let read = 0;
  return {
    status: res.statusCode,
    contentType: res.headers['content-type'],
    async next(match: (f: Frame) => boolean = () => true): Promise<Frame> {
      for (;;) {
        while (read < frames.length) {
          const f = frames[read++]!;
          if (match(f)) return f;
        }
        if (ended) throw new Error('the stream ended');
        await tick();
      }
    },
    async ended(): Promise<boolean> {
      while (!ended) await tick();
      return true;
    },
    close: () => res.destroy(),
  };
}

if (targets.length === 0) test.skip(`live updates: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  describe(`live updates on ${target.name} PostgreSQL`, { timeout: 120_000 }, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    let base: string;
    const auth = (a: { accessToken: string }) => ({ authorization: `Bearer ${a.accessToken}` });
    const publish = async (driverId: string, type: DomainEventType = 'score.changed') => {
      const id = `evt-${randomBytes(6).toString('hex')}`;
      await publishEvent(t.db, {
        id,
        tenantId: fx.tenants.a,
        type,
        driverId,
        subjectId: null,
        data: { n: 1 },
      });
      return id;
    };

    before(async () => {
      tdb = await freshDatabase(target);
      t = await startApiApp(tdb.url, SECRET);
      fx = await seed(t);
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test("a driver's stream carries their events and positions, not another driver's", async () => {
      const s = await sse(`${base}/v1/live/driver/${fx.drivers.a1}`, auth(fx.accounts.driverA1));
      try {
        assert.equal(s.status, 200);
        assert.equal(s.contentType, 'text/event-stream; charset=utf-8');
        assert.equal((await s.next()).event, 'hello');
        await publish(fx.drivers.a2);
        const mine = await publish(fx.drivers.a1, 'trip.completed');
        const e = await s.next((f) => f.event !== 'hello');
        assert.equal(e.event, 'trip.completed');
        assert.equal((e.data as { id: string }).id, mine, "the other driver's event never came");
        assert.match(e.id ?? '', /^\d+$/);
        await notifyLivePosition(t.db, {
          tenantId: fx.tenants.a,
          driverId: fx.drivers.a1,
          deviceId: 'dev-1',
          tMs: Date.now(),
          lat: 42.5,
          lon: 1.52,
          speedMps: 13.4,
        });
        const p = await s.next((f) => f.event === 'position');
        assert.deepEqual(
          { lat: (p.data as { lat: number }).lat, speedMps: (p.data as { speedMps: number }).speedMps },
          { lat: 42.5, speedMps: 13.4 },
        );
      } finally {
        s.close();
      }
    });

    test('Last-Event-ID resumes after the last event seen', async () => {
      const first = await sse(`${base}/v1/live/driver/${fx.drivers.a1}`, auth(fx.accounts.driverA1));
      await first.next((f) => f.event === 'hello');
      await publish(fx.drivers.a1);
      const seen = await first.next((f) => f.event === 'score.changed');
      first.close();
      const missed = [await publish(fx.drivers.a1), await publish(fx.drivers.a1)];
      const again = await sse(`${base}/v1/live/driver/${fx.drivers.a1}`, {
        ...auth(fx.accounts.driverA1),
        'last-event-id': seen.id!,
      });
      try {
        const got = [
          await again.next((f) => f.event === 'score.changed'),
          await again.next((f) => f.event === 'score.changed'),
        ];
        assert.deepEqual(
          got.map((f) => (f.data as { id: string }).id),
          missed,
        );
      } finally {
        again.close();
      }
      // ?once=1 with lastEventId answers the same catch-up and closes (for clients that poll).
      const once = await fetch(`${base}/v1/live/driver/${fx.drivers.a1}?once=1&lastEventId=${seen.id}`, {
        headers: auth(fx.accounts.analystA),
      });
      const text = await once.text();
      assert.ok(missed.every((id) => text.includes(id)));
    });

    test('portfolio counters come at once and again after a new trip', async () => {
      const s = await sse(`${base}/v1/live/portfolio`, auth(fx.accounts.analystA));
      try {
        const c0 = (await s.next((f) => f.event === 'counters')).data as { tripsToday: number };
        await insertTrip(t, fx.tenants.a, fx.drivers.a2, Date.now() - HOUR_MS / 2, 2);
        await publish(fx.drivers.a2, 'trip.completed');
        const c1 = (
          await s.next(
            (f) => f.event === 'counters' && (f.data as { tripsToday: number }).tripsToday > c0.tripsToday,
          )
        ).data as { tripsToday: number; eventsToday: number };
        assert.equal(c1.tripsToday, c0.tripsToday + 1);
        assert.ok(c1.eventsToday >= 2);
      } finally {
        s.close();
      }
      const driver = await fetch(`${base}/v1/live/portfolio?once=1`, { headers: auth(fx.accounts.driverA1) });
      assert.equal(driver.status, 403);
      await driver.text();
    });

    test('closing the server ends open streams', async () => {
      const db2 = await freshDatabase(target);
      const t2 = await startApiApp(db2.url, SECRET);
      try {
        const fx2 = await seed(t2);
        const url = await t2.app.listen({ port: 0, host: '127.0.0.1' });
        const s = await sse(`${url}/v1/live/driver/${fx2.drivers.a1}`, auth(fx2.accounts.adminA));
        await s.next((f) => f.event === 'hello');
        await t2.close();
        assert.equal(await s.ended(), true);
      } finally {
        await db2.drop();
      }
    });
  });
}
