// Turns the Authorization header into a principal: `Bearer <access token>` or `ApiKey oubi_pk_…`.
import type { FastifyRequest } from 'fastify';
import { authenticateApiKey } from './api-keys.ts';
import { verifyAccessToken } from './crypto.ts';
import { forbidden, unauthorized } from './errors.ts';
import type { Access, Principal, Settings } from './types.ts';

export async function authenticate(req: FastifyRequest, s: Settings): Promise<Principal> {
  const header = req.headers.authorization;
  if (!header) throw unauthorized();
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (space > 0 && scheme === 'bearer') {
    const c = verifyAccessToken(s.jwtSecret, value, s.now());
    if (!c) throw unauthorized('invalid or expired access token; refresh it or log in again');
    return { kind: 'user', id: c.sub, tenantId: c.tid, role: c.role, driverId: c.did };
  }
  if (space > 0 && scheme === 'apikey') {
    const p = await authenticateApiKey(s.db, value, s.now());
    if (!p) throw unauthorized('invalid, expired or revoked API key');
    return p;
  }
  throw unauthorized('unsupported Authorization scheme; use Bearer <access token> or ApiKey <key>');
}

/** The route table's declaration is the only authorization check by role or scope. */
export function authorize(p: Principal, access: Access): void {
  if (p.kind === 'user') {
    if (!access.roles.includes(p.role)) throw forbidden(`the ${p.role} role may not call this route`);
    return;
  }
  if (access.scope === 'any') return;
  if (access.scope === null) throw forbidden('API keys may not call this route');
  if (!p.scopes.includes(access.scope)) throw forbidden(`this API key lacks the ${access.scope} scope`);
}
