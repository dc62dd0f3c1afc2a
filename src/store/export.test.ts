// The Parquet export read back by independent readers (DuckDB, hyparquet): typed columns, Hive date partitions,
// the stored values, and a re-export that replaces a day instead of adding to it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { freshDatabase, pgTargets, type TestDatabase } from '../../test/support/env.ts';
import { createLogger } from '../config/logger.ts';
import { createProcessor } from '../pipeline/index.ts';
import { mountRotation, runAll, tripAround } from '../pipeline/testkit.ts';
import { createDb, type Db } from './db.ts';
import { ensureTenant, getDevice, registerDevice } from './devices.ts';
import { exportAnalytics } from './export.ts';
import { migrate } from './migrate.ts';
import { saveOutputs } from './trips.ts';

const BIN = fileURLToPath(new URL('../../bin/openubi.js', import.meta.url));
const { targets, missing } = pgTargets();
const target = targets[0];
const DAY1 = Date.UTC(2024, 2, 5, 9, 0, 0);
const DAY2 = Date.UTC(2024, 2, 6, 17, 30, 0);

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    c.closeSync();
  }
}

if (target) {
  describe('analytics export (Parquet)', () => {
    let tdb: TestDatabase;
    let db: Db;
    let out: string;
    let expected: { trips: number; events: number; harsh: number; distanceM: number };
    before(async () => {
      tdb = await freshDatabase(target);
      db = createDb(tdb.url, { max: 2 });
      await migrate(db, createLogger('silent'));
      await ensureTenant(db, 'default', 'Default');
      const reg = await registerDevice(db, { tenantId: 'default', kind: 'phone', id: 'export-phone' });
      const dev = (await getDevice(db, reg.id))!;
      let trips = 0;
      let events = 0;
      let harsh = 0;
      let distanceM = 0;
      for (const [i, startMs] of [DAY1, DAY2].entries()) {
        const batches = tripAround([{ durationS: 2, accelMps2: -4.5 }, { durationS: 20 }], {
          deviceId: dev.id,
          startMs,
          frame: 'device',
          mount: mountRotation(35, 10, -5),
          seed: 3 + i,
        });
        const o = runAll(createProcessor(dev.id), batches);
        await saveOutputs(db, dev, o);
        trips += o.trips.length;
        events += o.events.length;
        harsh += o.events.filter((e) => e.kind === 'harsh_braking').length;
        distanceM += o.trips.reduce((s, t) => s + t.features.distanceM, 0);
      }
      expected = { trips, events, harsh, distanceM };
      assert.ok(trips === 2 && harsh >= 2, 'the synthetic drives should make two trips with harsh braking');
      out = mkdtempSync(join(tmpdir(), 'openubi-export-'));
    });
    after(async () => {
      await db.close();
      await tdb.drop();
      rmSync(out, { recursive: true, force: true });
    });

    test('writes Hive date partitions that DuckDB reads with typed columns and the stored values', async () => {
      const r = await exportAnalytics(db, {
        sinceMs: Date.UTC(2024, 2, 4),
        untilMs: Date.UTC(2024, 2, 8),
        outDir: out,
      });
      assert.equal(r.days, 4);
      assert.deepEqual(readdirSync(join(out, 'trips')).sort(), ['dt=2024-03-05', 'dt=2024-03-06']);
      assert.deepEqual(r.rows, {
        trips: expected.trips,
        events: expected.events,
        trip_features: expected.trips,
      });

      const types = await query(
        `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${out}/trips/*/*.parquet', hive_partitioning = true))`,
      );
      const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
      assert.equal(typeOf.start_at, 'TIMESTAMP WITH TIME ZONE');
      assert.equal(typeOf.distance_m, 'DOUBLE');
      assert.equal(typeOf.counted, 'BOOLEAN');
      assert.equal(typeOf.event_count, 'INTEGER');
      assert.equal(typeOf.trip_id, 'VARCHAR');

      const [trips] = await query(
        `SELECT count(*)::INT AS n, sum(distance_m) AS d, min(dt)::VARCHAR AS first_dt, sum(event_count)::INT AS ev,
                min(epoch_ms(start_at)) AS first_ms
           FROM read_parquet('${out}/trips/*/*.parquet', hive_partitioning = true)`,
      );
      assert.equal(trips!.n, expected.trips);
      assert.ok(Math.abs(Number(trips!.d) - expected.distanceM) < 1e-6);
      assert.equal(trips!.first_dt, '2024-03-05');
      assert.equal(trips!.ev, expected.events);
      const { rows } = await db.query<{ ms: number }>(
        'SELECT (extract(epoch FROM min(start_at)) * 1000)::float8 AS ms FROM trips',
      );
      assert.equal(Number(trips!.first_ms), rows[0]!.ms);

      const [ev] = await query(
        `SELECT count(*) FILTER (WHERE kind = 'harsh_braking')::INT AS harsh, count(*)::INT AS n,
                bool_and(NOT voided) AS none_voided
           FROM read_parquet('${out}/events/*/*.parquet', hive_partitioning = true)`,
      );
      assert.deepEqual(ev, { harsh: expected.harsh, n: expected.events, none_voided: true });

      const [f] = await query(
        `SELECT sum(events_harsh_braking)::INT AS harsh, count(*)::INT AS n, typeof(any_value(night_share)) AS t
           FROM read_parquet('${out}/trip_features/*/*.parquet', hive_partitioning = true)`,
      );
      assert.deepEqual(f, { harsh: expected.harsh, n: expected.trips, t: 'DOUBLE' });
    });

    test('an independent JavaScript reader (hyparquet) reads the same rows and logical types', async () => {
      const file = join(out, 'events', 'dt=2024-03-05', 'part-0.parquet');
      const buf = await asyncBufferFromFile(file);
      const meta = await parquetMetadataAsync(buf);
      const startAt = meta.schema.find((s) => s.name === 'start_at');
      assert.deepEqual(startAt?.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' });
      // For fastparquet (export-schema.ts): pandas metadata naming the timestamps as UTC, its only source of a
      // time zone. Boolean encodings are checked in export-schema.test.ts.
      const pandas = JSON.parse(meta.key_value_metadata?.find((kv) => kv.key === 'pandas')?.value ?? '{}');
      assert.ok(
        pandas.columns?.some(
          (c: { name: string; metadata?: { timezone?: string } }) =>
            c.name === 'start_at' && c.metadata?.timezone === 'UTC',
        ),
      );
      const rows = await parquetReadObjects({ file: buf });
      const { rows: stored } = await db.query<{ id: string }>(
        `SELECT id FROM events WHERE start_at < '2024-03-06' ORDER BY start_at, id`,
      );
      assert.deepEqual(
        rows.map((r) => r.event_id),
        stored.map((r) => r.id),
      );
      assert.ok(rows.every((r) => r.start_at instanceof Date));
    });

    test('openubi export writes the same layout from the command line', () => {
      const dir = join(out, 'cli');
      const r = spawnSync(
        process.execPath,
        [BIN, 'export', '--since', '2024-03-05', '--until', '2024-03-07', '--out', dir],
        { env: { ...process.env, DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' }, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { days: number; rows: Record<string, number> };
      assert.equal(report.days, 2);
      assert.deepEqual(report.rows, {
        trips: expected.trips,
        events: expected.events,
        trip_features: expected.trips,
      });
      assert.deepEqual(readdirSync(join(dir, 'events')).sort(), ['dt=2024-03-05', 'dt=2024-03-06']);
      const bad = spawnSync(process.execPath, [BIN, 'export', '--since', '2024-03-05'], { encoding: 'utf8' });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--out is required/);
    });

    test('re-exporting a day replaces it: same rows, and deletions show', async () => {
      const again = await exportAnalytics(db, {
        sinceMs: Date.UTC(2024, 2, 5),
        untilMs: Date.UTC(2024, 2, 7),
        outDir: out,
      });
      assert.equal(again.rows.trips, expected.trips);
      const [n] = await query(`SELECT count(*)::INT AS n FROM read_parquet('${out}/trips/*/*.parquet')`);
      assert.equal(n!.n, expected.trips);
      await db.query(`DELETE FROM trips WHERE start_at >= '2024-03-06'`);
      await exportAnalytics(db, {
        sinceMs: Date.UTC(2024, 2, 6),
        untilMs: Date.UTC(2024, 2, 7),
        outDir: out,
      });
      assert.deepEqual(readdirSync(join(out, 'trips')), ['dt=2024-03-05']);
      const leftovers = readdirSync(join(out, 'trips', 'dt=2024-03-05'));
      assert.deepEqual(leftovers, ['part-0.parquet'], 'no temporary files are left behind');
    });
  });
}

for (const m of missing) describe(`skipped: ${m}`, { skip: m }, () => {});
