// The analytics export read by pandas (pyarrow and fastparquet engines) and checked statically against Spark 3.x:
// a throwaway PostgreSQL server, trips and events over several UTC days made by the real pipeline (synthetic
// drives through createProcessor, stored with saveOutputs), `exportAnalytics` to a temporary directory, the
// expected figures computed with SQL on the database, then scripts/parquet-readers.py compares what each reader
// sees. Spark itself cannot run here (no pyspark, no Maven), so its check is static: footer types, page
// encodings and partition directories against Spark 3.x's reader rules (cited in the script).
// Run: openubi bench parquet-readers [--days 3] [--trips-per-day 20] [--python python3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/config/logger.ts';
import { createProcessor } from '../src/pipeline/index.ts';
import { resolveDispute } from '../src/services/dispute-resolution.ts';
import { fileDispute } from '../src/services/disputes.ts';
import { mountRotation, runAll, type Segment, tripAround } from '../src/pipeline/testkit.ts';
import { EVENT_KINDS } from '../src/pipeline/types.ts';
import { createDb, type Db } from '../src/store/db.ts';
import { ensureTenant, getDevice, registerDevice } from '../src/store/devices.ts';
import { EXPORT_TABLES, type ExportTable, exportAnalytics } from '../src/store/export.ts';
import { migrate } from '../src/store/migrate.ts';
import { saveOutputs } from '../src/store/trips.ts';
import { writeResult } from './lib.ts';
import { postgresServer } from './servers.ts';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'parquet-readers.py');
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2024, 2, 5);
const HARSH = EVENT_KINDS.filter((k) => k.startsWith('harsh_'));
const PIP = 'pip install pandas pyarrow fastparquet';

const arg = (argv: string[], name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};

/** The middle of trip i: alternately harsh braking, harsh acceleration, a hard curve, or nothing harsh. */
function middle(i: number): Segment[] {
  switch (i % 4) {
    case 0:
      return [{ durationS: 2, accelMps2: -4.5 }, { durationS: 20 }];
    case 1:
      return [
        { durationS: 2, accelMps2: -4 },
        { durationS: 10 },
        { durationS: 2, accelMps2: 4 },
        { durationS: 20 },
      ];
    case 2:
      return [{ durationS: 3, yawRps: 0.45 }, { durationS: 20 }];
    default:
      return [{ durationS: 30 }];
  }
}

interface TableExpect {
  rows: number;
  days: Record<string, number>;
  columns: Record<string, string>;
  sums: Record<string, number>;
  trueCounts: Record<string, number>;
  nullCounts: Record<string, number>;
  countIn: Record<string, { values: string[]; n: number }>;
  sumMs: Record<string, string>;
  minMs: Record<string, string>;
  maxMs: Record<string, string>;
}

interface ReaderReport {
  ok: boolean;
  mismatches: string[];
  notes: string[];
  tables: Record<string, unknown>;
}

interface PyReport {
  ok: boolean;
  readers: Record<string, string>;
  pandasPyarrow: ReaderReport;
  pandasFastparquet: ReaderReport;
  sparkTypeCheck: { ok: boolean; problems: string[]; warnings: string[]; files: number } & Record<
    string,
    unknown
  >;
}

const num = (x: unknown): number => Number(x ?? 0);

/** Expected figures for one table, from SQL on the exporting database (FROM_SQL selects the exported rows). */
async function expectTable(
  db: Db,
  table: ExportTable,
  from: string,
  params: unknown[],
  spec: {
    sums: Record<string, string>;
    trueCounts: Record<string, string>;
    nullCounts: Record<string, string>;
    times: Record<string, string>;
    countIn?: Record<string, { expr: string; values: string[] }>;
  },
): Promise<TableExpect> {
  const days = await db.query<{ d: string; n: number }>(
    `SELECT to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d, count(*)::int AS n ${from} GROUP BY 1 ORDER BY 1`,
    params,
  );
  const parts: string[] = ['count(*)::int AS rows'];
  for (const [c, e] of Object.entries(spec.sums)) parts.push(`coalesce(sum(${e}), 0)::float8 AS "sum_${c}"`);
  for (const [c, e] of Object.entries(spec.trueCounts))
    parts.push(`count(*) FILTER (WHERE ${e})::int AS "true_${c}"`);
  for (const [c, e] of Object.entries(spec.nullCounts))
    parts.push(`count(*) FILTER (WHERE ${e})::int AS "null_${c}"`);
  for (const [c, e] of Object.entries(spec.times)) {
    const ms = `floor(extract(epoch FROM ${e}) * 1000)::numeric`;
    parts.push(
      `sum(${ms})::text AS "summs_${c}", min(${ms})::text AS "minms_${c}", max(${ms})::text AS "maxms_${c}"`,
    );
  }
  for (const [c, { expr, values }] of Object.entries(spec.countIn ?? {})) {
    parts.push(`count(*) FILTER (WHERE ${expr} = ANY('{${values.join(',')}}'::text[]))::int AS "in_${c}"`);
  }
  const { rows } = await db.query<Record<string, unknown>>(`SELECT ${parts.join(', ')} ${from}`, params);
  const r = rows[0]!;
  const pick = <T>(prefix: string, keys: string[], f: (v: unknown) => T) =>
    Object.fromEntries(keys.map((k) => [k, f(r[`${prefix}_${k}`])]));
  const times = Object.keys(spec.times);
  return {
    rows: num(r.rows),
    days: Object.fromEntries(days.rows.map((d) => [d.d, num(d.n)])),
    columns: Object.fromEntries(EXPORT_TABLES[table].map(([c, t]) => [c, t])),
    sums: pick('sum', Object.keys(spec.sums), num),
    trueCounts: pick('true', Object.keys(spec.trueCounts), num),
    nullCounts: pick('null', Object.keys(spec.nullCounts), num),
    countIn: Object.fromEntries(
      Object.entries(spec.countIn ?? {}).map(([c, { values }]) => [c, { values, n: num(r[`in_${c}`]) }]),
    ),
    sumMs: pick('summs', times, String),
    minMs: pick('minms', times, String),
    maxMs: pick('maxms', times, String),
  };
}

let PYTHON = 'python3';

function python(args: string[]): { status: number | null; stdout: string; stderr: string; error?: Error } {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    ...(r.error ? { error: r.error } : {}),
  };
}

export async function main(argv: string[]): Promise<number> {
  const days = Number(arg(argv, 'days', '3'));
  const tripsPerDay = Number(arg(argv, 'trips-per-day', '20'));
  PYTHON = arg(argv, 'python', 'python3');
  if (!(days >= 3) || !(tripsPerDay >= 1)) {
    process.stderr.write('parquet-readers: --days must be at least 3 and --trips-per-day at least 1\n');
    return 2;
  }
  const probe = python([
    '-c',
    'import json, sys, pandas, pyarrow, fastparquet; print(json.dumps({"python": sys.version.split()[0], ' +
      '"pandas": pandas.__version__, "pyarrow": pyarrow.__version__, "fastparquet": fastparquet.__version__}))',
  ]);
  if (probe.error || probe.status !== 0) {
    process.stderr.write(
      `parquet-readers: ${PYTHON} with pandas, pyarrow and fastparquet is needed (${
        probe.error?.message ?? probe.stderr.trim().split('\n').pop()
      }); run: ${PIP}\n`,
    );
    return 1;
  }
  const readers = JSON.parse(probe.stdout) as Record<string, string>;

  const pgs = await postgresServer();
  if (!pgs) {
    process.stderr.write('parquet-readers: needs PostgreSQL server binaries (apt-get install postgresql)\n');
    return 1;
  }
  const db = createDb(pgs.url, { max: 2 });
  const out = mkdtempSync(join(tmpdir(), 'openubi-parquet-readers-'));
  try {
    await migrate(db, createLogger('warn'));
    await ensureTenant(db, 'default', 'Default');
    await db.query(
      `INSERT INTO drivers (id, tenant_id, display_name) VALUES ('pr-driver', 'default', 'Parquet Reader')`,
    );
    // One phone with a driver, one without: driver_id is null in half the rows (nullable strings).
    const devices = [];
    for (const [id, driverId] of [
      ['pr-phone-a', 'pr-driver'],
      ['pr-phone-b', null],
    ] as const) {
      await registerDevice(db, { tenantId: 'default', kind: 'phone', id, driverId });
      devices.push((await getDevice(db, id))!);
    }

    const tSim = performance.now();
    let pipelineTrips = 0;
    let pipelineEvents = 0;
    for (let d = 0; d < days; d++) {
      for (let i = 0; i < tripsPerDay; i++) {
        const dev = devices[i % devices.length]!;
        // spread over the UTC day, from 00:20 to ~22:00, so some trips are at night
        const startMs =
          FIRST_DAY + d * DAY_MS + 20 * 60_000 + Math.floor((i * 21.5 * 3_600_000) / tripsPerDay);
        const batches = tripAround(middle(i + d), {
          deviceId: dev.id,
          startMs,
          frame: 'device',
          mount: mountRotation(35, 10, -5),
          seed: 1 + d * 1000 + i,
        });
        const o = runAll(createProcessor(dev.id), batches);
        await saveOutputs(db, dev, o);
        pipelineTrips += o.trips.length;
        pipelineEvents += o.events.length;
      }
    }
    const simS = (performance.now() - tSim) / 1000;

    // Mixed booleans and non-null exclusion reasons through the real dispute workflow: the driver disputes every
    // third of their trips (passenger) and every fourth of their harsh events (evasive manoeuvre); staff accept.
    const disputes = { trips: 0, events: 0 };
    const nowMs = FIRST_DAY + (days + 2) * DAY_MS;
    const accept = async (d: Parameters<typeof fileDispute>[1]) => {
      const filed = await fileDispute(db, d);
      if (!filed.ok) throw new Error(`fileDispute: ${filed.error.message}`);
      const done = await resolveDispute(db, {
        tenantId: 'default',
        id: filed.value.id,
        decision: 'accept',
        note: 'parquet-readers bench',
        actor: { kind: 'system', id: null },
        nowMs,
      });
      if (!done.ok) throw new Error(`resolveDispute: ${done.error.message}`);
    };
    const { rows: myTrips } = await db.query<{ id: string }>(
      `SELECT id FROM trips WHERE driver_id = 'pr-driver' ORDER BY start_at, id`,
    );
    for (const [i, { id }] of myTrips.entries()) {
      if (i % 3 !== 1) continue;
      await accept({ tenantId: 'default', driverId: 'pr-driver', tripId: id, reason: 'passenger', nowMs });
      disputes.trips++;
    }
    const { rows: myEvents } = await db.query<{ id: string }>(
      `SELECT e.id FROM events e JOIN trips t ON t.id = e.trip_id
        WHERE e.driver_id = 'pr-driver' AND t.counted AND e.kind = ANY($1::text[]) ORDER BY e.start_at, e.id`,
      [HARSH],
    );
    for (const [i, { id }] of myEvents.entries()) {
      if (i % 4 !== 0) continue;
      await accept({
        tenantId: 'default',
        driverId: 'pr-driver',
        eventId: id,
        reason: 'evasive_manoeuvre',
        nowMs,
      });
      disputes.events++;
    }

    const sinceMs = FIRST_DAY - DAY_MS; // one empty day before and after: no partition may appear for them
    const untilMs = FIRST_DAY + (days + 1) * DAY_MS;
    const tExp = performance.now();
    const report = await exportAnalytics(db, { sinceMs, untilMs, outDir: out });
    const exportS = (performance.now() - tExp) / 1000;

    const range = [new Date(sinceMs), new Date(untilMs)];
    const win = 'start_at >= $1 AND start_at < $2';
    const feat = (k: string) => `(features->>'${k}')`;
    const expected = {
      since: new Date(sinceMs).toISOString(),
      until: new Date(untilMs).toISOString(),
      tables: {
        trips: await expectTable(db, 'trips', `FROM trips t WHERE ${win}`, range, {
          sums: {
            distance_m: 'distance_m',
            duration_s: 'duration_s',
            event_count: '(SELECT count(*) FROM events e WHERE e.trip_id = t.id)',
          },
          trueCounts: { counted: 'counted', trace_coarsened: 'trace_coarsened_at IS NOT NULL' },
          nullCounts: {
            driver_id: 'driver_id IS NULL',
            exclusion_reason: 'exclusion_reason IS NULL',
            end_reason: `${feat('endReason')} IS NULL`,
          },
          times: { start_at: 'start_at', end_at: 'end_at' },
        }),
        events: await expectTable(db, 'events', `FROM events WHERE ${win}`, range, {
          sums: { peak: 'peak', lat: 'lat', lon: 'lon', speed_before_mps: 'speed_before_mps' },
          trueCounts: { voided: 'voided' },
          nullCounts: {
            driver_id: 'driver_id IS NULL',
            peak_unit: `details->>'peakUnit' IS NULL`,
            source: `details->>'source' IS NULL`,
          },
          times: { start_at: 'start_at', end_at: 'end_at' },
          countIn: { kind: { expr: 'kind', values: HARSH } },
        }),
        trip_features: await expectTable(db, 'trip_features', `FROM trips WHERE ${win}`, range, {
          sums: {
            distance_m: `${feat('distanceM')}::float8`,
            night_share: `${feat('nightShare')}::float8`,
            gps_fixes_accepted: `round(${feat('gpsFixesAccepted')}::float8)`,
            ...Object.fromEntries(
              HARSH.map((k) => [
                `events_${k}`,
                `coalesce(round((features->'eventCounts'->>'${k}')::float8), 0)`,
              ]),
            ),
          },
          trueCounts: {
            counted: 'counted',
            speed_limits_available: `${feat('speedLimitsAvailable')} = 'true'`,
          },
          nullCounts: {
            driver_id: 'driver_id IS NULL',
            speed_limits_available: `jsonb_typeof(features->'speedLimitsAvailable') IS DISTINCT FROM 'boolean'`,
            gps_fixes_accepted: `jsonb_typeof(features->'gpsFixesAccepted') IS DISTINCT FROM 'number'`,
            wet_share: `jsonb_typeof(features->'context'->'wetShare') IS DISTINCT FROM 'number'`,
          },
          times: { start_at: 'start_at' },
        }),
      },
    };
    const t = expected.tables;
    const harshEvents = t.events.countIn.kind!.n;
    const { rows: dayRows } = await db.query<{ d: string }>(
      `SELECT DISTINCT to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d
         FROM (SELECT start_at FROM trips WHERE ${win} UNION ALL SELECT start_at FROM events WHERE ${win}) x
        ORDER BY 1`,
      range,
    );
    const { rows: dist } = await db.query<{ m: number }>(
      `SELECT coalesce(sum(distance_m), 0)::float8 AS m FROM trips WHERE ${win}`,
      range,
    );
    const summary = { days: dayRows.map((r) => r.d), tripsDistanceM: Number(dist[0]!.m), harshEvents };
    if (
      t.trips.rows !== pipelineTrips ||
      t.events.rows !== pipelineEvents ||
      t.trips.rows < days * Math.min(tripsPerDay, 2) ||
      harshEvents === 0
    ) {
      throw new Error(
        `the synthetic drives did not make the data this bench needs: ${pipelineTrips} pipeline trips ` +
          `(${t.trips.rows} in range), ${pipelineEvents} pipeline events (${t.events.rows} in range), ` +
          `${harshEvents} harsh events`,
      );
    }
    const expFile = join(out, 'expected.json');
    writeFileSync(expFile, `${JSON.stringify({ ...summary, ...expected }, null, 2)}\n`);

    const tPy = performance.now();
    const run = python([SCRIPT, '--dir', out, '--expected', expFile]);
    const pyS = (performance.now() - tPy) / 1000;
    if (run.status !== 0 && run.status !== 1) {
      process.stderr.write(run.stderr);
      throw new Error(`scripts/parquet-readers.py failed (exit ${run.status})`);
    }
    const py = JSON.parse(run.stdout) as PyReport;
    if ((run.status === 0) !== py.ok) throw new Error('parquet-readers.py: exit status and report disagree');

    // The checker must be able to fail: wrong expectations must be named, and the Spark rules must reject
    // files Spark 3.x cannot read (the script's --self-test writes such files with pyarrow).
    const wrong = structuredClone({ ...summary, ...expected });
    wrong.harshEvents += 1;
    wrong.tables.trips.rows += 1;
    wrong.tables.events.columns.voided = 'STRING';
    wrong.tables.trip_features.sums.distance_m! += 1;
    const wrongFile = join(out, 'expected-wrong.json');
    writeFileSync(wrongFile, JSON.stringify(wrong));
    const neg = python([SCRIPT, '--dir', out, '--expected', wrongFile]);
    const negReport = neg.status === 1 ? (JSON.parse(neg.stdout) as PyReport) : null;
    const caught = (r: ReaderReport | undefined) =>
      !!r &&
      ['trips: ', 'events.voided', 'trip_features.distance_m', 'harsh events'].every((s) =>
        r.mismatches.some((m) => m.includes(s)),
      );
    const negOk =
      negReport !== null && caught(negReport.pandasPyarrow) && caught(negReport.pandasFastparquet);
    const self = python([SCRIPT, '--self-test']);
    const selfOk = self.status === 0;
    rmSync(wrongFile);

    const verdict = (r: ReaderReport) => (r.ok ? 'ok' : r.mismatches);
    const result = {
      figures: {
        pandasPyarrow: verdict(py.pandasPyarrow),
        pandasFastparquet: verdict(py.pandasFastparquet),
        sparkTypeCheck: py.sparkTypeCheck.ok ? 'ok' : py.sparkTypeCheck.problems,
        sparkRun: 'not run: pyspark not installable here',
        checkerCanFail:
          negOk && selfOk
            ? 'ok: wrong expectations rejected by both engines; Spark self-test rejected bad files'
            : `FAILED: perturbed expectations ${negOk ? 'rejected' : 'NOT rejected'}, Spark self-test ${
                selfOk ? 'ok' : self.stdout || self.stderr
              }`,
        rows: report.rows,
        files: report.files.length,
        days: summary.days,
        harshEvents,
        tripsDistanceM: summary.tripsDistanceM,
        dtColumn: {
          pyarrow: dtAs(py.pandasPyarrow),
          fastparquet: dtAs(py.pandasFastparquet),
        },
      },
      readers: { ...readers, ...py.readers },
      inputs: {
        days,
        tripsPerDay,
        python: PYTHON,
        devices: devices.length,
        acceptedDisputes: disputes,
        firstDay: new Date(FIRST_DAY).toISOString().slice(0, 10),
        exportSince: expected.since,
        exportUntil: expected.until,
        data: 'synthetic drives (src/pipeline/testkit.ts tripAround) through createProcessor and saveOutputs',
        simulateAndStoreS: round(simS, 1),
        exportS: round(exportS, 2),
        readersS: round(pyS, 1),
      },
      expected: expected.tables,
      notes: [...py.pandasPyarrow.notes, ...py.pandasFastparquet.notes],
      sparkWarnings: py.sparkTypeCheck.warnings,
      report: {
        pandasPyarrow: py.pandasPyarrow.tables,
        pandasFastparquet: py.pandasFastparquet.tables,
        spark: py.sparkTypeCheck,
      },
    };
    const file = writeResult('parquet-readers', result);
    process.stdout.write(`${JSON.stringify(result.figures, null, 2)}\nwritten ${file}\n`);
    return py.ok && negOk && selfOk ? 0 : 1;
  } finally {
    await db.close();
    await pgs.stop();
    rmSync(out, { recursive: true, force: true });
  }
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

/** How a reader hands back the Hive partition column, e.g. 'category of str'. */
function dtAs(r: ReaderReport): string {
  const t = r.tables.trips as { dtDtype?: string; dtValueType?: string } | undefined;
  return t?.dtDtype ? `${t.dtDtype} of ${t.dtValueType}` : 'missing';
}
