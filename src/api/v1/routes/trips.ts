// Trips and their events: tenant-scoped in SQL, a driver only sees their own.
import { type Static, Type } from '@sinclair/typebox';
import type { Queryable } from '../../../store/index.ts';
import { badRequest, notFound } from '../errors.ts';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_LIMIT } from '../pagination.ts';
import { ROLES, route, type RouteSpec, scopeOf } from '../types.ts';

interface TripRow {
  id: string;
  driver_id: string | null;
  device_id: string;
  start_at: Date;
  end_at: Date;
  distance_m: number;
  duration_s: number;
  mode: string;
  status: string;
  features?: unknown;
  /** The stored 1 Hz trace as JSON text: sent as is, never parsed and re-serialised (it is most of the answer). */
  trace_json?: string;
}

const tripView = (r: TripRow) => ({
  id: r.id,
  driverId: r.driver_id,
  deviceId: r.device_id,
  startMs: r.start_at.getTime(),
  endMs: r.end_at.getTime(),
  distanceM: r.distance_m,
  durationMs: Math.round(r.duration_s * 1000),
  mode: r.mode,
  status: r.status,
});

interface EventRow {
  id: string;
  kind: string;
  severity: string;
  start_at: Date;
  end_at: Date;
  peak: number | null;
  lat: number | null;
  lon: number | null;
  speed_before_mps: number | null;
  speed_after_mps: number | null;
  details: unknown;
}

const eventView = (e: EventRow) => ({
  id: e.id,
  kind: e.kind,
  severity: e.severity,
  startMs: e.start_at.getTime(),
  endMs: e.end_at.getTime(),
  peak: e.peak,
  lat: e.lat,
  lon: e.lon,
  speedBeforeMps: e.speed_before_mps,
  speedAfterMps: e.speed_after_mps,
  details: e.details,
});

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const TripsQuery = Type.Object(
  {
    driverId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms; trips starting at or after' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms; trips starting before' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const TRIP_COLS = 'id, driver_id, device_id, start_at, end_at, distance_m, duration_s, mode, status';

/** The trip if the caller may see it: same tenant, and the caller's own when a driver. */
async function visibleTrip(q: Queryable, p: Parameters<typeof scopeOf>[0], id: string, full: boolean) {
  const sc = scopeOf(p);
  const { rows } = await q.query<TripRow>(
    `SELECT ${TRIP_COLS}${full ? ', features, trace::text AS trace_json' : ''} FROM trips
      WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR driver_id = $3)`,
    [id, sc.tenantId, sc.driverId],
  );
  if (!rows[0]) throw notFound(`trip ${id}`);
  return rows[0];
}

async function tripEvents(q: Queryable, tenantId: string, tripId: string) {
  const { rows } = await q.query<EventRow>(
    `SELECT id, kind, severity, start_at, end_at, peak, lat, lon, speed_before_mps, speed_after_mps, details
       FROM events WHERE trip_id = $1 AND tenant_id = $2 ORDER BY start_at, id`,
    [tripId, tenantId],
  );
  return rows.map(eventView);
}

export const tripRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/trips',
    summary: 'trips, newest first, cursor-paginated; from/to filter on the start time (epoch ms)',
    access: { roles: ROLES, scope: 'trips:read' },
    status: 200,
    audit: 'trips.list',
    schema: { querystring: TripsQuery },
    handler: async ({ req, principal, s, audit }) => {
      const q = req.query as Static<typeof TripsQuery>;
      if (q.from !== undefined && q.to !== undefined && q.from >= q.to)
        throw badRequest('from: must be before to');
      const limit = q.limit ?? DEFAULT_LIMIT;
      const [cStart, cId] = q.cursor ? decodeCursor(q.cursor, ['number', 'string']) : [null, null];
      const sc = scopeOf(principal);
      const { rows } = await s.db.query<TripRow>(
        `SELECT ${TRIP_COLS} FROM trips
          WHERE tenant_id = $1 AND ($2::text IS NULL OR driver_id = $2) AND ($3::text IS NULL OR driver_id = $3)
            AND ($4::timestamptz IS NULL OR start_at >= $4) AND ($5::timestamptz IS NULL OR start_at < $5)
            AND ($6::timestamptz IS NULL OR (start_at, id) < ($6, $7::text))
          ORDER BY start_at DESC, id DESC LIMIT $8`,
        [
          sc.tenantId,
          sc.driverId,
          q.driverId ?? null,
          q.from !== undefined ? new Date(q.from) : null,
          q.to !== undefined ? new Date(q.to) : null,
          cStart !== null ? new Date(cStart as number) : null,
          cId,
          limit + 1,
        ],
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      audit(q.driverId ? 'driver' : 'tenant', q.driverId ?? principal.tenantId);
      return {
        items: page.map(tripView),
        nextCursor: rows.length > limit && last ? encodeCursor([last.start_at.getTime(), last.id]) : null,
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/trips/:id',
    summary: 'one trip with its features, 1 Hz trace and events',
    access: { roles: ROLES, scope: 'trips:read' },
    status: 200,
    audit: 'trip.read',
    schema: { params: IdParam },
    handler: async ({ req, reply, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const t = await visibleTrip(s.db, principal, id, true);
      audit('driver', t.driver_id);
      const head = JSON.stringify({
        ...tripView(t),
        features: t.features,
        events: await tripEvents(s.db, principal.tenantId, id),
      });
      reply.type('application/json; charset=utf-8');
      return `${head.slice(0, -1)},"trace":${t.trace_json ?? 'null'}}`;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/trips/:id/events',
    summary: "a trip's driving events",
    access: { roles: ROLES, scope: 'trips:read' },
    status: 200,
    audit: 'trip.events.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const t = await visibleTrip(s.db, principal, id, false);
      audit('driver', t.driver_id);
      return { items: await tripEvents(s.db, principal.tenantId, id) };
    },
  }),
];
