// Webhook endpoints of the caller's tenant, their delivery log and replays (owner: api). Delivery itself is the
// dispatcher's (src/services/webhook-dispatcher.ts).
import { type Static, Type } from '@sinclair/typebox';
import {
  checkUrl,
  createEndpoint,
  deleteEndpoint,
  EVENT_TYPES,
  getEndpoint,
  listDeliveries,
  replayDelivery,
  updateEndpoint,
  webhookKey,
} from '../../../services/webhooks.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_LIMIT } from '../pagination.ts';
import { route, type RouteSpec } from '../types.ts';
import { listEndpoints } from '../../../services/webhooks.ts';

const ACCESS = { roles: ['admin'] as const, scope: 'webhooks:manage' as const };
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const EventType = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));
const Url = Type.String({
  minLength: 8,
  maxLength: 2000,
  description: 'http(s) URL the events are POSTed to',
});
const NewEndpoint = Type.Object(
  {
    url: Url,
    eventTypes: Type.Array(EventType, { minItems: 1, maxItems: EVENT_TYPES.length }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const Patch = Type.Object(
  {
    url: Type.Optional(Url),
    eventTypes: Type.Optional(Type.Array(EventType, { minItems: 1, maxItems: EVENT_TYPES.length })),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    rotateSecret: Type.Optional(Type.Boolean({ description: 'issue a new secret (shown once)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const DeliveriesQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

function validUrl(url: string | undefined): void {
  const problem = url === undefined ? null : checkUrl(url);
  if (problem) throw badRequest(problem);
}

export const webhookRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    url: '/v1/webhooks',
    summary: 'register a webhook endpoint; its signing secret is in the answer, once',
    access: ACCESS,
    status: 201,
    audit: 'webhook.create',
    schema: { body: NewEndpoint },
    handler: async ({ req, principal, s, audit }) => {
      const b = req.body as Static<typeof NewEndpoint>;
      validUrl(b.url);
      const e = await createEndpoint(s.db, await webhookKey(s.db, s.webhookSecretKey), {
        tenantId: principal.tenantId,
        url: b.url,
        eventTypes: b.eventTypes,
        description: b.description ?? null,
        createdBy: principal.id,
      });
      audit('webhook', e.id);
      return e;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/webhooks',
    summary: "the tenant's webhook endpoints (never their secrets)",
    access: ACCESS,
    status: 200,
    handler: async ({ principal, s }) => ({ items: await listEndpoints(s.db, principal.tenantId) }),
  }),
  route({
    method: 'GET',
    url: '/v1/webhooks/:id',
    summary: 'one webhook endpoint',
    access: ACCESS,
    status: 200,
    schema: { params: IdParam },
    handler: async ({ req, principal, s }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const e = await getEndpoint(s.db, principal.tenantId, id);
      if (!e) throw notFound(`webhook ${id}`);
      return e;
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/webhooks/:id',
    summary: 'change the URL, event types or description, disable/enable, or rotate the secret',
    access: ACCESS,
    status: 200,
    audit: 'webhook.update',
    schema: { params: IdParam, body: Patch },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const b = req.body as Static<typeof Patch>;
      validUrl(b.url);
      const e = await updateEndpoint(
        s.db,
        await webhookKey(s.db, s.webhookSecretKey),
        principal.tenantId,
        id,
        {
          ...(b.url !== undefined ? { url: b.url } : {}),
          ...(b.eventTypes !== undefined ? { eventTypes: b.eventTypes } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
          ...(b.rotateSecret ? { rotateSecret: true } : {}),
        },
      );
      if (!e) throw notFound(`webhook ${id}`);
      audit('webhook', id);
      return e;
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/webhooks/:id',
    summary: 'delete a webhook endpoint and its delivery log',
    access: ACCESS,
    status: 204,
    audit: 'webhook.delete',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      if (!(await deleteEndpoint(s.db, principal.tenantId, id))) throw notFound(`webhook ${id}`);
      audit('webhook', id);
      return null;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/webhooks/:id/deliveries',
    summary: "an endpoint's deliveries with every attempt, newest first, cursor-paginated",
    access: ACCESS,
    status: 200,
    schema: { params: IdParam, querystring: DeliveriesQuery },
    handler: async ({ req, principal, s }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const q = req.query as Static<typeof DeliveriesQuery>;
      if (!(await getEndpoint(s.db, principal.tenantId, id))) throw notFound(`webhook ${id}`);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const before = q.cursor ? (decodeCursor(q.cursor, ['number', 'string']) as [number, string]) : null;
      const rows = await listDeliveries(s.db, principal.tenantId, id, {
        limit: limit + 1,
        before,
        ...(q.status ? { status: q.status } : {}),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page,
        nextCursor: rows.length > limit && last ? encodeCursor([last.createdAtMs, last.id]) : null,
      };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/webhooks/deliveries/:id/replay',
    summary: "send a delivery's event again (a new delivery in the log)",
    access: ACCESS,
    status: 202,
    audit: 'webhook.replay',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const r = await replayDelivery(s.db, principal.tenantId, id);
      if (!r.ok) {
        if (r.code === 'not_found') throw notFound(`delivery ${id}`);
        if (r.code === 'endpoint_disabled') throw conflict('the endpoint is disabled; enable it first');
        throw new ApiError(410, 'gone', 'the event is no longer kept in the outbox; it cannot be replayed');
      }
      audit('webhook_delivery', id);
      return r.delivery;
    },
  }),
];
