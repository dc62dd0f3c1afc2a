// `openubi start --demo` on an empty database: the road network is imported, a simulated fleet is registered
// and driven through the real ingest path, and trips with speed-limit features appear.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freshDatabase, pgTargets } from './support/env.ts';
import { startOn } from './support/platform.ts';

const target = pgTargets().targets[0]!;

async function waitFor<T>(probe: () => Promise<T | null>, tries = 300): Promise<T | null> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

describe('demo fleet', () => {
  test('fills an empty database with trips from a simulated fleet', async () => {
    const tdb = await freshDatabase(target);
    const dataDir = await mkdtemp(join(tmpdir(), 'openubi-demo-'));
    const p = await startOn(tdb.url, { DEMO: '1', DEMO_DRIVERS: '2', DEMO_DAYS: '1', DATA_DIR: dataDir });
    try {
      let trips: Array<{ features: { speedLimitsAvailable: boolean } }> = [];
      for (let i = 0; i < 1800 && trips.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        trips = (
          await p.db.query<{ features: { speedLimitsAvailable: boolean } }>('SELECT features FROM trips')
        ).rows;
      }
      assert.ok(trips.length > 0, 'no demo trip within three minutes');
      assert.equal(trips[0]!.features.speedLimitsAvailable, true);

      // A finished trip is announced, and its driver rescored by the champion model and requoted.
      const scored = await waitFor(async () => {
        const r = await p.db.query<{
          driver_id: string;
          model_version: number | null;
          quotes: number;
          announced: number;
        }>(
          `SELECT r.driver_id, r.model_version,
                  (SELECT count(*)::int FROM quotes q WHERE q.driver_id = r.driver_id) AS quotes,
                  (SELECT count(*)::int FROM domain_events e
                    WHERE e.type = 'trip.completed' AND e.driver_id = r.driver_id) AS announced
             FROM driver_risk r WHERE r.tenant_id = 'demo'`,
        );
        return r.rows.find((x) => x.quotes > 0 && x.announced > 0) ?? null;
      });
      assert.ok(scored, 'no demo driver was rescored and requoted after a trip');
      assert.equal(scored.model_version, 1, 'the demo champion model (version 1) scores');
      const { rows } = await p.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM drivers WHERE tenant_id = 'demo'",
      );
      assert.equal(rows[0]!.n, 2);

      // Every demo driver can sign in and is insured; staff accounts exist; the password is in an owner-only file.
      const people = await p.db.query<{
        email: string;
        role: string;
        factors: { territory?: string } | null;
      }>(
        `SELECT u.email, u.role, po.rating_factors AS factors FROM users u
           LEFT JOIN policies po ON po.driver_id = u.driver_id AND po.status = 'active'
          WHERE u.tenant_id = 'demo' ORDER BY u.email`,
      );
      assert.deepEqual(
        people.rows.map((r) => `${r.email} ${r.role}`),
        [
          'admin@demo.openubi.dev admin',
          'analyst@demo.openubi.dev analyst',
          'driver1@demo.openubi.dev driver',
          'driver2@demo.openubi.dev driver',
        ],
      );
      for (const r of people.rows.filter((x) => x.role === 'driver'))
        assert.match(r.factors?.territory ?? '', /^[A-E]$/);
      const file = join(dataDir, 'demo-credentials.txt');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const password = /password \(every demo account\): (\S+)/.exec(await readFile(file, 'utf8'))?.[1];
      const login = await fetch(`${p.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', email: 'driver1@demo.openubi.dev', password }),
      });
      assert.equal(login.status, 200);
    } finally {
      await p.stop();
      await tdb.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
