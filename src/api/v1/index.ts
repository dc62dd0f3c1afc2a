// The partner and people API under /v1: authentication, declared authorization, tenant-scoped resources.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PoolClient } from 'pg';
import type { Db, Queryable } from '../../store/index.ts';
import { registerApiDocs } from '../openapi.ts';
import {
  type ApiRateLimits,
  createApiRateLimits,
  type RateVerdict,
  rateLimitHeaders,
} from '../rate-limit.ts';
import { writeAudit } from './audit.ts';
import { authenticate, authorize } from './authenticate.ts';
import { ApiError } from './errors.ts';
import { routeTable } from './route-table.ts';
import { stopLive } from './routes/live.ts';
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
    rateLimits: null,
    webhookSecretKey: null,
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

/** Sets the RateLimit headers; a spent bucket answers 429 with Retry-After. */
function limit(reply: FastifyReply, v: RateVerdict | null): void {
  if (!v) return;
  reply.headers(rateLimitHeaders(v));
  if (!v.allowed) throw new ApiError(429, 'rate_limited', `too many requests; retry in ${v.retryAfterS} s`);
}

/**
 * A Db whose queries run on one transaction's connection while the handler runs; nested transactions are
 * savepoints (so code that catches a failed inner transaction can go on). Work the handler leaves running in the
 * background uses the pool once the handler has returned, after the transaction has ended (so it sees the commit).
 */
function txDb(db: Db, c: PoolClient): { db: Db; end(): void; settled(): void } {
  let open = true;
  let depth = 0;
  let settle = () => {};
  const done = new Promise<void>((r) => {
    settle = r;
  });
  const tdb: Db = {
    pool: db.pool,
    query: (async (sql: string, params?: unknown[]) => {
      if (open) return c.query(sql, params);
      await done;
      return db.query(sql, params);
    }) as Db['query'],
    async tx(fn) {
      if (!open) return done.then(() => db.tx(fn));
      const sp = `nested_${++depth}`;
      await c.query(`SAVEPOINT ${sp}`);
      try {
        const out = await fn(c);
        await c.query(`RELEASE SAVEPOINT ${sp}`);
        return out;
      } catch (e) {
        await c.query(`ROLLBACK TO SAVEPOINT ${sp}`);
        throw e;
      }
    },
    close: () => db.close(),
  };
  return {
    db: tdb,
    end: () => {
      open = false;
    },
    settled: () => settle(),
  };
}

async function handle(
  spec: RouteSpec,
  s: Settings,
  limits: ApiRateLimits | null,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  const subjects: Array<[string, string | null]> = [];
  const audit = (type: string, id: string | null) => void subjects.push([type, id]);
  let body: unknown;
  // A driver reading their own data is not audited; staff and partners reading anyone's is.
  const writeAudits = async (q: Queryable, p: Principal) => {
    if (!spec.audit || (p.kind === 'user' && p.role === 'driver')) return;
    for (const [type, id] of subjects)
      await writeAudit(q, {
        tenantId: p.tenantId,
        actorKind: p.kind,
        actorId: p.id,
        action: spec.audit,
        subjectType: type,
        subjectId: id,
        requestId: req.id,
      });
  };
  if (spec.access === 'public') {
    limit(reply, limits?.anonymous(req.ip) ?? null);
    body = await spec.handler({ req, reply, principal: null, s, audit });
  } else {
    const p = await authenticate(req, s);
    limit(reply, (p.kind === 'user' ? limits?.user(p.id) : limits?.apiKey(p.id)) ?? null);
    authorize(p, spec.access);
    if (spec.method === 'GET') {
      body = await spec.handler({ req, reply, principal: p, s, audit });
      await writeAudits(s.db, p);
    } else {
      // A change and its audit rows commit together; a request that fails leaves nothing half-written.
      let t: ReturnType<typeof txDb> | null = null;
      try {
        body = await s.db.tx(async (c) => {
          const tc = txDb(s.db, c);
          t = tc;
          let out: unknown;
          try {
            out = await spec.handler({ req, reply, principal: p, s: { ...s, db: tc.db }, audit });
          } finally {
            tc.end();
          }
          await writeAudits(c, p);
          return out;
        });
      } finally {
        (t as ReturnType<typeof txDb> | null)?.settled();
      }
    }
  }
  if (reply.sent) return reply;
  reply.code(spec.status);
  return spec.status === 204 ? reply.send() : body;
}

/** Registers every route of the route table (in its own encapsulated context) on `app`. */
export function registerV1Routes(app: FastifyInstance, deps: V1Deps): void {
  const s = settings(deps);
  const limits = s.rateLimits ? createApiRateLimits(s.rateLimits, s.now) : null;
  // Live streams never end by themselves: end them before the server waits for open requests.
  registerApiDocs(app);
  app.addHook('preClose', async () => {
    await stopLive(s);
  });
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
        handler: (req, reply) => handle(spec, s, limits, req, reply),
      });
    }
  });
}
