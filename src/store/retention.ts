// Daily partitions of raw_batches: created ahead of time, dropped once older than the retention period.
import type { Db } from './db.ts';

const DAY_MS = 86_400_000;
const PARTITION_LOCK_KEY = 727_002;

function partName(dayMs: number): string {
  return `raw_batches_${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** Makes sure partitions exist from `daysBack` before today to `daysAhead` after it. */
export async function ensureRawPartitions(db: Db, nowMs: number, daysBack = 1, daysAhead = 3): Promise<void> {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  // IF NOT EXISTS is not safe against a concurrent CREATE: processes starting at once (several workers and
  // gateways) take turns under a transaction-level advisory lock.
  await db.tx(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
    for (let d = -daysBack; d <= daysAhead; d++) {
      const from = today + d * DAY_MS;
      const name = partName(from);
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF raw_batches
           FOR VALUES FROM ('${new Date(from).toISOString()}') TO ('${new Date(from + DAY_MS).toISOString()}')`,
      );
    }
  });
}

/** Drops raw partitions entirely older than the retention period; returns the dropped names. */
export async function dropExpiredRawPartitions(
  db: Db,
  nowMs: number,
  retentionDays: number,
): Promise<string[]> {
  const cutoff = Math.floor(nowMs / DAY_MS) * DAY_MS - retentionDays * DAY_MS;
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'raw_batches'`,
  );
  const dropped: string[] = [];
  for (const { name } of rows) {
    const m = /^raw_batches_(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!m) continue;
    const dayMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (dayMs + DAY_MS <= cutoff) {
      await db.query(`DROP TABLE IF EXISTS ${name}`);
      dropped.push(name);
    }
  }
  // The idempotency record only needs to outlive the longest a device may resend.
  await db.query('DELETE FROM processed_batches WHERE processed_at < $1', [new Date(cutoff)]);
  return dropped;
}

/** A stored 1 Hz trace (the pipeline's TracePoints as JSON). */
export interface StoredTrace {
  tMs: number[];
  lat: number[];
  lon: number[];
  speedMps: number[];
  headingDeg: (number | null)[];
}

export interface CoarsenOptions {
  /** Keep one point in this many (plus the last). */
  everyNth?: number;
  /** Decimal places kept (3 ≈ 110 m of latitude, ~80 m of longitude at 45°). */
  decimals?: number;
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

/** Every Nth point and the last, coordinates rounded: the shape of the trip stays, the precise path does not. */
export function coarsenTrace(trace: StoredTrace, o: CoarsenOptions = {}): StoredTrace {
  const n = o.everyNth ?? 30;
  const d = o.decimals ?? 3;
  const len = trace.tMs.length;
  const keep: number[] = [];
  for (let i = 0; i < len; i += n) keep.push(i);
  if (len > 0 && keep[keep.length - 1] !== len - 1) keep.push(len - 1);
  const pick = <T>(xs: T[] | undefined): T[] => keep.map((i) => xs?.[i] as T);
  return {
    tMs: pick(trace.tMs),
    lat: pick(trace.lat).map((x) => round(x, d)),
    lon: pick(trace.lon).map((x) => round(x, d)),
    speedMps: pick(trace.speedMps).map((x) => (x === null || x === undefined ? x : round(x, 1))),
    headingDeg: pick(trace.headingDeg).map((x) => (x === null || x === undefined ? null : Math.round(x))),
  };
}

/**
 * Coarsens the traces of trips that ended more than retentionDays ago, a chunk at a time (SKIP LOCKED, so two
 * platforms running maintenance at once share the work). Returns how many traces were coarsened.
 */
export async function coarsenOldTraces(
  db: Db,
  nowMs: number,
  retentionDays: number,
  o: CoarsenOptions & { chunk?: number } = {},
): Promise<number> {
  const cutoff = new Date(nowMs - retentionDays * DAY_MS);
  let total = 0;
  for (;;) {
    const n = await db.tx(async (c) => {
      const { rows } = await c.query<{ id: string; trace: StoredTrace }>(
        `SELECT id, trace FROM trips WHERE trace_coarsened_at IS NULL AND end_at < $1
          ORDER BY end_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [cutoff, o.chunk ?? 500],
      );
      if (rows.length === 0) return 0;
      await c.query(
        `UPDATE trips t SET trace = u.trace, trace_coarsened_at = now()
           FROM unnest($1::text[], $2::jsonb[]) AS u(id, trace) WHERE t.id = u.id`,
        [rows.map((r) => r.id), rows.map((r) => JSON.stringify(coarsenTrace(r.trace, o)))],
      );
      return rows.length;
    });
    total += n;
    if (n === 0) return total;
  }
}

/**
 * Rounds the coordinates already stored (events and precise traces) to `decimals` places: for when
 * LOCATION_PRECISION_DECIMALS is introduced on a database that holds full-precision data. Idempotent.
 */
export async function reduceStoredPrecision(
  db: Db,
  decimals: number,
): Promise<{ events: number; trips: number }> {
  const ev = await db.query(
    `UPDATE events SET lat = round(lat::numeric, $1)::float8, lon = round(lon::numeric, $1)::float8
      WHERE lat IS NOT NULL AND (lat <> round(lat::numeric, $1)::float8 OR lon <> round(lon::numeric, $1)::float8)`,
    [decimals],
  );
  let trips = 0;
  for (let after = ''; ; ) {
    const n = await db.tx(async (c) => {
      const { rows } = await c.query<{ id: string; trace: StoredTrace }>(
        'SELECT id, trace FROM trips WHERE id > $1 ORDER BY id LIMIT 500 FOR UPDATE',
        [after],
      );
      if (rows.length === 0) return 0;
      after = rows[rows.length - 1]!.id;
      const changed = rows.filter((r) =>
        [...(r.trace.lat ?? []), ...(r.trace.lon ?? [])].some((x) => round(x, decimals) !== x),
      );
      if (changed.length > 0) {
        await c.query(
          `UPDATE trips t SET trace = u.trace FROM unnest($1::text[], $2::jsonb[]) AS u(id, trace) WHERE t.id = u.id`,
          [
            changed.map((r) => r.id),
            changed.map((r) =>
              JSON.stringify({
                ...r.trace,
                lat: r.trace.lat.map((x) => round(x, decimals)),
                lon: r.trace.lon.map((x) => round(x, decimals)),
              }),
            ),
          ],
        );
      }
      trips += changed.length;
      return rows.length;
    });
    if (n === 0) return { events: ev.rowCount ?? 0, trips };
  }
}

export interface RetentionPolicy {
  rawRetentionDays: number;
  traceRetentionDays: number;
}

export interface RetentionReport {
  rawPartitionsDropped: string[];
  tracesCoarsened: number;
}

/** The retention jobs the platform runs hourly (and `openubi retention run` on demand). */
export async function runRetention(db: Db, nowMs: number, p: RetentionPolicy): Promise<RetentionReport> {
  await ensureRawPartitions(db, nowMs);
  const rawPartitionsDropped = await dropExpiredRawPartitions(db, nowMs, p.rawRetentionDays);
  const tracesCoarsened = await coarsenOldTraces(db, nowMs, p.traceRetentionDays);
  return { rawPartitionsDropped, tracesCoarsened };
}
