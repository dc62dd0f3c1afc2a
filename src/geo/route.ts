// Fastest route between two nodes (A* on free-flow travel time at the speed limits, respecting oneway), and
// its dense polyline for the simulator to drive.
import { haversineM } from '../domain/units.ts';
import { MinHeap } from './graph.ts';
import type { RoadNetwork } from './network.ts';
import { UNLIMITED_KMH } from './speed-limits.ts';
import type { RoutePath, RoutePoint } from './types.ts';

export interface RouteOptions {
  /** Largest distance between consecutive route points, metres (default 10). */
  maxPointSpacingM?: number;
  /** Give up after settling this many nodes (default: the whole network). */
  maxSettledNodes?: number;
}

/** Cruise speed assumed where there is no limit (maxspeed=none), km/h. */
const NO_LIMIT_CRUISE_KMH = 130;

/** Free-flow speed on an edge for routing, m/s. */
export function freeFlowMps(speedLimitKmh: number): number {
  const kmh = speedLimitKmh >= UNLIMITED_KMH ? NO_LIMIT_CRUISE_KMH : Math.max(5, speedLimitKmh);
  return kmh / 3.6;
}

interface RouteCache {
  timeS: Float64Array;
  maxMps: number;
  g: Float64Array;
  stamp: Int32Array;
  closed: Int32Array;
  parentArc: Int32Array;
  run: number;
  heap: MinHeap;
}

const caches = new WeakMap<RoadNetwork, RouteCache>();

function cacheFor(net: RoadNetwork): RouteCache {
  let c = caches.get(net);
  if (!c) {
    const timeS = new Float64Array(net.edges.length);
    let maxMps = 1;
    for (const e of net.edges) {
      const v = freeFlowMps(e.speedLimitKmh);
      timeS[e.id] = e.lengthM / v;
      if (v > maxMps) maxMps = v;
    }
    const n = net.nodes.length;
    c = {
      timeS,
      maxMps,
      g: new Float64Array(n),
      stamp: new Int32Array(n),
      closed: new Int32Array(n),
      parentArc: new Int32Array(n),
      run: 0,
      heap: new MinHeap(),
    };
    caches.set(net, c);
  }
  return c;
}

/** Arcs (indexes into net.out*) of the fastest route, or null when toNode cannot be reached. */
export function fastestArcs(
  net: RoadNetwork,
  fromNode: number,
  toNode: number,
  maxSettled = Infinity,
): number[] | null {
  net.node(fromNode);
  const target = net.node(toNode);
  const c = cacheFor(net);
  const run = ++c.run;
  const { g, stamp, closed, parentArc, heap, timeS } = c;
  const h = (v: number): number => {
    const n = net.nodes[v]!;
    return haversineM(n.lat, n.lon, target.lat, target.lon) / c.maxMps;
  };
  heap.clear();
  g[fromNode] = 0;
  stamp[fromNode] = run;
  parentArc[fromNode] = -1;
  heap.push(h(fromNode), fromNode);
  let settled = 0;
  while (heap.size > 0) {
    const u = heap.pop();
    if (closed[u] === run) continue;
    closed[u] = run;
    if (u === toNode) break;
    if (++settled > maxSettled) return null;
    for (let k = net.outStart[u]!; k < net.outStart[u + 1]!; k++) {
      const v = net.outTo[k]!;
      if (closed[v] === run) continue;
      const cand = g[u]! + timeS[net.outEdge[k]!]!;
      if (stamp[v] !== run || cand < g[v]!) {
        stamp[v] = run;
        g[v] = cand;
        parentArc[v] = k;
        heap.push(cand + h(v), v);
      }
    }
  }
  if (closed[toNode] !== run) return null;
  const arcs: number[] = [];
  for (let v = toNode; v !== fromNode; ) {
    const k = parentArc[v]!;
    arcs.push(k);
    v = arcSource(net, k);
  }
  return arcs.reverse();
}

function arcSource(net: RoadNetwork, arc: number): number {
  const e = net.edges[net.outEdge[arc]!]!;
  return net.outForward[arc] ? e.fromNode : e.toNode;
}

/** The fastest route from one node to another, as dense points; null if unreachable or the same node. */
export function findRoute(
  net: RoadNetwork,
  fromNodeId: number,
  toNodeId: number,
  opts: RouteOptions = {},
): RoutePath | null {
  if (fromNodeId === toNodeId) return null;
  const arcs = fastestArcs(net, fromNodeId, toNodeId, opts.maxSettledNodes);
  if (!arcs) return null;
  return pathFromArcs(net, arcs, opts.maxPointSpacingM ?? 10);
}

/** Densifies a sequence of traversed arcs into route points no more than spacingM apart. */
export function pathFromArcs(net: RoadNetwork, arcs: number[], spacingM: number): RoutePath {
  const points: RoutePoint[] = [];
  const edgeIds: number[] = [];
  let distanceM = 0;
  let travelTimeS = 0;
  for (const arc of arcs) {
    const e = net.edges[net.outEdge[arc]!]!;
    const forward = net.outForward[arc] === 1;
    edgeIds.push(e.id);
    travelTimeS += e.lengthM / freeFlowMps(e.speedLimitKmh);
    const g = e.geometry;
    const count = g.length / 2;
    const at = (i: number): [number, number] => {
      const j = forward ? i : count - 1 - i;
      return [g[2 * j]!, g[2 * j + 1]!];
    };
    const base = { edgeId: e.id, speedLimitKmh: e.speedLimitKmh, roadClass: e.roadClass };
    if (points.length === 0) {
      const [lat, lon] = at(0);
      const start = forward ? e.fromNode : e.toNode;
      points.push({ lat, lon, distanceM: 0, ...base, junction: net.degree(start) >= 3 });
    } else {
      // The shared node point now belongs to this edge: it is where the vehicle enters it.
      Object.assign(points[points.length - 1]!, base);
    }
    for (let i = 1; i < count; i++) {
      const [aLat, aLon] = at(i - 1);
      const [bLat, bLon] = at(i);
      const segM = haversineM(aLat, aLon, bLat, bLon);
      if (segM === 0) continue;
      const steps = Math.ceil(segM / spacingM);
      for (let s = 1; s < steps; s++) {
        const t = s / steps;
        points.push({
          lat: aLat + t * (bLat - aLat),
          lon: aLon + t * (bLon - aLon),
          distanceM: distanceM + t * segM,
          ...base,
          junction: false,
        });
      }
      distanceM += segM;
      const isEnd = i === count - 1;
      const endNode = forward ? e.toNode : e.fromNode;
      points.push({ lat: bLat, lon: bLon, distanceM, ...base, junction: isEnd && net.degree(endNode) >= 3 });
    }
  }
  return { points, lengthM: distanceM, travelTimeS, edgeIds };
}
