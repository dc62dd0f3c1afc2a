// The partner and people API under /v1: authentication, declared authorization, tenant-scoped resources.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { writeAudit } from './audit.ts';
import { authenticate, authorize } from './authenticate.ts';
import { ApiError } from './errors.ts';
import { routeTable } from './route-table.ts';
import type { Principal, RouteSpec, Settings, V1Deps } from './types.ts';

export { ensureAdmin, createUser, MIN_PASSWORD_LENGTH, type UserView } from './accounts.ts';
export { createApiKey } from './api-keys.ts';
export { signAccessToken, verifyAccessToken, type AccessClaims } from './crypto.ts';
export { routeTable, routeId } from './route-table.ts';
export {
  ROLES,
  SCOPES,
  type Access,
  type Principal,
  type Role,
  type RouteSpec,
  type Scope,
} from './types.ts';
export type { V1Deps };

function settings(deps: V1Deps): Settings {
  if (deps.jwtSecret.length < 32) throw new Error('jwtSecret must be at least 32 characters');
  return {
    now: Date.now,
    accessTtlMs: 15 * 60_000,
    refreshTtlMs: 30 * 24 * 3_600_000,
    maxFailedLogins: 5,
    lockoutMs: 15 * 60_000,
    ...deps,
  };
}

function problem(reply: FastifyReply, e: ApiError): FastifyReply {
  if (e.statusCode === 401) reply.header('www-authenticate', 'Bearer, ApiKey');
  return reply
    .code(e.statusCode)
    .type('application/problem+json')
    .send({
      type: `https://openubi.dev/problems/${e.code}`,
      title: e.message,
      status: e.statusCode,
      code: e.code,
    });
}

async function handle(spec: RouteSpec, s: Settings, req: FastifyRequest, reply: FastifyReply) {
  const subjects: Array<[string, string | null]> = [];
  const audit = (type: string, id: string | null) => void subjects.push([type, id]);
  let body: unknown;
  let principal: Principal | null = null;
  if (spec.access === 'public') {
    body = await spec.handler({ req, reply, principal: null, s, audit });
  } else {
    const p = await authenticate(req, s);
    authorize(p, spec.access);
    principal = p;
    body = await spec.handler({ req, reply, principal: p, s, audit });
  }
  // A driver reading their own data is not audited; staff and partners reading anyone's is.
  const isSelf = principal?.kind === 'user' && principal.role === 'driver';
  if (spec.audit && principal && !isSelf) {
    for (const [type, id] of subjects)
      await writeAudit(s.db, {
        tenantId: principal.tenantId,
        actorKind: principal.kind,
        actorId: principal.id,
        action: spec.audit,
        subjectType: type,
        subjectId: id,
        requestId: req.id,
      });
  }
  reply.code(spec.status);
  return spec.status === 204 ? reply.send() : body;
}

/** Registers every route of the route table (in its own encapsulated context) on `app`. */
export function registerV1Routes(app: FastifyInstance, deps: V1Deps): void {
  const s = settings(deps);
  app.register(async (v1) => {
    // Our expected errors carry their own code; anything else goes to the app's handler (validation, 500s).
    v1.setErrorHandler((error: FastifyError | ApiError, _req, reply) => {
      if (error instanceof ApiError) return problem(reply, error);
      throw error;
    });
    for (const spec of routeTable) {
      v1.route({
        method: spec.method,
        url: spec.url,
        ...(spec.schema ? { schema: spec.schema } : {}),
        config: { access: spec.access },
        handler: (req, reply) => handle(spec, s, req, reply),
      });
    }
  });
}
