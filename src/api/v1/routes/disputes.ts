// Disputes of trips and events: filed by drivers, reviewed by staff, re-scored and re-priced (owner: pricing).
// Also the driver's answer to a crash candidate.
import { type Static, Type } from '@sinclair/typebox';
import {
  DISPUTE_REASONS,
  type Dispute,
  disputeEvidence,
  fileDispute,
  getDispute,
  listDisputes,
  recordCrashResponse,
  resolveDispute,
} from '../../../services/disputes.ts';
import { forbidden, notFound } from '../errors.ts';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_LIMIT } from '../pagination.ts';
import { type Principal, ROLES, route, type RouteSpec, STAFF, scopeOf } from '../types.ts';
import { IdParam, unwrap } from './pricing-policies.ts';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const NewDispute = Type.Object(
  {
    tripId: Type.Optional(Id),
    eventId: Type.Optional(Id),
    reason: Type.Union(
      DISPUTE_REASONS.map((r) => Type.Literal(r)),
      {
        description:
          'passenger | not_me | public_transport (a trip); wrong_speed_limit | evasive_manoeuvre (an event)',
      },
    ),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const Status = Type.Union([Type.Literal('open'), Type.Literal('accepted'), Type.Literal('rejected')]);
const ListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const Resolve = Type.Object(
  {
    decision: Type.Union([Type.Literal('accept'), Type.Literal('reject')]),
    note: Type.String({ minLength: 1, maxLength: 2000, description: 'why: shown to the driver' }),
  },
  { additionalProperties: false },
);
const CrashAnswer = Type.Object(
  { response: Type.Union([Type.Literal('ok'), Type.Literal('need_help'), Type.Literal('not_crash')]) },
  { additionalProperties: false },
);

/** The caller's own driver id; only driver users file disputes and answer crash checks. */
function ownDriver(p: Principal): string {
  const d = scopeOf(p).driverId;
  if (d === null) throw forbidden('only a driver can do this, for their own trips');
  return d;
}

const view = (d: Dispute) => {
  const { tenantId: _t, ...rest } = d;
  return rest;
};

export const disputeRoutes: RouteSpec[] = [
  route({
    method: 'POST',
    url: '/v1/disputes',
    summary:
      'dispute one of your trips (passenger, not me, public transport) or events (wrong speed limit, evasive manoeuvre)',
    access: { roles: ['driver'], scope: null },
    status: 201,
    schema: { body: NewDispute },
    handler: async ({ req, principal, s }) => {
      const b = req.body as Static<typeof NewDispute>;
      const driverId = ownDriver(principal);
      const d = unwrap(
        await fileDispute(s.db, {
          tenantId: principal.tenantId,
          driverId,
          tripId: b.tripId,
          eventId: b.eventId,
          reason: b.reason,
          comment: b.comment,
          nowMs: s.now(),
        }),
      );
      return view(d);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/disputes',
    summary: 'disputes, oldest first: a driver their own, staff the tenant’s review queue (filter by status)',
    access: { roles: ROLES, scope: 'disputes:read' },
    status: 200,
    audit: 'disputes.list',
    schema: { querystring: ListQuery },
    handler: async ({ req, principal, s, audit }) => {
      const q = req.query as Static<typeof ListQuery>;
      const limit = q.limit ?? DEFAULT_LIMIT;
      const after = q.cursor ? (decodeCursor(q.cursor, ['number', 'string']) as [number, string]) : null;
      const rows = await listDisputes(s.db, principal.tenantId, {
        driverId: scopeOf(principal).driverId,
        status: q.status,
        limit: limit + 1,
        after,
      });
      const items = rows.slice(0, limit);
      audit('tenant', principal.tenantId);
      const last = items[items.length - 1];
      return {
        items: items.map(view),
        nextCursor: rows.length > limit && last ? encodeCursor([last.createdAtMs, last.id]) : null,
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/disputes/:id',
    summary: 'one dispute with its evidence: the trip summary and features, the event and its sensor window',
    access: { roles: ROLES, scope: 'disputes:read' },
    status: 200,
    audit: 'dispute.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const d = await getDispute(s.db, principal.tenantId, id, scopeOf(principal).driverId);
      if (d === null) throw notFound(`dispute ${id}`);
      audit('driver', d.driverId);
      return { ...view(d), evidence: await disputeEvidence(s.db, d) };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/disputes/:id/resolve',
    summary:
      'accept or reject an open dispute; accepting stops the trip counting (or voids the event), re-scores and re-prices, in one audited transaction',
    access: { roles: STAFF, scope: null },
    status: 200,
    schema: { params: IdParam, body: Resolve },
    handler: async ({ req, principal, s }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const b = req.body as Static<typeof Resolve>;
      const r = unwrap(
        await resolveDispute(s.db, {
          tenantId: principal.tenantId,
          id,
          decision: b.decision,
          note: b.note,
          actor: { kind: principal.kind, id: principal.id, requestId: req.id },
          nowMs: s.now(),
        }),
      );
      return { ...view(r.dispute), premium: r.premium, statements: r.statements };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/events/:id/crash-response',
    summary:
      'answer a crash check on your own crash candidate: ok, need_help, or not_crash (voids the event)',
    access: { roles: ['driver'], scope: null },
    status: 200,
    schema: { params: IdParam, body: CrashAnswer },
    handler: async ({ req, principal, s }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const b = req.body as Static<typeof CrashAnswer>;
      const driverId = ownDriver(principal);
      return unwrap(
        await recordCrashResponse(s.db, {
          tenantId: principal.tenantId,
          driverId,
          eventId: id,
          response: b.response,
          nowMs: s.now(),
        }),
      );
    },
  }),
];
