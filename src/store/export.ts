// The analytics export: trips, events and trip features as Parquet, one file per table and UTC day in Hive
// layout (TABLE/dt=YYYY-MM-DD/part-0.parquet), typed columns, readable by DuckDB, pandas (pyarrow) and Spark.
// A day is written to a temporary file and renamed over the old one, so re-exporting a day replaces it whole.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { EVENT_KINDS } from '../pipeline/types.ts';
import type { Queryable } from './db.ts';
import { type Column, columnsOf, type ColumnType, rowsToColumns } from './export-schema.ts';

const DAY_MS = 86_400_000;
const ROAD_CLASSES = [
  'motorway',
  'trunk',
  'primary',
  'secondary',
  'tertiary',
  'unclassified',
  'residential',
  'living_street',
  'service',
] as const;

type Row = Record<string, unknown>;

const TRIPS: Array<[string, ColumnType]> = [
  ['trip_id', 'STRING'],
  ['tenant_id', 'STRING'],
  ['device_id', 'STRING'],
  ['driver_id', 'STRING'],
  ['start_at', 'TIMESTAMP'],
  ['end_at', 'TIMESTAMP'],
  ['distance_m', 'DOUBLE'],
  ['duration_s', 'DOUBLE'],
  ['mode', 'STRING'],
  ['mode_confidence', 'DOUBLE'],
  ['status', 'STRING'],
  ['counted', 'BOOLEAN'],
  ['exclusion_reason', 'STRING'],
  ['end_reason', 'STRING'],
  ['event_count', 'INT32'],
  ['trace_points', 'INT32'],
  ['trace_coarsened', 'BOOLEAN'],
];

const EVENTS: Array<[string, ColumnType]> = [
  ['event_id', 'STRING'],
  ['trip_id', 'STRING'],
  ['tenant_id', 'STRING'],
  ['device_id', 'STRING'],
  ['driver_id', 'STRING'],
  ['kind', 'STRING'],
  ['source', 'STRING'],
  ['severity', 'STRING'],
  ['start_at', 'TIMESTAMP'],
  ['end_at', 'TIMESTAMP'],
  ['peak', 'DOUBLE'],
  ['peak_unit', 'STRING'],
  ['lat', 'DOUBLE'],
  ['lon', 'DOUBLE'],
  ['speed_before_mps', 'DOUBLE'],
  ['speed_after_mps', 'DOUBLE'],
  ['voided', 'BOOLEAN'],
];

/** TripFeatures (src/pipeline/types.ts) flattened: [column, type, key in the stored features]. */
const FEATURE_FIELDS: Array<[string, ColumnType, string]> = [
  ['distance_m', 'DOUBLE', 'distanceM'],
  ['duration_ms', 'DOUBLE', 'durationMs'],
  ['moving_time_ms', 'DOUBLE', 'movingTimeMs'],
  ['idle_time_ms', 'DOUBLE', 'idleTimeMs'],
  ['mean_moving_speed_mps', 'DOUBLE', 'meanMovingSpeedMps'],
  ['max_speed_mps', 'DOUBLE', 'maxSpeedMps'],
  ['p85_speed_mps', 'DOUBLE', 'p85SpeedMps'],
  ['harsh_braking_per_100km', 'DOUBLE', 'harshBrakingPer100Km'],
  ['harsh_acceleration_per_100km', 'DOUBLE', 'harshAccelerationPer100Km'],
  ['harsh_cornering_per_100km', 'DOUBLE', 'harshCorneringPer100Km'],
  ['harsh_events_per_100km', 'DOUBLE', 'harshEventsPer100Km'],
  ['speed_limits_available', 'BOOLEAN', 'speedLimitsAvailable'],
  ['speeding_share', 'DOUBLE', 'speedingShare'],
  ['over_limit_share', 'DOUBLE', 'overLimitShare'],
  ['speed_limit_coverage', 'DOUBLE', 'speedLimitCoverage'],
  ['night_share', 'DOUBLE', 'nightShare'],
  ['rush_hour_share', 'DOUBLE', 'rushHourShare'],
  ['phone_use_ms', 'DOUBLE', 'phoneUseMs'],
  ['handheld_call_ms', 'DOUBLE', 'handheldCallMs'],
  ['hands_free_call_ms', 'DOUBLE', 'handsFreeCallMs'],
  ['fatigue_ms', 'DOUBLE', 'fatigueMs'],
  ['continuous_driving_ms', 'DOUBLE', 'continuousDrivingMs'],
  ['imu_calibrated_share', 'DOUBLE', 'imuCalibratedShare'],
  ['gps_fixes_accepted', 'INT32', 'gpsFixesAccepted'],
  ['gps_fixes_dropped', 'INT32', 'gpsFixesDropped'],
];

const FEATURES: Array<[string, ColumnType]> = [
  ['trip_id', 'STRING'],
  ['tenant_id', 'STRING'],
  ['driver_id', 'STRING'],
  ['start_at', 'TIMESTAMP'],
  ['counted', 'BOOLEAN'],
  ...FEATURE_FIELDS.map(([c, t]) => [c, t] as [string, ColumnType]),
  ...EVENT_KINDS.map((k) => [`events_${k}`, 'INT32'] as [string, ColumnType]),
  ...ROAD_CLASSES.map((c) => [`road_${c}_share`, 'DOUBLE'] as [string, ColumnType]),
  ['wet_share', 'DOUBLE'],
  ['snow_share', 'DOUBLE'],
  ['dark_share', 'DOUBLE'],
  ['area_risk_exposure', 'DOUBLE'],
];

export const EXPORT_TABLES = { trips: TRIPS, events: EVENTS, trip_features: FEATURES } as const;
export type ExportTable = keyof typeof EXPORT_TABLES;

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const int = (x: unknown): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? Math.round(x) : null;
const bool = (x: unknown): boolean | null => (typeof x === 'boolean' ? x : null);

function featureRow(r: Row): Row {
  const f = (r.features ?? {}) as Record<string, unknown>;
  const out: Row = {
    trip_id: r.id,
    tenant_id: r.tenant_id,
    driver_id: r.driver_id,
    start_at: r.start_at,
    counted: r.counted,
  };
  for (const [col, type, key] of FEATURE_FIELDS) {
    out[col] = type === 'BOOLEAN' ? bool(f[key]) : type === 'INT32' ? int(f[key]) : num(f[key]);
  }
  const counts = (f.eventCounts ?? {}) as Record<string, unknown>;
  for (const k of EVENT_KINDS) out[`events_${k}`] = int(counts[k]) ?? 0;
  const mix = f.roadClassMix as Record<string, unknown> | null | undefined;
  for (const c of ROAD_CLASSES) out[`road_${c}_share`] = mix ? (num(mix[c]) ?? 0) : null;
  const ctx = (f.context ?? {}) as Record<string, unknown>;
  out.wet_share = num(ctx.wetShare);
  out.snow_share = num(ctx.snowShare);
  out.dark_share = num(ctx.darkShare);
  out.area_risk_exposure = num(ctx.areaRiskExposure);
  return out;
}

async function dayRows(q: Queryable, fromMs: number, tenantId: string | null) {
  const range = [new Date(fromMs), new Date(fromMs + DAY_MS), tenantId];
  const trips = await q.query<Row>(
    `SELECT id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s, mode, mode_confidence,
            status, counted, exclusion_reason, features,
            (SELECT count(*)::int FROM events e WHERE e.trip_id = t.id) AS event_count,
            coalesce(jsonb_array_length(trace->'tMs'), 0) AS trace_points,
            trace_coarsened_at IS NOT NULL AS trace_coarsened
       FROM trips t WHERE start_at >= $1 AND start_at < $2 AND ($3::text IS NULL OR tenant_id = $3)
      ORDER BY start_at, id`,
    range,
  );
  const events = await q.query<Row>(
    `SELECT id AS event_id, trip_id, tenant_id, device_id, driver_id, kind, details->>'source' AS source, severity,
            start_at, end_at, peak, details->>'peakUnit' AS peak_unit, lat, lon, speed_before_mps,
            speed_after_mps, voided
       FROM events WHERE start_at >= $1 AND start_at < $2 AND ($3::text IS NULL OR tenant_id = $3)
      ORDER BY start_at, id`,
    range,
  );
  return {
    trips: trips.rows.map((r) => ({
      ...r,
      trip_id: r.id,
      end_reason: (r.features as Record<string, unknown> | null)?.endReason ?? null,
    })),
    events: events.rows,
    trip_features: trips.rows.map(featureRow),
  };
}

function writeTable(dir: string, table: ExportTable, rows: Row[]): string | null {
  const partDir = dir;
  const file = join(partDir, 'part-0.parquet');
  if (rows.length === 0) {
    // A day that has nothing (any more) leaves no stale file behind.
    rmSync(partDir, { recursive: true, force: true });
    return null;
  }
  mkdirSync(partDir, { recursive: true });
  const cols: Column[] = columnsOf(EXPORT_TABLES[table]);
  const tmp = join(partDir, `.part-0.parquet.${process.pid}.tmp`);
  parquetWriteFile({ filename: tmp, ...rowsToColumns(cols, rows), createdBy: 'openubi export' });
  renameSync(tmp, file);
  return file;
}

export interface ExportOptions {
  sinceMs: number;
  /** Exclusive; default: the end of today (UTC). */
  untilMs?: number;
  outDir: string;
  tenantId?: string | null;
  onDay?: (day: string, counts: Record<ExportTable, number>) => void;
}

export interface ExportReport {
  days: number;
  rows: Record<ExportTable, number>;
  files: string[];
}

export const dayKey = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export async function exportAnalytics(q: Queryable, o: ExportOptions): Promise<ExportReport> {
  const first = Math.floor(o.sinceMs / DAY_MS) * DAY_MS;
  const until = o.untilMs ?? Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
  const report: ExportReport = { days: 0, rows: { trips: 0, events: 0, trip_features: 0 }, files: [] };
  for (let day = first; day < until; day += DAY_MS) {
    const rows = await dayRows(q, day, o.tenantId ?? null);
    const counts = { trips: 0, events: 0, trip_features: 0 } as Record<ExportTable, number>;
    for (const table of Object.keys(EXPORT_TABLES) as ExportTable[]) {
      const file = writeTable(join(o.outDir, table, `dt=${dayKey(day)}`), table, rows[table]);
      counts[table] = rows[table].length;
      report.rows[table] += rows[table].length;
      if (file) report.files.push(file);
    }
    report.days++;
    o.onDay?.(dayKey(day), counts);
  }
  return report;
}
