// ensureChampionModel: a tenant without a champion gets a telematics model trained on a simulated portfolio and
// promoted; a second call (or a tenant that has one) changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../src/config/logger.ts';
import { importOsmPbf, type RoadNetwork } from '../src/geo/index.ts';
import { TELEMATICS_MODEL_NAME } from '../src/risk/telematics/index.ts';
import { DEFAULT_OSM_FILE, ensureChampionModel } from '../src/services/models.ts';
import { createDb, createPgModelRegistry, type Db, ensureTenant, migrate } from '../src/store/index.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
if (targets.length === 0) test.skip(`ensureChampionModel: ${missing.join('; ')}`, () => {});

for (const target of targets.slice(0, 1)) {
  describe(`ensureChampionModel on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let db: Db;
    let network: RoadNetwork;
    const log = createLogger('silent');
    before(async () => {
      tdb = await freshDatabase(target);
      db = createDb(tdb.url, { max: 4 });
      await migrate(db, log);
      await ensureTenant(db, 'demo', 'Demo');
      network = (await importOsmPbf(DEFAULT_OSM_FILE, { countryCode: 'AD' })).network;
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
    });

    test('trains and promotes once, even when called twice at once, then leaves the champion alone', async () => {
      const opts = { network, policies: 150, seed: 5 };
      // Two processes starting at once: one trains, the other waits and finds its champion.
      const both = await Promise.all([
        ensureChampionModel(db, 'demo', log, opts),
        ensureChampionModel(db, 'demo', log, opts),
      ]);
      assert.deepEqual(both.map((r) => r.created).sort(), [false, true]);
      const first = both.find((r) => r.created)!;
      assert.equal(first.version, 1);
      const champ = await createPgModelRegistry(db, 'demo').getChampion(TELEMATICS_MODEL_NAME);
      assert.equal(champ?.info.promotedBy, 'system');
      assert.ok(champ?.artifact.telematics, 'a telematics artifact with its reference profile');
      assert.ok((first.result?.learn.observed ?? 0) > 100, 'enough claims to fit');
      const again = await ensureChampionModel(db, 'demo', log, opts);
      assert.deepEqual(again, { created: false, version: 1 });
      assert.equal((await createPgModelRegistry(db, 'demo').list()).length, 1);
    });
  });
}
