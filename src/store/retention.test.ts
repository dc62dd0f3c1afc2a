// Retention: old precise traces are coarsened (trips, features and events kept), recent ones untouched;
// stored coordinates can be rounded to a configured precision.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freshDatabase, pgTargets, type TestDatabase } from '../../test/support/env.ts';
import { createLogger } from '../config/logger.ts';
import { reduceOutputPrecision } from '../ops/precision.ts';
import { createProcessor } from '../pipeline/index.ts';
import { mountRotation, runAll, tripAround } from '../pipeline/testkit.ts';
import { createDb, type Db } from './db.ts';
import { ensureTenant, getDevice, registerDevice } from './devices.ts';
import { migrate } from './migrate.ts';
import { coarsenTrace, ensureRawPartitions, reduceStoredPrecision, runRetention } from './retention.ts';
import { saveOutputs } from './trips.ts';

const DAY_MS = 86_400_000;

describe('coarsenTrace', () => {
  const n = 95;
  const trace = {
    tMs: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 1000),
    lat: Array.from({ length: n }, (_, i) => 42.5063217 + i * 1e-5),
    lon: Array.from({ length: n }, (_, i) => 1.5218449 + i * 1e-5),
    speedMps: Array.from({ length: n }, () => 13.24),
    headingDeg: Array.from({ length: n }, (_, i) => (i % 2 ? null : 87.4)),
  };

  test('keeps every 30th point and the last, rounded to ~100 m', () => {
    const c = coarsenTrace(trace);
    assert.deepEqual(
      c.tMs,
      [0, 30, 60, 90, 94].map((i) => trace.tMs[i]),
    );
    assert.deepEqual(c.lat, [42.506, 42.507, 42.507, 42.507, 42.507]);
    assert.ok(c.lon.every((x) => Math.round(x * 1000) / 1000 === x));
    assert.deepEqual(c.speedMps, [13.2, 13.2, 13.2, 13.2, 13.2]);
    assert.deepEqual(c.headingDeg, [87, 87, 87, 87, 87]);
  });

  test('an empty trace stays empty', () => {
    assert.deepEqual(coarsenTrace({ tMs: [], lat: [], lon: [], speedMps: [], headingDeg: [] }).tMs, []);
  });
});

const target = pgTargets().targets[0];
if (target) {
  describe('retention jobs on PostgreSQL', () => {
    let tdb: TestDatabase;
    let db: Db;
    const now = Date.now();
    before(async () => {
      tdb = await freshDatabase(target);
      db = createDb(tdb.url, { max: 2 });
      await migrate(db, createLogger('silent'));
      await ensureTenant(db, 'default', 'Default');
      const dev = (await getDevice(
        db,
        (
          await registerDevice(db, { tenantId: 'default', kind: 'phone' })
        ).id,
      ))!;
      // One trip 120 days old, one from yesterday.
      for (const [i, startMs] of [now - 120 * DAY_MS, now - DAY_MS].entries()) {
        const batches = tripAround([{ durationS: 2, accelMps2: -4.5 }, { durationS: 60 }], {
          deviceId: dev.id,
          startMs,
          frame: 'device',
          mount: mountRotation(35, 10, -5),
          seed: 11 + i,
        });
        await saveOutputs(db, dev, runAll(createProcessor(dev.id), batches));
      }
    });
    after(async () => {
      await db.close();
      await tdb.drop();
    });

    test('coarsens only traces past TRACE_RETENTION_DAYS; trips, features and events stay', async () => {
      const before = await db.query<{ id: string; n: number; old: boolean; features: unknown }>(
        `SELECT id, jsonb_array_length(trace->'tMs') AS n, end_at < now() - interval '90 days' AS old, features
           FROM trips ORDER BY start_at`,
      );
      const events = (await db.query('SELECT id FROM events ORDER BY id')).rows;
      assert.equal(before.rows.length, 2);
      const r = await runRetention(db, now, { rawRetentionDays: 30, traceRetentionDays: 90 });
      assert.equal(r.tracesCoarsened, 1);
      const afterRows = await db.query<{ id: string; n: number; coarsened: boolean; features: unknown }>(
        `SELECT id, jsonb_array_length(trace->'tMs') AS n, trace_coarsened_at IS NOT NULL AS coarsened, features
           FROM trips ORDER BY start_at`,
      );
      const [old, recent] = afterRows.rows;
      assert.equal(old!.coarsened, true);
      assert.equal(old!.n, Math.ceil(before.rows[0]!.n / 30) + ((before.rows[0]!.n - 1) % 30 === 0 ? 0 : 1));
      assert.equal(recent!.coarsened, false);
      assert.equal(recent!.n, before.rows[1]!.n);
      assert.deepEqual(old!.features, before.rows[0]!.features);
      assert.deepEqual((await db.query('SELECT id FROM events ORDER BY id')).rows, events);
      // A second run finds nothing more to do.
      assert.equal(
        (await runRetention(db, now, { rawRetentionDays: 30, traceRetentionDays: 90 })).tracesCoarsened,
        0,
      );
    });

    test('processes starting at once create the raw partitions without tripping over each other', async () => {
      const farFuture = now + 400 * DAY_MS;
      const pools = [0, 1, 2, 3].map(() => createDb(tdb.url, { max: 1 }));
      try {
        await Promise.all(pools.map((p) => ensureRawPartitions(p, farFuture)));
      } finally {
        await Promise.all(pools.map((p) => p.close()));
      }
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_class WHERE relname = $1`,
        [`raw_batches_${new Date(farFuture).toISOString().slice(0, 10).replaceAll('-', '')}`],
      );
      assert.equal(rows[0]!.n, 1);
    });

    test('reduceStoredPrecision rounds stored event and trace coordinates, idempotently', async () => {
      const r = await reduceStoredPrecision(db, 4);
      assert.ok(r.events > 0 || r.trips > 0);
      const { rows } = await db.query<{ bad: number }>(
        `SELECT count(*)::int AS bad FROM events WHERE lat IS NOT NULL AND lat <> round(lat::numeric, 4)::float8`,
      );
      assert.equal(rows[0]!.bad, 0);
      const traces = await db.query<{ lat: number[] }>(`SELECT trace->'lat' AS lat FROM trips`);
      for (const t of traces.rows) for (const x of t.lat) assert.equal(Math.round(x * 1e4) / 1e4, x);
      assert.deepEqual(await reduceStoredPrecision(db, 4), { events: 0, trips: 0 });
    });
  });
}

test('reduceOutputPrecision rounds what the pipeline hands over for storage', () => {
  const batches = tripAround([{ durationS: 2, accelMps2: -4.5 }, { durationS: 20 }], {
    deviceId: 'p',
    seed: 5,
  });
  const o = reduceOutputPrecision(runAll(createProcessor('p'), batches), 3);
  assert.ok(o.trips.length > 0 && o.events.length > 0);
  for (const t of o.trips)
    for (const x of [...t.trace.lat, ...t.trace.lon]) assert.equal(Math.round(x * 1e3) / 1e3, x);
  for (const e of o.events) if (e.lat !== null) assert.equal(Math.round(e.lat * 1e3) / 1e3, e.lat);
});
