// The model-registry port's contract, run against the in-memory registry and the PostgreSQL adapter alike,
// plus what only the database must guarantee: tenants apart, one champion even when promotions race.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../src/config/logger.ts';
import { InMemoryModelRegistry, type ModelArtifact, type ModelRegistry } from '../src/risk/index.ts';
import { trainTelematicsModel } from '../src/risk/telematics/index.ts';
import { syntheticTelematicsRows } from '../src/risk/testing/telematics.ts';
import { createDb, createPgModelRegistry, type Db, ensureTenant, migrate } from '../src/store/index.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

let artifacts: ModelArtifact[] = [];

before(async () => {
  const rows = syntheticTelematicsRows(600, 3);
  const a = await trainTelematicsModel(rows, { seed: 1 });
  const b = await trainTelematicsModel(rows, { seed: 2 });
  artifacts = [a.artifact, b.artifact, a.classic];
});

/** The port's behaviour; `fresh` gives an empty registry. */
function contract(label: string, fresh: () => Promise<ModelRegistry>) {
  describe(`model registry contract: ${label}`, () => {
    test('versions are numbered 1, 2, 3 per name, and names do not share numbers', async () => {
      const r = await fresh();
      assert.equal((await r.save('freq', artifacts[0]!)).version, 1);
      assert.equal((await r.save('freq', artifacts[1]!)).version, 2);
      assert.equal((await r.save('other', artifacts[2]!)).version, 1);
      const v3 = await r.save('freq', artifacts[2]!);
      assert.equal(v3.version, 3);
      assert.equal(v3.champion, false);
      assert.equal(v3.kind, 'glm');
      assert.equal(v3.dataSha256, artifacts[2]!.training.dataSha256);
      assert.equal(v3.createdAt, artifacts[2]!.createdAt);
    });

    test('list is oldest first, by name; get returns the stored artifact unchanged', async () => {
      const r = await fresh();
      await r.save('b', artifacts[0]!);
      await r.save('a', artifacts[1]!);
      await r.save('b', artifacts[2]!);
      assert.deepEqual(
        (await r.list()).map((i) => `${i.name}@${i.version}`),
        ['a@1', 'b@1', 'b@2'],
      );
      assert.deepEqual(
        (await r.list('b')).map((i) => i.version),
        [1, 2],
      );
      assert.deepEqual(await r.list('none'), []);
      assert.deepEqual(await r.get('b', 2), artifacts[2]);
      assert.deepEqual((await r.list('a'))[0]!.metrics, artifacts[1]!.metrics);
      assert.equal(await r.get('b', 3), null);
      assert.equal(await r.get('zzz', 1), null);
    });

    test('promote makes exactly one champion per name and records who did it', async () => {
      const r = await fresh();
      await r.save('freq', artifacts[0]!);
      await r.save('freq', artifacts[1]!);
      await r.save('other', artifacts[2]!);
      assert.equal(await r.getChampion('freq'), null);
      const missing = await r.promote('freq', 9);
      assert.equal(missing.ok, false);
      assert.equal(!missing.ok && missing.error.code, 'not_found');
      const p1 = await r.promote('freq', 1, 'alice');
      assert.ok(p1.ok);
      assert.equal(p1.value.champion, true);
      assert.equal(p1.value.promotedBy, 'alice');
      assert.ok(p1.value.promotedAt !== null);
      await r.promote('other', 1);
      const p2 = await r.promote('freq', 2, 'bob');
      assert.ok(p2.ok);
      const champs = (await r.list()).filter((i) => i.champion).map((i) => `${i.name}@${i.version}`);
      assert.deepEqual(champs, ['freq@2', 'other@1']);
      const c = await r.getChampion('freq');
      assert.equal(c?.info.version, 2);
      assert.equal(c?.info.promotedBy, 'bob');
      assert.deepEqual(c?.artifact, artifacts[1]);
      // Promoting the champion again keeps it the only one.
      assert.ok((await r.promote('freq', 2)).ok);
      assert.equal((await r.list('freq')).filter((i) => i.champion).length, 1);
    });
  });
}

contract('in memory', async () => new InMemoryModelRegistry());

const { targets, missing } = pgTargets();
if (targets.length === 0) test.skip(`PostgreSQL model registry: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  let tdb: TestDatabase;
  let db: Db;
  let n = 0;
  const tenant = async () => {
    const id = `t${++n}`;
    await ensureTenant(db, id, id);
    return id;
  };
  before(async () => {
    tdb = await freshDatabase(target);
    db = createDb(tdb.url, { max: 8 });
    await migrate(db, createLogger('silent'));
  });
  after(async () => {
    await db?.close();
    await tdb?.drop();
  });

  contract(`PostgreSQL (${target.name})`, async () => createPgModelRegistry(db, await tenant()));

  describe(`PostgreSQL model registry on ${target.name}`, () => {
    test('tenants never see or promote each other’s models', async () => {
      const a = createPgModelRegistry(db, await tenant());
      const b = createPgModelRegistry(db, await tenant());
      await a.save('freq', artifacts[0]!);
      assert.deepEqual(await b.list(), []);
      assert.equal(await b.get('freq', 1), null);
      assert.equal((await b.promote('freq', 1)).ok, false);
      assert.equal((await b.save('freq', artifacts[1]!)).version, 1);
      assert.ok((await a.promote('freq', 1)).ok);
      assert.equal(await b.getChampion('freq'), null);
    });

    test('racing promotions and saves leave one champion and distinct versions', async () => {
      const r = createPgModelRegistry(db, await tenant());
      const saved = await Promise.all(artifacts.concat(artifacts).map((a) => r.save('freq', a)));
      assert.deepEqual(
        saved.map((s) => s.version).sort((x, y) => x - y),
        [1, 2, 3, 4, 5, 6],
      );
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map((v) => r.promote('freq', v)));
      assert.ok(results.every((x) => x.ok));
      assert.equal((await r.list('freq')).filter((i) => i.champion).length, 1);
    });

    test('the database itself refuses a second champion of a name', async () => {
      const t = await tenant();
      const r = createPgModelRegistry(db, t);
      await r.save('freq', artifacts[0]!);
      await r.save('freq', artifacts[1]!);
      await r.promote('freq', 1);
      await assert.rejects(
        db.query("UPDATE risk_models SET champion = true WHERE tenant_id = $1 AND name = 'freq'", [t]),
        /risk_models_one_champion/,
      );
    });
  });
}
