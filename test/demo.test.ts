// `openubi start --demo` on an empty database: the road network is imported, a simulated fleet is registered
// and driven through the real ingest path, and trips with speed-limit features appear.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freshDatabase, pgTargets } from './support/env.ts';
import { startOn } from './support/platform.ts';

const target = pgTargets().targets[0]!;

describe('demo fleet', () => {
  test('fills an empty database with trips from a simulated fleet', async () => {
    const tdb = await freshDatabase(target);
    const p = await startOn(tdb.url, { DEMO: '1', DEMO_DRIVERS: '2', DEMO_DAYS: '1' });
    try {
      let trips: Array<{ features: { speedLimitsAvailable: boolean } }> = [];
      for (let i = 0; i < 1200 && trips.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        trips = (
          await p.db.query<{ features: { speedLimitsAvailable: boolean } }>('SELECT features FROM trips')
        ).rows;
      }
      assert.ok(trips.length > 0, 'no demo trip within two minutes');
      assert.equal(trips[0]!.features.speedLimitsAvailable, true);
      const { rows } = await p.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM drivers WHERE tenant_id = 'demo'",
      );
      assert.equal(rows[0]!.n, 2);
    } finally {
      await p.stop();
      await tdb.drop();
    }
  });
});
