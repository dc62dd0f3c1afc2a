// Tenants and devices: registration issues a bearer credential, stored only as prefix + SHA-256.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db, Queryable } from './db.ts';

export type DeviceKind = 'phone' | 'teltonika' | 'osmand';

export interface DeviceRecord {
  id: string;
  tenantId: string;
  driverId: string | null;
  vehicleId: string | null;
  kind: DeviceKind;
  externalId: string | null;
}

export interface RegisteredDevice extends DeviceRecord {
  /** Shown once: only its hash is stored. */
  token: string;
}

const TOKEN_RE = /^oubi_([A-Za-z0-9]{12})\.([A-Za-z0-9_-]{43})$/;

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

export async function ensureTenant(q: Queryable, id: string, name: string): Promise<void> {
  await q.query('INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, name]);
}

export async function registerDevice(
  q: Queryable,
  input: {
    tenantId: string;
    kind: DeviceKind;
    id?: string;
    externalId?: string | null;
    driverId?: string | null;
    vehicleId?: string | null;
  },
): Promise<RegisteredDevice> {
  const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  const id = input.id ?? `${input.kind}-${randomBytes(6).toString('hex')}`;
  const externalId = input.externalId ?? null;
  await q.query(
    `INSERT INTO devices (id, tenant_id, driver_id, vehicle_id, kind, external_id, credential_prefix, credential_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      input.tenantId,
      input.driverId ?? null,
      input.vehicleId ?? null,
      input.kind,
      externalId,
      prefix,
      sha256(secret),
    ],
  );
  return {
    id,
    tenantId: input.tenantId,
    driverId: input.driverId ?? null,
    vehicleId: input.vehicleId ?? null,
    kind: input.kind,
    externalId,
    token: `oubi_${prefix}.${secret}`,
  };
}

interface DeviceRow {
  id: string;
  tenant_id: string;
  driver_id: string | null;
  vehicle_id: string | null;
  kind: DeviceKind;
  external_id: string | null;
  credential_hash: Buffer;
}

const toRecord = (r: DeviceRow): DeviceRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  driverId: r.driver_id,
  vehicleId: r.vehicle_id,
  kind: r.kind,
  externalId: r.external_id,
});

/** Verifies a bearer token; returns the device it belongs to, or null (unknown, revoked or wrong secret). */
export async function authenticateDevice(q: Queryable, token: string): Promise<DeviceRecord | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const { rows } = await q.query<DeviceRow>(
    `SELECT id, tenant_id, driver_id, vehicle_id, kind, external_id, credential_hash
       FROM devices WHERE credential_prefix = $1 AND revoked_at IS NULL`,
    [m[1]],
  );
  const row = rows[0];
  if (!row) return null;
  const given = sha256(m[2]!);
  return row.credential_hash.length === given.length && timingSafeEqual(row.credential_hash, given)
    ? toRecord(row)
    : null;
}

export async function findDeviceByExternalId(
  q: Queryable,
  kind: DeviceKind,
  externalId: string,
): Promise<DeviceRecord | null> {
  const { rows } = await q.query<DeviceRow>(
    `SELECT id, tenant_id, driver_id, vehicle_id, kind, external_id, credential_hash
       FROM devices WHERE kind = $1 AND external_id = $2 AND revoked_at IS NULL`,
    [kind, externalId],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function getDevice(q: Queryable, id: string): Promise<DeviceRecord | null> {
  const { rows } = await q.query<DeviceRow>(
    `SELECT id, tenant_id, driver_id, vehicle_id, kind, external_id, credential_hash FROM devices WHERE id = $1`,
    [id],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

/** A small cache in front of authenticateDevice: ingest authenticates every request. */
export function createDeviceAuthenticator(db: Db, ttlMs = 60_000, max = 50_000) {
  const cache = new Map<string, { device: DeviceRecord; until: number }>();
  return async (token: string): Promise<DeviceRecord | null> => {
    const hit = cache.get(token);
    const now = Date.now();
    if (hit && hit.until > now) return hit.device;
    const device = await authenticateDevice(db, token);
    if (device) {
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(token, { device, until: now + ttlMs });
    } else cache.delete(token);
    return device;
  };
}
