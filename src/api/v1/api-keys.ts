// Partner API keys: `oubi_pk_<prefix>.<secret>`, the prefix finds the row, only the secret's SHA-256 is stored.
import type { Db, Queryable } from '../../store/index.ts';
import { randomId, randomPrefix, randomSecret, secretMatches, sha256 } from './crypto.ts';
import type { Principal, Scope } from './types.ts';

const KEY_RE = /^oubi_pk_([A-Za-z0-9]{12})\.([A-Za-z0-9_-]{43})$/;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAtMs: number;
  expiresAtMs: number | null;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  secret_hash: Buffer;
  scopes: Scope[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const ms = (d: Date | null): number | null => (d ? d.getTime() : null);
const view = (r: KeyRow): ApiKeyView => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAtMs: r.created_at.getTime(),
  expiresAtMs: ms(r.expires_at),
  lastUsedAtMs: ms(r.last_used_at),
  revokedAtMs: ms(r.revoked_at),
});

export async function createApiKey(
  q: Queryable,
  input: { tenantId: string; name: string; scopes: Scope[]; expiresAtMs?: number | null; createdBy?: string },
): Promise<ApiKeyView & { key: string }> {
  const id = randomId('key');
  const prefix = randomPrefix();
  const secret = randomSecret();
  const { rows } = await q.query<KeyRow>(
    `INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      id,
      input.tenantId,
      input.name,
      prefix,
      sha256(secret),
      [...new Set(input.scopes)],
      input.createdBy ?? null,
      input.expiresAtMs ? new Date(input.expiresAtMs) : null,
    ],
  );
  return { ...view(rows[0]!), key: `oubi_pk_${prefix}.${secret}` };
}

/** The key's principal, or null when unknown, malformed, revoked, expired or the secret is wrong. */
export async function authenticateApiKey(
  q: Queryable,
  key: string,
  nowMs: number,
): Promise<Principal | null> {
  const m = KEY_RE.exec(key);
  if (!m) return null;
  const { rows } = await q.query<KeyRow>('SELECT * FROM api_keys WHERE prefix = $1', [m[1]]);
  const row = rows[0];
  if (!row || !secretMatches(row.secret_hash, m[2]!)) return null;
  if (row.revoked_at || (row.expires_at && row.expires_at.getTime() <= nowMs)) return null;
  // At most one write a minute per key: last-used is for humans, not an access log.
  await q.query(
    `UPDATE api_keys SET last_used_at = $2::timestamptz
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
    [row.id, new Date(nowMs)],
  );
  return { kind: 'api_key', id: row.id, tenantId: row.tenant_id, scopes: row.scopes };
}

export async function listApiKeys(q: Queryable, tenantId: string): Promise<ApiKeyView[]> {
  const { rows } = await q.query<KeyRow>(
    'SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id',
    [tenantId],
  );
  return rows.map(view);
}

export async function revokeApiKey(
  q: Queryable,
  tenantId: string,
  id: string,
  nowMs: number,
): Promise<ApiKeyView | null> {
  const { rows } = await q.query<KeyRow>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3) WHERE id = $1 AND tenant_id = $2 RETURNING *`,
    [id, tenantId, new Date(nowMs)],
  );
  return rows[0] ? view(rows[0]) : null;
}

/**
 * Replaces a key with a new one of the same name, scopes and expiry; the old one keeps working for `graceMs`
 * (0: stops at once) so a partner can deploy the new key without downtime.
 */
export async function rotateApiKey(
  db: Db,
  tenantId: string,
  id: string,
  nowMs: number,
  graceMs: number,
): Promise<(ApiKeyView & { key: string }) | null> {
  return db.tx(async (c) => {
    const { rows } = await c.query<KeyRow>(
      `SELECT * FROM api_keys WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL FOR UPDATE`,
      [id, tenantId],
    );
    const old = rows[0];
    if (!old || (old.expires_at && old.expires_at.getTime() <= nowMs)) return null;
    const until = nowMs + graceMs;
    await c.query(
      graceMs === 0
        ? 'UPDATE api_keys SET revoked_at = $2 WHERE id = $1'
        : 'UPDATE api_keys SET expires_at = least(coalesce(expires_at, $2), $2) WHERE id = $1',
      [id, new Date(until)],
    );
    return createApiKey(c, {
      tenantId,
      name: old.name,
      scopes: old.scopes,
      expiresAtMs: ms(old.expires_at),
    });
  });
}
