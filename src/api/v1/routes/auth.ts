// Login, refresh, logout, who am I, and the tenant's partner API keys.
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { login, logout, refresh } from '../accounts.ts';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../api-keys.ts';
import { getUser } from '../accounts.ts';
import { badRequest, notFound, unauthorized } from '../errors.ts';
import { ROLES, type RouteSpec, publicRoute, route, SCOPES } from '../types.ts';

const Login = Type.Object(
  {
    tenant: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
const NewKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { minItems: 1, maxItems: 20 }),
    expiresAtMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const RotateBody = Type.Object(
  { graceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 24 * 3_600_000 })) },
  { additionalProperties: false },
);

export const authRoutes: RouteSpec[] = [
  publicRoute({
    method: 'POST',
    url: '/v1/auth/login',
    summary: 'exchange tenant, email and password for an access token and a refresh token',
    access: 'public',
    status: 200,
    schema: { body: Login },
    handler: ({ req, s }) => login(s, req.body as Static<typeof Login>, req.id),
  }),
  publicRoute({
    method: 'POST',
    url: '/v1/auth/refresh',
    summary: 'rotate a refresh token: returns new tokens; reusing an old one revokes the session',
    access: 'public',
    status: 200,
    schema: { body: RefreshBody },
    handler: ({ req, s }) => refresh(s, (req.body as Static<typeof RefreshBody>).refreshToken, req.id),
  }),
  publicRoute({
    method: 'POST',
    url: '/v1/auth/logout',
    summary: 'revoke the session the refresh token belongs to',
    access: 'public',
    status: 204,
    schema: { body: RefreshBody },
    handler: async ({ req, s }) => {
      await logout(s, (req.body as Static<typeof RefreshBody>).refreshToken);
      return null;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/me',
    summary: 'the calling user or API key',
    access: { roles: ROLES, scope: 'any' },
    status: 200,
    handler: async ({ principal: p, s }) => {
      if (p.kind === 'api_key') return { kind: 'api_key', id: p.id, tenantId: p.tenantId, scopes: p.scopes };
      const u = await getUser(s.db, p.tenantId, p.id);
      if (!u) throw unauthorized('this user no longer exists; log in again');
      return { kind: 'user', ...u };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/api-keys',
    summary: 'create a partner API key (the key is shown once)',
    access: { roles: ['admin'], scope: null },
    status: 201,
    audit: 'api_key.create',
    schema: { body: NewKey },
    handler: async ({ req, principal, s, audit }) => {
      const b = req.body as Static<typeof NewKey>;
      const k = await createApiKey(s.db, {
        tenantId: principal.tenantId,
        name: b.name,
        scopes: b.scopes,
        expiresAtMs: b.expiresAtMs ?? null,
        createdBy: principal.id,
      });
      audit('api_key', k.id);
      return k;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/api-keys',
    summary: "the tenant's API keys (never their secrets)",
    access: { roles: ['admin'], scope: null },
    status: 200,
    handler: async ({ principal, s }) => ({ items: await listApiKeys(s.db, principal.tenantId) }),
  }),
  route({
    method: 'POST',
    url: '/v1/api-keys/:id/revoke',
    summary: 'revoke an API key at once',
    access: { roles: ['admin'], scope: null },
    status: 200,
    audit: 'api_key.revoke',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const k = await revokeApiKey(s.db, principal.tenantId, id, s.now());
      if (!k) throw notFound(`API key ${id}`);
      audit('api_key', id);
      return k;
    },
  }),
  route({
    method: 'POST',
    url: '/v1/api-keys/:id/rotate',
    summary: 'issue a replacement key (shown once); the old one stops now or after graceMs',
    access: { roles: ['admin'], scope: null },
    status: 201,
    audit: 'api_key.rotate',
    // The body is optional, which Fastify's body schema cannot say: checked here.
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const body = req.body ?? {};
      if (!Value.Check(RotateBody, body))
        throw badRequest('graceMs: must be an integer from 0 to 604800000 (7 days), the only field');
      const graceMs = body.graceMs ?? 0;
      const k = await rotateApiKey(s.db, principal.tenantId, id, s.now(), graceMs);
      if (!k) throw notFound(`active API key ${id}`);
      audit('api_key', id);
      return k;
    },
  }),
];
