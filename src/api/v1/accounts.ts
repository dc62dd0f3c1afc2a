// Users, password login with lockout, and rotating refresh tokens with reuse detection.
import { ensureTenant, type Queryable } from '../../store/index.ts';
import type { Db } from '../../store/index.ts';
import {
  burnPasswordCheck,
  hashPassword,
  randomId,
  randomSecret,
  type Role,
  sha256,
  signAccessToken,
  verifyPassword,
} from './crypto.ts';
import { ApiError, badRequest, conflict, isUniqueViolation, notFound, unauthorized } from './errors.ts';
import { writeAudit } from './audit.ts';
import type { Settings } from './types.ts';

export const MIN_PASSWORD_LENGTH = 10;

export interface UserView {
  id: string;
  tenantId: string;
  email: string;
  role: Role;
  driverId: string | null;
}

interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  role: Role;
  driver_id: string | null;
  password_hash: string;
  locked_until: Date | null;
}

const view = (r: UserRow): UserView => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  role: r.role,
  driverId: r.driver_id,
});

export async function createUser(
  q: Queryable,
  input: { tenantId: string; email: string; password: string; role: Role; driverId?: string | null },
): Promise<UserView> {
  const driverId = input.driverId ?? null;
  if (input.password.length < MIN_PASSWORD_LENGTH)
    throw badRequest(`password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (input.role === 'driver' && !driverId) throw badRequest('driverId: a driver user needs its driver');
  if (input.role !== 'driver' && driverId) throw badRequest('driverId: only driver users have a driver');
  if (driverId) {
    const d = await q.query('SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2', [
      driverId,
      input.tenantId,
    ]);
    if (d.rowCount === 0) throw notFound(`driver ${driverId}`);
  }
  const id = randomId('usr');
  const email = input.email.trim().toLowerCase();
  try {
    await q.query(
      `INSERT INTO users (id, tenant_id, email, role, driver_id, password_hash) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, input.tenantId, email, input.role, driverId, await hashPassword(input.password)],
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`a user with email ${email} already exists in this tenant`);
    throw e;
  }
  return { id, tenantId: input.tenantId, email, role: input.role, driverId };
}

/** First-run bootstrap: makes sure the tenant has this admin; never changes an existing user's password. */
export async function ensureAdmin(
  db: Db,
  input: { tenantId: string; email: string; password: string },
): Promise<{ created: boolean; user: UserView }> {
  await ensureTenant(db, input.tenantId, input.tenantId);
  const email = input.email.trim().toLowerCase();
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE tenant_id = $1 AND email = $2', [
    input.tenantId,
    email,
  ]);
  if (rows[0]) return { created: false, user: view(rows[0]) };
  const user = await createUser(db, { ...input, email, role: 'admin' });
  await writeAudit(db, {
    tenantId: input.tenantId,
    actorKind: 'system',
    actorId: null,
    action: 'user.create',
    subjectType: 'user',
    subjectId: user.id,
  });
  return { created: true, user };
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresInS: number;
  refreshToken: string;
}

/** Issues an access token and a refresh token of `familyId` (a new family at login). */
async function issueTokens(q: Queryable, s: Settings, u: UserView, familyId: string): Promise<TokenPair> {
  const nowMs = s.now();
  const iat = Math.floor(nowMs / 1000);
  const accessToken = signAccessToken(s.jwtSecret, {
    sub: u.id,
    tid: u.tenantId,
    role: u.role,
    did: u.driverId,
    iat,
    exp: iat + Math.floor(s.accessTtlMs / 1000),
  });
  const id = randomId('rt');
  const refreshToken = `oubi_rt_${randomSecret()}`;
  await q.query(
    `INSERT INTO refresh_tokens (id, user_id, tenant_id, family_id, token_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, u.id, u.tenantId, familyId, sha256(refreshToken), new Date(nowMs), new Date(nowMs + s.refreshTtlMs)],
  );
  return { accessToken, tokenType: 'Bearer', expiresInS: Math.floor(s.accessTtlMs / 1000), refreshToken };
}

const INVALID_LOGIN = 'invalid tenant, email or password';

export async function login(
  s: Settings,
  input: { tenant: string; email: string; password: string },
  requestId: string,
): Promise<TokenPair> {
  const email = input.email.trim().toLowerCase();
  const { rows } = await s.db.query<UserRow>('SELECT * FROM users WHERE tenant_id = $1 AND email = $2', [
    input.tenant,
    email,
  ]);
  const row = rows[0];
  if (!row) {
    await burnPasswordCheck(input.password);
    throw unauthorized(INVALID_LOGIN);
  }
  const now = new Date(s.now());
  const audit = (action: string) =>
    writeAudit(s.db, {
      tenantId: row.tenant_id,
      actorKind: 'user',
      actorId: row.id,
      action,
      subjectType: 'user',
      subjectId: row.id,
      requestId,
    });
  if (row.locked_until && row.locked_until > now) {
    await audit('auth.login_locked');
    throw new ApiError(423, 'account_locked', 'too many failed logins; the account is locked for a while');
  }
  if (!(await verifyPassword(input.password, row.password_hash))) {
    // One atomic update: concurrent guesses cannot slip past the limit.
    const r = await s.db.query<{ locked: boolean }>(
      `UPDATE users SET failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
                        locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE locked_until END
        WHERE id = $1 RETURNING (locked_until IS NOT NULL AND locked_until > $4) AS locked`,
      [row.id, s.maxFailedLogins, new Date(now.getTime() + s.lockoutMs), now],
    );
    await audit(r.rows[0]?.locked ? 'auth.lockout' : 'auth.login_failed');
    throw unauthorized(INVALID_LOGIN);
  }
  await s.db.query('UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1', [row.id]);
  await audit('auth.login');
  return issueTokens(s.db, s, view(row), randomId('fam'));
}

interface RefreshRow {
  id: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  user_id: string;
}

type RefreshOutcome = { ok: true; tokens: TokenPair } | { ok: false; reuse: RefreshRow | null };

/** Rotates a refresh token; a used or revoked one revokes its whole family (someone holds a stolen copy). */
export async function refresh(s: Settings, token: string, requestId: string): Promise<TokenPair> {
  const now = new Date(s.now());
  const out = await s.db.tx<RefreshOutcome>(async (c) => {
    const { rows } = await c.query<RefreshRow>(
      'SELECT * FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
      [sha256(token)],
    );
    const rt = rows[0];
    if (!rt) return { ok: false, reuse: null };
    if (rt.used_at || rt.revoked_at) {
      await c.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [
        rt.family_id,
        now,
      ]);
      return { ok: false, reuse: rt.used_at ? rt : null };
    }
    if (rt.expires_at <= now) return { ok: false, reuse: null };
    const u = await c.query<UserRow>('SELECT * FROM users WHERE id = $1', [rt.user_id]);
    if (!u.rows[0]) return { ok: false, reuse: null };
    await c.query('UPDATE refresh_tokens SET used_at = $2 WHERE id = $1', [rt.id, now]);
    return { ok: true, tokens: await issueTokens(c, s, view(u.rows[0]), rt.family_id) };
  });
  if (out.ok) return out.tokens;
  if (out.reuse) {
    const { rows } = await s.db.query<{ tenant_id: string }>('SELECT tenant_id FROM users WHERE id = $1', [
      out.reuse.user_id,
    ]);
    await writeAudit(s.db, {
      tenantId: rows[0]?.tenant_id ?? 'unknown',
      actorKind: 'user',
      actorId: out.reuse.user_id,
      action: 'auth.refresh_reuse',
      subjectType: 'refresh_family',
      subjectId: out.reuse.family_id,
      requestId,
    });
  }
  throw unauthorized('invalid, expired or revoked refresh token; log in again');
}

/** Revokes the refresh token's family: the session ends on every device that shares it. */
export async function logout(s: Settings, token: string): Promise<void> {
  await s.db.query(
    `UPDATE refresh_tokens SET revoked_at = $2
      WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL`,
    [sha256(token), new Date(s.now())],
  );
}

export async function getUser(q: Queryable, tenantId: string, id: string): Promise<UserView | null> {
  const { rows } = await q.query<UserRow>('SELECT * FROM users WHERE id = $1 AND tenant_id = $2', [
    id,
    tenantId,
  ]);
  return rows[0] ? view(rows[0]) : null;
}
