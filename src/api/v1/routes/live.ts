// Live updates over server-sent events (owner: api). `?once=1` sends the current snapshot and closes: for
// clients that poll, and for the authorization matrix, which reads whole answers.
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createLiveHub, type LiveHub, type LiveSink, portfolioCounters } from '../../../services/live.ts';
import { readEvents } from '../../../services/events.ts';
import { writeAudit } from '../audit.ts';
import { notFound } from '../errors.ts';
import { ROLES, route, type RouteSpec, STAFF, scopeOf, type Settings } from '../types.ts';

const hubs = new WeakMap<Settings, LiveHub>();

/** The process's hub for these settings, started on first use. */
function hubFor(s: Settings): LiveHub {
  let h = hubs.get(s);
  if (!h) {
    h = createLiveHub({ db: s.db, logger: s.logger, now: s.now });
    hubs.set(s, h);
  }
  return h;
}

/** Ends every live stream of these settings (the plugin calls it when the server closes). */
export async function stopLive(s: Settings): Promise<void> {
  const h = hubs.get(s);
  hubs.delete(s);
  await h?.stop();
}

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const LiveQuery = Type.Object(
  {
    once: Type.Optional(
      Type.Union([Type.Literal('1'), Type.Literal('true')], {
        description: 'send the current snapshot (and events after lastEventId) and close',
      }),
    ),
    lastEventId: Type.Optional(
      Type.Integer({ minimum: 0, description: 'resume after this outbox seq (as the Last-Event-ID header)' }),
    ),
  },
  { additionalProperties: false },
);

/** Takes the response over as an event stream; the sink writes SSE frames until the client goes away. */
function openStream(reply: FastifyReply, onClose: () => void): LiveSink {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const socket = res.socket;
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    onClose();
    // A stream's connection is not reused: closing it lets the server shut down without waiting for a client
    // that stopped reading.
    res.end(() => socket?.destroy());
  };
  // The response's close: the client went away (or the stream ended).
  res.on('close', end);
  return {
    send(event, data, id) {
      if (open)
        res.write(
          `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
        );
    },
    comment(text) {
      if (open) res.write(`: ${text}\n\n`);
    },
    close: end,
  };
}

function resumeFrom(req: FastifyRequest, q: Static<typeof LiveQuery>): number | null {
  if (q.lastEventId !== undefined) return q.lastEventId;
  const h = req.headers['last-event-id'];
  const n = typeof h === 'string' && /^\d{1,18}$/.test(h) ? Number(h) : null;
  return n;
}

export const liveRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/live/driver/:id',
    summary:
      "a driver's live stream (SSE): domain events (id = outbox seq; Last-Event-ID resumes) and positions of a trip in progress",
    access: { roles: ROLES, scope: null },
    status: 200,
    schema: { params: IdParam, querystring: LiveQuery },
    handler: async ({ req, reply, principal, s }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const q = req.query as Static<typeof LiveQuery>;
      const sc = scopeOf(principal);
      const { rowCount } = await s.db.query(
        'SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR id = $3)',
        [id, sc.tenantId, sc.driverId],
      );
      if (!rowCount) throw notFound(`driver ${id}`);
      // Staff watching a driver is audited before the stream opens (the plugin audits after the handler,
      // which for a stream is after its answer has started).
      if (sc.driverId === null)
        await writeAudit(s.db, {
          tenantId: principal.tenantId,
          actorKind: principal.kind,
          actorId: principal.id,
          action: 'live.driver.watch',
          subjectType: 'driver',
          subjectId: id,
          requestId: req.id,
        });
      const after = resumeFrom(req, q);
      const hub = hubFor(s);
      let unsubscribe: (() => void) | null = null;
      let closed = false;
      const sink = openStream(reply, () => {
        closed = true;
        unsubscribe?.();
      });
      sink.send('hello', { driverId: id, resumedAfter: after });
      const pos = hub.lastPosition(sc.tenantId, id);
      if (pos) sink.send('position', pos);
      if (q.once) {
        try {
          if (after !== null)
            for (const e of await readEvents(s.db, {
              afterSeq: after,
              limit: 1000,
              tenantId: sc.tenantId,
              driverId: id,
            }))
              sink.send(e.type, e, e.seq);
        } finally {
          sink.close();
        }
        return;
      }
      const off = await hub.subscribeDriver(sc.tenantId, id, sink, after);
      if (closed) off();
      else unsubscribe = off;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/live/portfolio',
    summary:
      "the tenant's portfolio counters (SSE): trips and events today, active devices, every few seconds and on events",
    access: { roles: STAFF, scope: null },
    status: 200,
    schema: { querystring: LiveQuery },
    handler: async ({ req, reply, principal, s }) => {
      const q = req.query as Static<typeof LiveQuery>;
      const hub = hubFor(s);
      let unsubscribe: (() => void) | null = null;
      let closed = false;
      const sink = openStream(reply, () => {
        closed = true;
        unsubscribe?.();
      });
      if (q.once) {
        try {
          sink.send('counters', await portfolioCounters(s.db, principal.tenantId, s.now()));
        } finally {
          sink.close();
        }
        return;
      }
      const off = await hub.subscribePortfolio(principal.tenantId, sink);
      if (closed) off();
      else unsubscribe = off;
    },
  }),
];
