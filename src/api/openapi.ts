// The OpenAPI 3.1 document, generated from the route table (paths, parameters and bodies from each route's
// TypeBox schemas, who may call from its access declaration), and the Swagger UI at /docs served from the
// swagger-ui-dist package (no CDN).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { RouteSpec } from './v1/types.ts';

type Json = Record<string, unknown>;

/** A TypeBox schema as plain JSON Schema (its symbol-keyed markers dropped). */
const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema ?? {})) as Json;

const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string', description: 'what was wrong and what to do' },
    status: { type: 'integer' },
    code: { type: 'string', examples: ['invalid_request', 'unauthorized', 'not_found', 'rate_limited'] },
  },
};

const RATE_HEADERS = {
  'RateLimit-Limit': { schema: { type: 'integer' }, description: 'requests a minute this caller may make' },
  'RateLimit-Remaining': { schema: { type: 'integer' } },
  'RateLimit-Reset': { schema: { type: 'integer' }, description: 'seconds until the bucket is full' },
};

const problem = (description: string, headers?: Json): Json => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  ...(headers ? { headers } : {}),
});

const COMPONENTS = {
  schemas: { Problem: PROBLEM },
  securitySchemes: {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'access token from POST /v1/auth/login (15 minutes; refresh with POST /v1/auth/refresh)',
    },
    apiKey: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'partner key: `Authorization: ApiKey oubi_pk_<prefix>.<secret>`',
    },
    deviceToken: {
      type: 'http',
      scheme: 'bearer',
      description: 'device credential returned by POST /v1/devices (ingest only)',
    },
  },
  responses: {
    BadRequest: problem('invalid input; `title` names the field'),
    Unauthorized: problem('missing, invalid or expired credentials'),
    Forbidden: problem('the role or API key scope may not call this route'),
    NotFound: problem("not found (also another tenant's or another driver's data)"),
    TooManyRequests: problem('rate limit spent; retry after Retry-After seconds', {
      'Retry-After': { schema: { type: 'integer' } },
      ...RATE_HEADERS,
    }),
  },
};

const tagOf = (url: string): string => url.split('/')[2] ?? 'v1';
const operationId = (r: RouteSpec): string =>
  `${r.method.toLowerCase()}${r.url
    .split(/[/-]/)
    .filter((p) => p && p !== 'v1')
    .map((p) =>
      p.startsWith(':') ? `By${p[1]!.toUpperCase()}${p.slice(2)}` : p[0]!.toUpperCase() + p.slice(1),
    )
    .join('')}`;

function parameters(r: RouteSpec): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', schema: unknown) => {
    const s = plain(schema);
    const required = new Set((s.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries((s.properties as Record<string, Json> | undefined) ?? {})) {
      const { description, ...rest } = prop;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema: rest,
        ...(description ? { description } : {}),
      });
    }
  };
  if (r.schema?.params) add('path', r.schema.params);
  if (r.schema?.querystring) add('query', r.schema.querystring);
  return out;
}

function operation(r: RouteSpec): Json {
  const isPublic = r.access === 'public';
  const stream = r.url.startsWith('/v1/live/');
  const ok: Json = { description: r.status === 204 ? 'done' : 'success' };
  if (r.status !== 204) {
    const response = (r.schema?.response as Record<string, unknown> | undefined)?.[r.status];
    ok.content = stream
      ? { 'text/event-stream': { schema: { type: 'string', description: 'server-sent events' } } }
      : { 'application/json': { schema: response ? plain(response) : { type: 'object' } } };
  }
  if (!isPublic) ok.headers = RATE_HEADERS;
  const responses: Json = { [String(r.status)]: ok, '400': { $ref: '#/components/responses/BadRequest' } };
  if (!isPublic) {
    responses['401'] = { $ref: '#/components/responses/Unauthorized' };
    responses['403'] = { $ref: '#/components/responses/Forbidden' };
  }
  if (r.url.includes(':')) responses['404'] = { $ref: '#/components/responses/NotFound' };
  responses['429'] = { $ref: '#/components/responses/TooManyRequests' };
  const access = isPublic
    ? 'Public.'
    : `Roles: ${r.access.roles.join(', ') || 'none'}. API keys: ${
        r.access.scope === null
          ? 'not allowed'
          : r.access.scope === 'any'
            ? 'any valid key'
            : `scope \`${r.access.scope}\``
      }.`;
  return {
    operationId: operationId(r),
    summary: r.summary,
    description: `${access}${stream ? ' Server-sent events; `?once=1` sends the current snapshot and closes.' : ''}`,
    tags: [tagOf(r.url)],
    ...(isPublic
      ? { security: [] }
      : {
          security: r.access.scope === null ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, { apiKey: [] }],
          'x-openubi-access': { roles: r.access.roles, scope: r.access.scope },
        }),
    parameters: parameters(r),
    ...(r.schema?.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: plain(r.schema.body) } } } }
      : {}),
    responses,
  };
}

/** Device ingest is served by the gateway role, outside the route table; documented here for SDK authors. */
const INGEST: Json = {
  '/v1/ingest': {
    post: {
      operationId: 'postIngest',
      summary: 'send sensor batches (wire format v1): JSON or NDJSON, all-or-nothing, 202 once durable',
      tags: ['ingest'],
      security: [{ deviceToken: [] }],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: { type: 'object' } },
          'application/x-ndjson': { schema: { type: 'string' } },
        },
      },
      responses: {
        '202': { description: 'durable' },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '429': { $ref: '#/components/responses/TooManyRequests' },
      },
    },
  },
};

export function openApiDocument(routes: readonly RouteSpec[], opts: { version?: string } = {}): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenUBI API',
      version: opts.version ?? '1',
      description:
        'Telematics for usage-based insurance: drivers, trips, scores, quotes, disputes, privacy, webhooks and live updates. Errors are application/problem+json; lists are cursor-paginated (`limit`, `cursor` → `nextCursor`); times are epoch milliseconds.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => tagOf(r.url))), 'ingest'].map((name) => ({ name })),
    paths: { ...paths, ...INGEST },
    components: COMPONENTS,
  };
}

const UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js'] as const;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenUBI API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

/** The Swagger UI page at /docs, its assets from the installed swagger-ui-dist (read once, on first request). */
export function registerApiDocs(app: FastifyInstance): void {
  const dir = join(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'), '..');
  const cache = new Map<string, Buffer>();
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/assets/init.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').send(INIT),
  );
  app.get<{ Params: { file: string } }>('/docs/assets/:file', async (req, reply) => {
    const file = UI_FILES.find((f) => f === req.params.file);
    if (!file)
      return reply.code(404).type('application/problem+json').send({
        type: 'https://openubi.dev/problems/not_found',
        title: 'no such file',
        status: 404,
        code: 'not_found',
      });
    let body = cache.get(file);
    if (!body) {
      body = readFileSync(join(dir, file));
      cache.set(file, body);
    }
    return reply
      .type(file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(body);
  });
}
