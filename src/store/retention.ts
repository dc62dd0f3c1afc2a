// Daily partitions of raw_batches: created ahead of time, dropped once older than the retention period.
import type { Db } from './db.ts';

const DAY_MS = 86_400_000;

function partName(dayMs: number): string {
  return `raw_batches_${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** Makes sure partitions exist from `daysBack` before today to `daysAhead` after it. */
export async function ensureRawPartitions(db: Db, nowMs: number, daysBack = 1, daysAhead = 3): Promise<void> {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  for (let d = -daysBack; d <= daysAhead; d++) {
    const from = today + d * DAY_MS;
    const name = partName(from);
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF raw_batches
         FOR VALUES FROM ('${new Date(from).toISOString()}') TO ('${new Date(from + DAY_MS).toISOString()}')`,
    );
  }
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
