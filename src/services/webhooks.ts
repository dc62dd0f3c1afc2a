// Webhook endpoints of a tenant and their delivery log. Secrets are encrypted at rest (AES-256-GCM, the endpoint
// id as associated data so a ciphertext cannot be moved to another row) and shown once; deliveries are signed
// `t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. The dispatcher is in webhook-dispatcher.ts.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db, Queryable } from '../store/index.ts';
import { settingOrCreate } from '../store/index.ts';
import { type DomainEventType, EVENT_TYPES } from './events.ts';

export { EVENT_TYPES };

// ---- secrets at rest ----

const VERSION = 1;

/** The 32-byte key: WEBHOOK_SECRET_KEY (base64) when configured, else generated once and kept in settings. */
const keys = new WeakMap<object, Promise<Buffer>>();
export function webhookKey(db: Db, configured: string | null): Promise<Buffer> {
  if (configured) return Promise.resolve(parseKey(configured));
  let k = keys.get(db.pool);
  if (!k) {
    k = settingOrCreate(db, 'webhook_secret_key', () => randomBytes(32).toString('base64')).then(parseKey);
    keys.set(db.pool, k);
  }
  return k;
}

export function parseKey(b64: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32) throw new Error('the webhook secret key must be 32 bytes, base64-encoded');
  return key;
}

export function encryptSecret(key: Buffer, secret: string, aad: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), body]);
}

export function decryptSecret(key: Buffer, blob: Buffer, aad: string): string {
  if (blob[0] !== VERSION) throw new Error('unknown webhook secret format');
  const d = createDecipheriv('aes-256-gcm', key, blob.subarray(1, 13));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(blob.subarray(13, 29));
  return Buffer.concat([d.update(blob.subarray(29)), d.final()]).toString('utf8');
}

// ---- signatures ----

export const SIGNATURE_HEADER = 'x-openubi-signature';

export function signWebhook(secret: string, body: string, tS: number): string {
  return `t=${tS},v1=${createHmac('sha256', secret).update(`${tS}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): the signature matches and its timestamp is within `toleranceS` of now. */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  nowS: number,
  toleranceS = 300,
): boolean {
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || !v1 || Math.abs(nowS - t) > toleranceS) return false;
  const want = Buffer.from(signWebhook(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === want.length && timingSafeEqual(given, want);
}

// ---- endpoints ----

export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: DomainEventType[];
  enabled: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  event_types: DomainEventType[];
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const endpointView = (r: EndpointRow): EndpointView => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  enabled: r.enabled,
  createdAtMs: r.created_at.getTime(),
  updatedAtMs: r.updated_at.getTime(),
});

const ENDPOINT_COLS = 'id, tenant_id, url, description, event_types, enabled, created_at, updated_at';
const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** A URL partners can receive on: http(s) only; the error names the problem. */
export function checkUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'url: not a valid absolute URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'url: must be http:// or https://';
  return null;
}

export async function createEndpoint(
  q: Queryable,
  key: Buffer,
  input: {
    tenantId: string;
    url: string;
    eventTypes: DomainEventType[];
    description?: string | null;
    createdBy?: string | null;
  },
): Promise<EndpointView & { secret: string }> {
  const id = `whk_${randomBytes(10).toString('hex')}`;
  const secret = newSecret();
  const { rows } = await q.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, secret_enc, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ENDPOINT_COLS}`,
    [
      id,
      input.tenantId,
      input.url,
      input.description ?? null,
      [...new Set(input.eventTypes)],
      encryptSecret(key, secret, id),
      input.createdBy ?? null,
    ],
  );
  return { ...endpointView(rows[0]!), secret };
}

export async function listEndpoints(q: Queryable, tenantId: string): Promise<EndpointView[]> {
  const { rows } = await q.query<EndpointRow>(
    `SELECT ${ENDPOINT_COLS} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id`,
    [tenantId],
  );
  return rows.map(endpointView);
}

export async function getEndpoint(q: Queryable, tenantId: string, id: string): Promise<EndpointView | null> {
  const { rows } = await q.query<EndpointRow>(
    `SELECT ${ENDPOINT_COLS} FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2`,
    [id, tenantId],
  );
  return rows[0] ? endpointView(rows[0]) : null;
}

export interface EndpointPatch {
  url?: string;
  description?: string | null;
  eventTypes?: DomainEventType[];
  enabled?: boolean;
  /** Issues a new secret (returned once); the old one stops signing at once. */
  rotateSecret?: boolean;
}

export async function updateEndpoint(
  q: Queryable,
  key: Buffer,
  tenantId: string,
  id: string,
  p: EndpointPatch,
): Promise<(EndpointView & { secret?: string }) | null> {
  const secret = p.rotateSecret ? newSecret() : null;
  const { rows } = await q.query<EndpointRow>(
    `UPDATE webhook_endpoints SET
        url = coalesce($3, url),
        description = CASE WHEN $4::boolean THEN $5 ELSE description END,
        event_types = coalesce($6, event_types),
        enabled = coalesce($7, enabled),
        secret_enc = coalesce($8, secret_enc),
        updated_at = now()
      WHERE id = $1 AND tenant_id = $2 RETURNING ${ENDPOINT_COLS}`,
    [
      id,
      tenantId,
      p.url ?? null,
      p.description !== undefined,
      p.description ?? null,
      p.eventTypes ? [...new Set(p.eventTypes)] : null,
      p.enabled ?? null,
      secret ? encryptSecret(key, secret, id) : null,
    ],
  );
  if (!rows[0]) return null;
  return secret ? { ...endpointView(rows[0]), secret } : endpointView(rows[0]);
}

export async function deleteEndpoint(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  const r = await q.query('DELETE FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
  return (r.rowCount ?? 0) > 0;
}

// ---- the delivery log ----

export interface AttemptView {
  attempt: number;
  atMs: number;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  replayOf: string | null;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: AttemptView[];
  nextAttemptAtMs: number | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAtMs: number | null;
  createdAtMs: number;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  replay_of: string | null;
  status: DeliveryView['status'];
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

const DELIVERY_COLS =
  'id, endpoint_id, event_id, event_type, replay_of, status, next_attempt_at, last_status, last_error, delivered_at, created_at';

async function withAttempts(q: Queryable, rows: DeliveryRow[]): Promise<DeliveryView[]> {
  const { rows: attempts } = await q.query<{
    delivery_id: string;
    attempt: number;
    at: Date;
    status: number | null;
    error: string | null;
    duration_ms: number;
  }>('SELECT * FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt', [
    rows.map((r) => r.id),
  ]);
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    replayOf: r.replay_of,
    status: r.status,
    attempts: attempts
      .filter((a) => a.delivery_id === r.id)
      .map((a) => ({
        attempt: a.attempt,
        atMs: a.at.getTime(),
        status: a.status,
        error: a.error,
        durationMs: a.duration_ms,
      })),
    nextAttemptAtMs: r.status === 'pending' ? r.next_attempt_at.getTime() : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    deliveredAtMs: r.delivered_at ? r.delivered_at.getTime() : null,
    createdAtMs: r.created_at.getTime(),
  }));
}

/** An endpoint's deliveries, newest first, after a (createdAtMs, id) keyset cursor. */
export async function listDeliveries(
  q: Queryable,
  tenantId: string,
  endpointId: string,
  opts: { limit: number; before: [number, string] | null; status?: DeliveryView['status'] },
): Promise<DeliveryView[]> {
  const { rows } = await q.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLS} FROM webhook_deliveries
      WHERE endpoint_id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR status = $3)
        AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::text))
      ORDER BY created_at DESC, id DESC LIMIT $6`,
    [
      endpointId,
      tenantId,
      opts.status ?? null,
      opts.before ? new Date(opts.before[0]) : null,
      opts.before?.[1] ?? null,
      opts.limit,
    ],
  );
  return withAttempts(q, rows);
}

export type ReplayOutcome =
  | { ok: true; delivery: DeliveryView }
  | { ok: false; code: 'not_found' | 'event_gone' | 'endpoint_disabled' };

/** Sends a delivery's event again, as a new delivery (the log keeps both). */
export async function replayDelivery(q: Queryable, tenantId: string, id: string): Promise<ReplayOutcome> {
  const { rows } = await q.query<
    DeliveryRow & { enabled: boolean; event_exists: boolean; driver_id: string }
  >(
    `SELECT d.*, e.enabled, EXISTS (SELECT 1 FROM domain_events ev WHERE ev.id = d.event_id) AS event_exists
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.id = $1 AND d.tenant_id = $2`,
    [id, tenantId],
  );
  const d = rows[0];
  if (!d) return { ok: false, code: 'not_found' };
  if (!d.event_exists) return { ok: false, code: 'event_gone' };
  if (!d.enabled) return { ok: false, code: 'endpoint_disabled' };
  const { rows: created } = await q.query<DeliveryRow>(
    `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, driver_id, replay_of)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${DELIVERY_COLS}`,
    [
      `dlv_${randomBytes(10).toString('hex')}`,
      tenantId,
      d.endpoint_id,
      d.event_id,
      d.event_type,
      d.driver_id,
      d.id,
    ],
  );
  const [view] = await withAttempts(q, created);
  return { ok: true, delivery: view! };
}
