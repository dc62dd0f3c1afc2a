// Two tenants with drivers, trips, events, users of every role and partner keys, created through the real API
// where one exists (users, keys) and as stored pipeline output otherwise (trips, events).
import { randomBytes } from 'node:crypto';
import type { V1TestApp } from '../src/api/v1/testing.ts';
import { createApiKey, ensureAdmin, SCOPES, type Scope } from '../src/api/v1/index.ts';
import { ensureTenant } from '../src/store/index.ts';

export const HOUR_MS = 3_600_000;

export interface Account {
  tenant: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export interface Seed {
  tenants: { a: string; b: string };
  drivers: { a1: string; a2: string; b1: string };
  trips: { a1: string; a2: string; b1: string };
  accounts: { adminA: Account; analystA: Account; driverA1: Account; driverA2: Account; adminB: Account };
  keys: Record<Scope, string> & { allB: string; expiredA: string; revokedA: string; tamperedA: string };
  /** Every secret handed out while seeding: none may ever show up in a log line. */
  secrets: string[];
}

export async function inject(
  t: V1TestApp,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  opts: { auth?: string | undefined; body?: unknown } = {},
) {
  const res = await t.app.inject({
    method,
    url,
    headers: opts.auth ? { authorization: opts.auth } : {},
    ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
  const text = res.body;
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.statusCode, headers: res.headers, body: json as Record<string, unknown>, text };
}

export async function login(t: V1TestApp, tenant: string, email: string, password: string) {
  const r = await inject(t, 'POST', '/v1/auth/login', { body: { tenant, email, password } });
  if (r.status !== 200) throw new Error(`login ${email} failed: ${r.status} ${r.text}`);
  return { accessToken: r.body.accessToken as string, refreshToken: r.body.refreshToken as string };
}

const pw = () => `pw-${randomBytes(12).toString('hex')}`;

async function insertDriver(t: V1TestApp, tenant: string, id: string) {
  await t.db.query(
    'INSERT INTO drivers (id, tenant_id, display_name, birth_year) VALUES ($1, $2, $3, 1980)',
    [id, tenant, `Driver ${id}`],
  );
}

/** A stored trip (as the worker writes them) with `events` events. */
export async function insertTrip(
  t: V1TestApp,
  tenant: string,
  driverId: string,
  startMs: number,
  events = 0,
): Promise<string> {
  const id = `trip-${randomBytes(6).toString('hex')}`;
  const trace = {
    tMs: [startMs, startMs + 1000],
    lat: [42.5, 42.5001],
    lon: [1.52, 1.5201],
    speedMps: [10, 11],
  };
  await t.db.query(
    `INSERT INTO trips (id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s, features, trace)
     VALUES ($1, $2, $3, $4, $5, $6, 1234.5, 600, '{"distanceM":1234.5}', $7)`,
    [id, tenant, `dev-${driverId}`, driverId, new Date(startMs), new Date(startMs + 600_000), trace],
  );
  for (let i = 0; i < events; i++) {
    await t.db.query(
      `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at, peak)
       VALUES ($1, $2, $3, $4, $5, 'harsh_braking', 'moderate', $6, $6, -4.2)`,
      [`${id}-e${i}`, id, tenant, `dev-${driverId}`, driverId, new Date(startMs + (i + 1) * 60_000)],
    );
  }
  return id;
}

export async function seed(t: V1TestApp): Promise<Seed> {
  const suffix = randomBytes(3).toString('hex');
  const tenants = { a: `ins-a-${suffix}`, b: `ins-b-${suffix}` };
  await ensureTenant(t.db, tenants.b, 'Insurer B');
  const drivers = { a1: `drv-a1-${suffix}`, a2: `drv-a2-${suffix}`, b1: `drv-b1-${suffix}` };
  const secrets: string[] = [];
  const adminAPw = pw();
  const adminBPw = pw();
  secrets.push(adminAPw, adminBPw);
  await ensureAdmin(t.db, { tenantId: tenants.a, email: 'admin@a.example', password: adminAPw });
  await ensureAdmin(t.db, { tenantId: tenants.b, email: 'admin@b.example', password: adminBPw });
  await insertDriver(t, tenants.a, drivers.a1);
  await insertDriver(t, tenants.a, drivers.a2);
  await insertDriver(t, tenants.b, drivers.b1);
  const t0 = t.clock.nowMs - 48 * HOUR_MS;
  const trips = {
    a1: await insertTrip(t, tenants.a, drivers.a1, t0, 2),
    a2: await insertTrip(t, tenants.a, drivers.a2, t0 + HOUR_MS, 1),
    b1: await insertTrip(t, tenants.b, drivers.b1, t0 + 2 * HOUR_MS, 1),
  };

  const adminATokens = await login(t, tenants.a, 'admin@a.example', adminAPw);
  const adminA: Account = {
    tenant: tenants.a,
    email: 'admin@a.example',
    password: adminAPw,
    ...adminATokens,
  };
  const adminB: Account = {
    tenant: tenants.b,
    email: 'admin@b.example',
    password: adminBPw,
    ...(await login(t, tenants.b, 'admin@b.example', adminBPw)),
  };
  const makeUser = async (email: string, role: string, driverId?: string): Promise<Account> => {
    const password = pw();
    secrets.push(password);
    const r = await inject(t, 'POST', '/v1/users', {
      auth: `Bearer ${adminA.accessToken}`,
      body: { email, password, role, ...(driverId ? { driverId } : {}) },
    });
    if (r.status !== 201) throw new Error(`create user ${email}: ${r.status} ${r.text}`);
    return { tenant: tenants.a, email, password, ...(await login(t, tenants.a, email, password)) };
  };
  const accounts = {
    adminA,
    adminB,
    analystA: await makeUser('analyst@a.example', 'analyst'),
    driverA1: await makeUser('d1@a.example', 'driver', drivers.a1),
    driverA2: await makeUser('d2@a.example', 'driver', drivers.a2),
  };
  for (const a of Object.values(accounts)) secrets.push(a.accessToken, a.refreshToken);

  const keyFor = async (tenantId: string, scopes: Scope[], expiresAtMs?: number) => {
    const k = await createApiKey(t.db, {
      tenantId,
      name: 'partner',
      scopes,
      expiresAtMs: expiresAtMs ?? null,
    });
    secrets.push(k.key, k.key.split('.')[1]!);
    return k;
  };
  const perScope = {} as Record<Scope, string>;
  for (const s of SCOPES) perScope[s] = (await keyFor(tenants.a, [s])).key;
  const revoked = await keyFor(tenants.a, [...SCOPES]);
  const rr = await inject(t, 'POST', `/v1/api-keys/${revoked.id}/revoke`, {
    auth: `Bearer ${adminA.accessToken}`,
  });
  if (rr.status !== 200) throw new Error(`revoke: ${rr.status} ${rr.text}`);
  const good = (await keyFor(tenants.a, [...SCOPES])).key;
  const keys = {
    ...perScope,
    allB: (await keyFor(tenants.b, [...SCOPES])).key,
    expiredA: (await keyFor(tenants.a, [...SCOPES], t.clock.nowMs - 1000)).key,
    revokedA: revoked.key,
    // The right prefix with another secret.
    tamperedA: `${good.split('.')[0]}.${randomBytes(32).toString('base64url')}`,
  };
  return { tenants, drivers, trips, accounts, keys, secrets };
}
