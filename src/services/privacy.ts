// A driver's consents, and their data exported or erased. Personal data is found through the catalog — every
// table with a driver_id, device_id or user_id column (plus the bus tables keyed by device) — so tables added
// later are covered without changes here.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.ts';

export const CONSENT_PURPOSES = ['telematics_scoring', 'marketing', 'leaderboard', 'research'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export interface Consent {
  purpose: ConsentPurpose;
  granted: boolean;
  /** null: never answered (not granted). */
  updatedAtMs: number | null;
}

export async function getConsents(q: Queryable, driverId: string): Promise<Consent[]> {
  const { rows } = await q.query<{ purpose: ConsentPurpose; granted: boolean; updated_at: Date }>(
    'SELECT purpose, granted, updated_at FROM consents WHERE driver_id = $1',
    [driverId],
  );
  return CONSENT_PURPOSES.map((purpose) => {
    const r = rows.find((x) => x.purpose === purpose);
    return { purpose, granted: r?.granted ?? false, updatedAtMs: r ? r.updated_at.getTime() : null };
  });
}

export async function setConsents(
  q: Queryable,
  tenantId: string,
  driverId: string,
  changes: Partial<Record<ConsentPurpose, boolean>>,
): Promise<Consent[]> {
  const entries = Object.entries(changes) as Array<[ConsentPurpose, boolean]>;
  await q.query(
    `INSERT INTO consents (driver_id, purpose, tenant_id, granted)
     SELECT $1, p, $2, g FROM unnest($3::text[], $4::boolean[]) AS c(p, g)
     ON CONFLICT (driver_id, purpose) DO UPDATE SET granted = EXCLUDED.granted, updated_at = now()
       WHERE consents.granted IS DISTINCT FROM EXCLUDED.granted`,
    [driverId, tenantId, entries.map((e) => e[0]), entries.map((e) => e[1])],
  );
  return getConsents(q, driverId);
}

/** Whether the driver has given consent for this purpose (no answer: no). */
export async function hasConsent(q: Queryable, driverId: string, purpose: ConsentPurpose): Promise<boolean> {
  const { rows } = await q.query<{ granted: boolean }>(
    'SELECT granted FROM consents WHERE driver_id = $1 AND purpose = $2',
    [driverId, purpose],
  );
  return rows[0]?.granted ?? false;
}

// ---- where personal data lives ----

export type Owner = 'driver' | 'device' | 'user';
export interface PersonalColumn {
  table: string;
  column: string;
  owner: Owner;
}

/** Transport tables keyed by device id in a column whose name does not say so. */
const DEVICE_KEYED: PersonalColumn[] = [
  { table: 'bus_log', column: 'key', owner: 'device' },
  { table: 'dead_letters', column: 'key', owner: 'device' },
];

/** Every column naming a driver, device or user in an ordinary (non-partition) table of this schema. */
export async function personalColumns(q: Queryable): Promise<PersonalColumn[]> {
  const { rows } = await q.query<{ table: string; column: string }>(
    `SELECT c.table_name AS table, c.column_name AS column
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = c.table_schema)
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND NOT k.relispartition
        AND c.column_name IN ('driver_id', 'device_id', 'user_id')
      ORDER BY 1, 2`,
  );
  const found = rows.map((r) => ({
    table: r.table,
    column: r.column,
    owner: r.column.slice(0, -3) as Owner,
  }));
  const tables = new Set(rows.map((r) => r.table));
  const { rows: extra } = await q.query<{ name: string }>(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)',
    [DEVICE_KEYED.map((d) => d.table)],
  );
  const present = new Set(extra.map((r) => r.name));
  return [...found, ...DEVICE_KEYED.filter((d) => present.has(d.table) && !tables.has(d.table))];
}

export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

interface Subjects {
  driverId: string;
  devices: string[];
  users: string[];
}

async function subjectsOf(
  q: Queryable,
  tenantId: string,
  driverId: string,
  lock: boolean,
): Promise<Subjects | null> {
  const d = await q.query(
    `SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [driverId, tenantId],
  );
  if (!d.rowCount) return null;
  const devices = await q.query<{ id: string }>('SELECT id FROM devices WHERE driver_id = $1', [driverId]);
  const users = await q.query<{ id: string }>('SELECT id FROM users WHERE driver_id = $1', [driverId]);
  return { driverId, devices: devices.rows.map((r) => r.id), users: users.rows.map((r) => r.id) };
}

/** The WHERE clause selecting a table's rows of these subjects, with its parameters. */
function whereFor(cols: PersonalColumn[], s: Subjects): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts = cols.map((c) => {
    const v = c.owner === 'driver' ? s.driverId : c.owner === 'device' ? s.devices : s.users;
    params.push(v);
    return c.owner === 'driver'
      ? `${ident(c.column)} = $${params.length}`
      : `${ident(c.column)} = ANY($${params.length})`;
  });
  return { sql: parts.join(' OR '), params };
}

const byTable = (cols: PersonalColumn[]): Map<string, PersonalColumn[]> => {
  const m = new Map<string, PersonalColumn[]>();
  for (const c of cols) m.set(c.table, [...(m.get(c.table) ?? []), c]);
  return m;
};

// Credentials are never exported, not even hashed; binary payloads are summarised by size.
const SECRET_COLUMN = /(hash|secret|token|credential|password)/i;
/** Raw sensor batches and bus payloads are summarised per device, not exported byte by byte. */
const SUMMARISED = new Set(['raw_batches', 'bus_log', 'dead_letters']);

function exportable(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (SECRET_COLUMN.test(k)) continue;
    out[k] = Buffer.isBuffer(v) ? { bytes: v.length } : v;
  }
  return out;
}

export interface DriverExport {
  driverId: string;
  exportedAtMs: number;
  driver: Record<string, unknown>;
  /** Every row naming the driver, one of their devices or users, per table (credentials left out). */
  tables: Record<string, Array<Record<string, unknown>>>;
  /** Raw sensor batches (and bus transport copies), summarised per device and table. */
  rawData: Array<{ table: string; deviceId: string; batches: number; bytes: number }>;
  /** Staff and partner access to this driver's data, from the audit log. */
  accessLog: Array<Record<string, unknown>>;
}

/** Run it in a REPEATABLE READ transaction for a consistent copy. */
export async function exportDriverData(
  q: Queryable,
  tenantId: string,
  driverId: string,
  nowMs: number,
): Promise<DriverExport | null> {
  const s = await subjectsOf(q, tenantId, driverId, false);
  if (!s) return null;
  const driver = (await q.query('SELECT * FROM drivers WHERE id = $1', [driverId])).rows[0]!;
  const tables: DriverExport['tables'] = {};
  const rawData: DriverExport['rawData'] = [];
  for (const [table, cols] of byTable(await personalColumns(q))) {
    const w = whereFor(cols, s);
    if (SUMMARISED.has(table)) {
      const col = ident(cols.find((c) => c.owner === 'device')?.column ?? 'device_id');
      const { rows } = await q.query<{ device: string; n: number; bytes: number }>(
        `SELECT ${col} AS device, count(*)::int AS n, coalesce(sum(octet_length(payload)), 0)::bigint AS bytes
           FROM ${ident(table)} WHERE ${w.sql} GROUP BY 1 ORDER BY 1`,
        w.params,
      );
      for (const r of rows) rawData.push({ table, deviceId: r.device, batches: r.n, bytes: Number(r.bytes) });
      continue;
    }
    const { rows } = await q.query(`SELECT * FROM ${ident(table)} WHERE ${w.sql}`, w.params);
    if (rows.length) tables[table] = rows.map(exportable);
  }
  const { rows: access } = await q.query(
    `SELECT at, actor_kind, actor_id, action, subject_type, subject_id FROM audit_log
      WHERE tenant_id = $1 AND subject_type = 'driver' AND subject_id = $2 ORDER BY at`,
    [tenantId, driverId],
  );
  return { driverId, exportedAtMs: nowMs, driver: exportable(driver), tables, rawData, accessLog: access };
}

export interface ErasureReceipt {
  erasureId: string;
  /** Rows deleted per table. */
  rows: Record<string, number>;
}

/**
 * Deletes the driver and every row naming them, their devices or their users, in the caller's transaction:
 * devices are deleted (their tokens stop working with them), audit rows keep what happened under a random
 * erasure id instead of the ids, and one audit row records the erasure without personal data.
 */
export async function eraseDriver(
  q: Queryable,
  tenantId: string,
  driverId: string,
  actor: { kind: 'user' | 'api_key'; id: string },
  requestId: string | null,
): Promise<ErasureReceipt | null> {
  const s = await subjectsOf(q, tenantId, driverId, true);
  if (!s) return null;
  const erasureId = `erased_${randomBytes(8).toString('hex')}`;
  const pending = [...byTable(await personalColumns(q))].map(([table, cols]) => ({
    table,
    ...whereFor(cols, s),
  }));
  pending.push({ table: 'drivers', sql: 'id = $1', params: [driverId] });
  const rows: Record<string, number> = {};
  // Foreign keys between these tables decide the order; rather than model them, retry what they refused.
  for (let pass = 0; pending.length > 0; pass++) {
    const refused: typeof pending = [];
    for (const p of pending) {
      await q.query('SAVEPOINT erase_one');
      try {
        const r = await q.query(`DELETE FROM ${ident(p.table)} WHERE ${p.sql}`, p.params);
        await q.query('RELEASE SAVEPOINT erase_one');
        rows[p.table] = (rows[p.table] ?? 0) + (r.rowCount ?? 0);
      } catch (e) {
        await q.query('ROLLBACK TO SAVEPOINT erase_one');
        if ((e as { code?: string }).code !== '23503' || pass > 20) throw e;
        refused.push(p);
      }
    }
    if (refused.length === pending.length)
      throw new Error(`erasure blocked by foreign keys: ${refused.map((r) => r.table)}`);
    pending.splice(0, pending.length, ...refused);
  }
  const ids = [driverId, ...s.devices, ...s.users];
  await q.query(
    `UPDATE audit_log SET subject_id = CASE WHEN subject_id = ANY($1) THEN $2 ELSE subject_id END,
                          actor_id = CASE WHEN actor_id = ANY($1) THEN $2 ELSE actor_id END
      WHERE tenant_id = $3 AND (subject_id = ANY($1) OR actor_id = ANY($1))`,
    [ids, erasureId, tenantId],
  );
  const selfErasure = actor.kind === 'user' && s.users.includes(actor.id);
  await q.query(
    `INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, subject_type, subject_id, request_id, details)
     VALUES ($1, $2, $3, 'driver.erase', 'driver', $4, $5, $6)`,
    [
      tenantId,
      actor.kind,
      selfErasure ? erasureId : actor.id,
      erasureId,
      requestId,
      JSON.stringify({ rows }),
    ],
  );
  return { erasureId, rows };
}
