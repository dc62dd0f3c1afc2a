// Password hashing (scrypt), HS256 access tokens and opaque random secrets, all on node:crypto.
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export type Role = 'driver' | 'analyst' | 'admin';

// OWASP's scrypt floor (N=2^15 would need maxmem raised; 2^14 with r=8 is the common interactive setting).
const SCRYPT = { N: 16384, r: 8, p: 1, keyLen: 32 } as const;

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number, keyLen: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyLen, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLen);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(
    password,
    Buffer.from(salt, 'base64url'),
    Number(n),
    Number(r),
    Number(p),
    expected.length,
  );
  return timingSafeEqual(key, expected);
}

// Hashed when the email is unknown, so a miss costs the same time as a wrong password.
let dummyHash: Promise<string> | null = null;
export function burnPasswordCheck(password: string): Promise<boolean> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash.then((h) => verifyPassword(password, h)).then(() => false);
}

export const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison of a stored SHA-256 with the hash of a presented secret. */
export function secretMatches(storedHash: Buffer, presented: string): boolean {
  const given = sha256(presented);
  return storedHash.length === given.length && timingSafeEqual(storedHash, given);
}

export const randomId = (prefix: string): string => `${prefix}_${randomBytes(10).toString('hex')}`;
export const randomSecret = (): string => randomBytes(32).toString('base64url');
/** Alphanumeric only, so it never collides with the `.` separator or base64url's `-`/`_`. */
export const randomPrefix = (): string =>
  randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);

export interface AccessClaims {
  sub: string;
  tid: string;
  role: Role;
  did: string | null;
  iat: number;
  exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const ISSUER = 'openubi';

const sign = (secret: string, data: string): Buffer => createHmac('sha256', secret).update(data).digest();

export function signAccessToken(secret: string, claims: AccessClaims): string {
  const payload = Buffer.from(JSON.stringify({ ...claims, iss: ISSUER, typ: 'access' })).toString(
    'base64url',
  );
  const body = `${HEADER}.${payload}`;
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

/** Verifies signature, header, issuer and expiry; null for anything else (the caller answers 401). */
export function verifyAccessToken(secret: string, token: string, nowMs: number): AccessClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  // Only our exact header: no alg=none, no algorithm confusion.
  if (header !== HEADER) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(secret, `${header}.${payload}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const nowS = Math.floor(nowMs / 1000);
  if (c.iss !== ISSUER || c.typ !== 'access') return null;
  if (typeof c.exp !== 'number' || c.exp <= nowS) return null;
  if (typeof c.sub !== 'string' || typeof c.tid !== 'string') return null;
  if (c.role !== 'driver' && c.role !== 'analyst' && c.role !== 'admin') return null;
  return {
    sub: c.sub,
    tid: c.tid,
    role: c.role,
    did: typeof c.did === 'string' ? c.did : null,
    iat: typeof c.iat === 'number' ? c.iat : 0,
    exp: c.exp,
  };
}
