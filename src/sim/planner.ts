// The simulator's only dependency on the road network: routes between places and places to go. Backed by
// geo's RoadNetwork and A* in production; tests can pass any RoutePlanner.
import { findRoute, largestStronglyConnectedComponent, type RoadNetwork } from '../geo/index.ts';
import type { RoutePath } from '../geo/types.ts';
import type { Rng } from './rng.ts';

export interface Place {
  nodeId: number;
  lat: number;
  lon: number;
}

export interface RoutePlanner {
  route(fromNode: number, toNode: number): RoutePath | null;
  randomPlace(rng: Rng): Place;
  /** A place roughly within radiusM of `near` (falls back to anywhere). */
  placeNear?(rng: Rng, near: Place, radiusM: number): Place;
}

const HOME_CLASSES = new Set([
  'residential',
  'living_street',
  'unclassified',
  'tertiary',
  'service',
  'secondary',
]);

export interface NetworkPlannerOptions {
  /** Routes kept in memory (commutes repeat every day). */
  cacheSize?: number;
}

/** Places are nodes of the largest strongly connected component (every place reaches every other). */
export function networkPlanner(net: RoadNetwork, opts: NetworkPlannerOptions = {}): RoutePlanner {
  const scc = largestStronglyConnectedComponent(net);
  const inScc = new Uint8Array(net.nodes.length);
  for (const id of scc) inScc[id] = 1;
  // Trip ends sit on streets where people live, shop and work, not on motorway ramps.
  const candidates: number[] = [];
  for (const e of net.edges) {
    if (!HOME_CLASSES.has(e.roadClass)) continue;
    if (inScc[e.fromNode]) candidates.push(e.fromNode);
    if (inScc[e.toNode]) candidates.push(e.toNode);
  }
  const pool = candidates.length > 0 ? [...new Set(candidates)].sort((a, b) => a - b) : scc;
  if (pool.length < 2)
    throw new Error('the road network has fewer than two connected places to drive between');
  const cacheSize = opts.cacheSize ?? 4000;
  const cache = new Map<string, RoutePath | null>();
  const place = (id: number): Place => {
    const n = net.node(id);
    return { nodeId: id, lat: n.lat, lon: n.lon };
  };
  return {
    route(fromNode, toNode) {
      const key = `${fromNode}>${toNode}`;
      if (cache.has(key)) {
        const hit = cache.get(key)!;
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      const r = findRoute(net, fromNode, toNode);
      cache.set(key, r);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
      return r;
    },
    randomPlace(rng) {
      return place(pool[rng.int(pool.length)]!);
    },
    placeNear(rng, near, radiusM) {
      for (let attempt = 0; attempt < 12; attempt++) {
        const r = radiusM * Math.sqrt(rng.next());
        const th = rng.uniform(0, 2 * Math.PI);
        const lat = near.lat + (r * Math.sin(th)) / 111_195;
        const lon = near.lon + (r * Math.cos(th)) / (111_195 * Math.cos((near.lat * Math.PI) / 180));
        const hit = net.nearestNode(lat, lon);
        if (hit && inScc[hit.id] && hit.id !== near.nodeId) return place(hit.id);
      }
      return place(pool[rng.int(pool.length)]!);
    },
  };
}
