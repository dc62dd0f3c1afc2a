// Route builders for tests and benchmarks: RoutePath values from local polylines (a straight road, a curve
// of known radius, a path with junctions), densified like geo's routes (points ≤ 10 m apart).
import type { RoadClass, RoutePath, RoutePoint } from '../geo/types.ts';
import type { RoutePlanner } from './planner.ts';

const DEG = Math.PI / 180;
const R_EARTH_M = 6_371_008.8;

export interface LocalPoint {
  /** Metres east / north of the origin. */
  x: number;
  y: number;
  junction?: boolean;
}

export interface PolylineOptions {
  lat0?: number;
  lon0?: number;
  speedLimitKmh?: number;
  roadClass?: RoadClass;
  /** First edge id; a new edge starts after every junction point. */
  firstEdgeId?: number;
  maxSpacingM?: number;
}

export function routeFromLocalPolyline(points: readonly LocalPoint[], opts: PolylineOptions = {}): RoutePath {
  const lat0 = opts.lat0 ?? 42.5063;
  const lon0 = opts.lon0 ?? 1.5218;
  const limit = opts.speedLimitKmh ?? 50;
  const roadClass = opts.roadClass ?? 'secondary';
  const spacing = opts.maxSpacingM ?? 10;
  const kx = R_EARTH_M * DEG * Math.cos(lat0 * DEG);
  const ky = R_EARTH_M * DEG;
  const out: RoutePoint[] = [];
  const edgeIds: number[] = [];
  let edgeId = opts.firstEdgeId ?? 1;
  edgeIds.push(edgeId);
  let dist = 0;
  const push = (x: number, y: number, junction: boolean): void => {
    out.push({
      lat: lat0 + y / ky,
      lon: lon0 + x / kx,
      distanceM: dist,
      edgeId,
      speedLimitKmh: limit,
      roadClass,
      junction,
    });
  };
  const first = points[0];
  if (!first) throw new Error('empty polyline');
  push(first.x, first.y, false);
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1]!;
    const b = points[k]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const steps = Math.max(1, Math.ceil(len / spacing));
    for (let q = 1; q <= steps; q++) {
      const f = q / steps;
      dist += len / steps;
      push(a.x + f * (b.x - a.x), a.y + f * (b.y - a.y), q === steps && b.junction === true);
    }
    if (b.junction) {
      // As geo does: the shared node belongs to the edge the vehicle enters there.
      edgeId++;
      edgeIds.push(edgeId);
      out[out.length - 1]!.edgeId = edgeId;
    }
  }
  return { points: out, lengthM: dist, travelTimeS: dist / (limit / 3.6), edgeIds };
}

export function straightRoute(lengthM: number, opts: PolylineOptions = {}): RoutePath {
  return routeFromLocalPolyline(
    [
      { x: 0, y: 0 },
      { x: lengthM, y: 0 },
    ],
    opts,
  );
}

/** Straight lead-in, a left-hand arc of the given radius and angle, straight lead-out. */
export function arcRoute(
  radiusM: number,
  angleRad: number,
  leadM: number,
  opts: PolylineOptions = {},
): RoutePath {
  const pts: LocalPoint[] = [{ x: 0, y: 0 }];
  const n = Math.max(8, Math.ceil((radiusM * angleRad) / 2));
  for (let k = 0; k <= n; k++) {
    const th = (angleRad * k) / n;
    pts.push({ x: leadM + radiusM * Math.sin(th), y: radiusM * (1 - Math.cos(th)) });
  }
  const end = pts[pts.length - 1]!;
  pts.push({ x: end.x + leadM * Math.cos(angleRad), y: end.y + leadM * Math.sin(angleRad) });
  return routeFromLocalPolyline(pts, opts);
}

/** A town route: straight legs joined at right-angle junctions (alternating left and right turns). */
export function gridRoute(legM: number, legs: number, opts: PolylineOptions = {}): RoutePath {
  const pts: LocalPoint[] = [{ x: 0, y: 0 }];
  let x = 0;
  let y = 0;
  for (let k = 0; k < legs; k++) {
    if (k % 2 === 0) x += legM;
    else y += legM;
    pts.push({ x, y, junction: k < legs - 1 });
  }
  return routeFromLocalPolyline(pts, opts);
}

/**
 * A planner over a handful of synthetic places, each pair joined by a town route of junctions and turns:
 * for tests that must not depend on the OSM extract.
 */
export function syntheticPlanner(places = 4): RoutePlanner {
  const list = Array.from({ length: places }, (_, i) => ({
    nodeId: i,
    lat: 42.5 + i * 0.01,
    lon: 1.52 + i * 0.01,
  }));
  const cache = new Map<string, RoutePath>();
  return {
    route(from, to) {
      if (from === to) return null;
      const key = `${from}>${to}`;
      let r = cache.get(key);
      if (!r) {
        const legs = 3 + ((from * 7 + to * 3) % 5);
        r = gridRoute(250 + 60 * ((from + to) % 4), legs, {
          lat0: list[from]!.lat,
          lon0: list[from]!.lon,
          speedLimitKmh: 50,
          firstEdgeId: 100 * (from * places + to),
        });
        cache.set(key, r);
      }
      return r;
    },
    randomPlace(rng) {
      return rng.pick(list);
    },
  };
}
