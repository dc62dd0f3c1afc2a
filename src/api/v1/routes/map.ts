// Map layers for the dashboard, served by the API so the map works offline: the stored road network as GeoJSON
// within a box, a trip's trace with its speeding spans and event markers, and one event's sensor evidence.
import { type Static, Type } from '@sinclair/typebox';
import type { RoadClass, RoadNetwork } from '../../../geo/index.ts';
import { type Db, loadActiveRoadNetwork, type Queryable } from '../../../store/index.ts';
import { badRequest, notFound } from '../errors.ts';
import { ROLES, route, type RouteSpec, scopeOf } from '../types.ts';

type Position = [number, number];

// Most important first: when a box holds more edges than the limit, minor roads are left out first.
const CLASS_RANK: readonly RoadClass[] = [
  'motorway',
  'trunk',
  'primary',
  'motorway_link',
  'trunk_link',
  'primary_link',
  'secondary',
  'secondary_link',
  'tertiary',
  'tertiary_link',
  'unclassified',
  'residential',
  'living_street',
  'service',
];
const MAX_SPAN_DEG = 5;
export const MAX_ROAD_FEATURES = 8000;

/** Douglas–Peucker on [lon, lat] positions; keeps the ends. Tolerance in degrees. */
export function simplify(points: Position[], toleranceDeg: number): Position[] {
  if (points.length <= 2 || toleranceDeg <= 0) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: Array<[number, number]> = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = points[a]!;
    const [bx, by] = points[b]!;
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD = toleranceDeg * toleranceDeg;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = points[i]!;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
      const ex = ax + t * dx - px;
      const ey = ay + t * dy - py;
      const d2 = ex * ex + ey * ey;
      if (d2 > worstD) {
        worstD = d2;
        worst = i;
      }
    }
    if (worst > 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Parses `minLon,minLat,maxLon,maxLat`; null with the reason when malformed. */
export function parseBbox(raw: string): [number, number, number, number] | string {
  const parts = raw.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n)))
    return 'bbox: must be minLon,minLat,maxLon,maxLat (four numbers)';
  const [minLon, minLat, maxLon, maxLat] = parts as [number, number, number, number];
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) return 'bbox: outside WGS84 bounds';
  if (minLon >= maxLon || minLat >= maxLat) return 'bbox: min must be below max';
  if (maxLon - minLon > MAX_SPAN_DEG || maxLat - minLat > MAX_SPAN_DEG)
    return `bbox: at most ${MAX_SPAN_DEG} degrees on a side; zoom in`;
  return [minLon, minLat, maxLon, maxLat];
}

// The active network, loaded once per database handle and reloaded when another one becomes active.
const networks = new WeakMap<Db, { id: number; name: string; network: RoadNetwork }>();

async function activeNetwork(db: Db) {
  const { rows } = await db.query<{ id: number }>('SELECT id FROM road_networks WHERE active');
  const id = rows[0]?.id;
  if (id === undefined) return null;
  const cached = networks.get(db);
  if (cached?.id === id) return cached;
  const loaded = await loadActiveRoadNetwork(db);
  if (!loaded) return null;
  const entry = { id: loaded.info.id, name: loaded.info.name, network: loaded.network };
  networks.set(db, entry);
  return entry;
}

const RoadsQuery = Type.Object(
  {
    bbox: Type.String({ minLength: 7, maxLength: 200, description: 'minLon,minLat,maxLon,maxLat' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ROAD_FEATURES })),
  },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

interface Trace {
  tMs: number[];
  lat: number[];
  lon: number[];
  speedMps: number[];
}

interface MapEventRow {
  id: string;
  kind: string;
  severity: string;
  start_at: Date;
  end_at: Date;
  peak: number | null;
  lat: number | null;
  lon: number | null;
  voided: boolean;
  void_reason: string | null;
  details: Record<string, unknown> | null;
  has_evidence: boolean;
  crash_response: string | null;
}

/** The trace points between two times (inclusive), as [lon, lat]. */
function slice(trace: Trace, fromMs: number, toMs: number): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < trace.tMs.length; i++) {
    const t = trace.tMs[i]!;
    if (t >= fromMs && t <= toMs) out.push([round(trace.lon[i]!, 6), round(trace.lat[i]!, 6)]);
  }
  return out;
}

async function tripForCaller(q: Queryable, p: Parameters<typeof scopeOf>[0], id: string) {
  const sc = scopeOf(p);
  const { rows } = await q.query<{
    id: string;
    driver_id: string | null;
    counted: boolean;
    exclusion_reason: string | null;
    trace: Trace | null;
  }>(
    `SELECT id, driver_id, counted, exclusion_reason, trace FROM trips
      WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR driver_id = $3)`,
    [id, sc.tenantId, sc.driverId],
  );
  if (!rows[0]) throw notFound(`trip ${id}`);
  return rows[0];
}

export const mapRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/map/roads',
    summary:
      'the stored road network within bbox as GeoJSON lines (simplified; major roads first up to limit)',
    access: { roles: ROLES, scope: 'trips:read' },
    status: 200,
    schema: { querystring: RoadsQuery },
    handler: async ({ req, reply, s }) => {
      const q = req.query as Static<typeof RoadsQuery>;
      const box = parseBbox(q.bbox);
      if (typeof box === 'string') throw badRequest(box);
      const [minLon, minLat, maxLon, maxLat] = box;
      const limit = q.limit ?? 4000;
      const net = await activeNetwork(s.db);
      reply.header('cache-control', 'private, max-age=3600');
      if (!net) return { type: 'FeatureCollection', network: null, truncated: false, features: [] };
      const { rows } = await s.db.query<{ edge_id: number }>(
        `SELECT edge_id FROM road_edges
          WHERE network_id = $1 AND bbox && box(point($2, $3), point($4, $5))
          ORDER BY array_position($6::text[], road_class), edge_id LIMIT $7`,
        [net.id, minLon, minLat, maxLon, maxLat, CLASS_RANK, limit + 1],
      );
      // About a pixel on a 1,500-pixel-wide map: finer detail cannot be seen.
      const tolerance = Math.max(maxLon - minLon, maxLat - minLat) / 1500;
      const digits = tolerance > 1e-4 ? 5 : 6;
      const features = rows.slice(0, limit).map(({ edge_id }) => {
        const e = net.network.edge(edge_id);
        const pts: Position[] = [];
        for (let k = 0; k < e.geometry.length; k += 2)
          pts.push([round(e.geometry[k + 1]!, digits), round(e.geometry[k]!, digits)]);
        return {
          type: 'Feature',
          id: e.id,
          geometry: { type: 'LineString', coordinates: simplify(pts, tolerance) },
          properties: { roadClass: e.roadClass, name: e.name, speedLimitKmh: e.speedLimitKmh },
        };
      });
      const b = net.network.bbox;
      return {
        type: 'FeatureCollection',
        network: { id: net.id, name: net.name, bbox: [b.minLon, b.minLat, b.maxLon, b.maxLat] },
        truncated: rows.length > limit,
        features,
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/trips/:id/map',
    summary: "a trip's map layers: the 1 Hz route, speeding spans and event markers (GeoJSON)",
    access: { roles: ROLES, scope: 'trips:read' },
    status: 200,
    audit: 'trip.map.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const trip = await tripForCaller(s.db, principal, id);
      const { rows: events } = await s.db.query<MapEventRow>(
        `SELECT e.id, e.kind, e.severity, e.start_at, e.end_at, e.peak, e.lat, e.lon, e.voided, e.void_reason,
                e.details, e.evidence IS NOT NULL AS has_evidence, c.response AS crash_response
           FROM events e LEFT JOIN crash_responses c ON c.event_id = e.id
          WHERE e.trip_id = $1 AND e.tenant_id = $2 ORDER BY e.start_at, e.id`,
        [id, principal.tenantId],
      );
      audit('driver', trip.driver_id);
      const trace: Trace = trip.trace ?? { tMs: [], lat: [], lon: [], speedMps: [] };
      const line = slice(trace, -Infinity, Infinity);
      let bounds: [number, number, number, number] | null = null;
      for (const [lon, lat] of line) {
        bounds = bounds
          ? [
              Math.min(bounds[0], lon),
              Math.min(bounds[1], lat),
              Math.max(bounds[2], lon),
              Math.max(bounds[3], lat),
            ]
          : [lon, lat, lon, lat];
      }
      const speeding = events
        .filter((e) => e.kind === 'speeding')
        .map((e) => ({
          type: 'Feature',
          id: e.id,
          geometry: {
            type: 'LineString',
            coordinates: slice(trace, e.start_at.getTime(), e.end_at.getTime()),
          },
          properties: { eventId: e.id, severity: e.severity, kmhOver: e.peak, voided: e.voided },
        }))
        .filter((f) => f.geometry.coordinates.length >= 2);
      const markers = events
        .filter((e) => e.lat !== null && e.lon !== null)
        .map((e) => ({
          type: 'Feature',
          id: e.id,
          geometry: { type: 'Point', coordinates: [e.lon, e.lat] },
          properties: {
            eventId: e.id,
            kind: e.kind,
            severity: e.severity,
            startMs: e.start_at.getTime(),
            endMs: e.end_at.getTime(),
            peak: e.peak,
            peakUnit: (e.details?.peakUnit as string | undefined) ?? null,
            voided: e.voided,
            voidReason: e.void_reason,
            hasEvidence: e.has_evidence,
            crashResponse: e.crash_response,
          },
        }));
      return {
        tripId: trip.id,
        counted: trip.counted,
        exclusionReason: trip.exclusion_reason,
        bounds,
        route: {
          type: 'Feature',
          geometry: { type: 'LineString', coordinates: line },
          properties: { tMs: trace.tMs, speedMps: trace.speedMps },
        },
        speeding: { type: 'FeatureCollection', features: speeding },
        events: { type: 'FeatureCollection', features: markers },
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/events/:id/evidence',
    summary: 'the sensor evidence of one event: speed and vehicle-frame acceleration around it',
    access: { roles: ROLES, scope: 'trips:read' },
    status: 200,
    audit: 'event.evidence.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const sc = scopeOf(principal);
      const { rows } = await s.db.query<{
        id: string;
        trip_id: string;
        driver_id: string | null;
        kind: string;
        severity: string;
        start_at: Date;
        end_at: Date;
        peak: number | null;
        voided: boolean;
        void_reason: string | null;
        details: unknown;
        evidence: unknown;
      }>(
        `SELECT id, trip_id, driver_id, kind, severity, start_at, end_at, peak, voided, void_reason, details, evidence
           FROM events WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR driver_id = $3)`,
        [id, sc.tenantId, sc.driverId],
      );
      const e = rows[0];
      if (!e) throw notFound(`event ${id}`);
      audit('driver', e.driver_id);
      return {
        id: e.id,
        tripId: e.trip_id,
        kind: e.kind,
        severity: e.severity,
        startMs: e.start_at.getTime(),
        endMs: e.end_at.getTime(),
        peak: e.peak,
        voided: e.voided,
        voidReason: e.void_reason,
        details: e.details,
        evidence: e.evidence,
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:id/crash-candidates',
    summary:
      "a driver's crash candidates of the last 30 days, newest first, with the driver's answer (null: none yet)",
    access: { roles: ROLES, scope: 'trips:read' },
    status: 200,
    audit: 'driver.crash_candidates.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const sc = scopeOf(principal);
      const d = await s.db.query(
        'SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR id = $3)',
        [id, sc.tenantId, sc.driverId],
      );
      if (!d.rowCount) throw notFound(`driver ${id}`);
      const { rows } = await s.db.query<{
        id: string;
        trip_id: string;
        severity: string;
        start_at: Date;
        peak: number | null;
        lat: number | null;
        lon: number | null;
        response: string | null;
        answered_at: Date | null;
      }>(
        `SELECT e.id, e.trip_id, e.severity, e.start_at, e.peak, e.lat, e.lon, c.response, c.at AS answered_at
           FROM events e LEFT JOIN crash_responses c ON c.event_id = e.id
          WHERE e.tenant_id = $1 AND e.driver_id = $2 AND e.kind = 'crash_candidate' AND e.start_at >= $3
          ORDER BY e.start_at DESC LIMIT 50`,
        [sc.tenantId, id, new Date(s.now() - 30 * 86_400_000)],
      );
      audit('driver', id);
      return {
        items: rows.map((r) => ({
          eventId: r.id,
          tripId: r.trip_id,
          severity: r.severity,
          atMs: r.start_at.getTime(),
          peakMps2: r.peak,
          lat: r.lat,
          lon: r.lon,
          response: r.response,
          answeredAtMs: r.answered_at?.getTime() ?? null,
        })),
      };
    },
  }),
];
