// Driving distance between points on edges (map-matching candidates), by a Dijkstra bounded in metres.
// One search per source serves all targets of the next fix. Scratch arrays are shared per network: searches
// are synchronous, so every matcher on one network can reuse them.
import { MinHeap } from './graph.ts';
import type { RoadNetwork } from './network.ts';

/** A position on the network: an edge and metres from its fromNode. */
export interface EdgePosition {
  edgeId: number;
  offsetM: number;
}

interface Scratch {
  dist: Float64Array;
  stamp: Int32Array;
  done: Int32Array;
  run: number;
  heap: MinHeap;
}

const scratches = new WeakMap<RoadNetwork, Scratch>();

function scratchFor(net: RoadNetwork): Scratch {
  let s = scratches.get(net);
  if (!s) {
    const n = net.nodes.length;
    s = {
      dist: new Float64Array(n),
      stamp: new Int32Array(n),
      done: new Int32Array(n),
      run: 0,
      heap: new MinHeap(),
    };
    scratches.set(net, s);
  }
  return s;
}

/**
 * Distances from `from` to each of `to` along allowed directions, Infinity beyond boundM.
 * On the same edge, a small backward step on a oneway (up to backToleranceM) counts as its length: GPS
 * noise of a slow or stopped vehicle, not a U-turn.
 */
export function routeDistances(
  net: RoadNetwork,
  from: EdgePosition,
  to: readonly EdgePosition[],
  boundM: number,
  backToleranceM: number,
  out: Float64Array = new Float64Array(to.length),
): Float64Array {
  const e1 = net.edges[from.edgeId]!;
  out.fill(Number.POSITIVE_INFINITY);
  let needSearch = false;
  for (let j = 0; j < to.length; j++) {
    const c = to[j]!;
    if (c.edgeId === from.edgeId) {
      const d = c.offsetM - from.offsetM;
      if (d >= 0) out[j] = d;
      else if (!e1.oneway || -d <= backToleranceM) out[j] = -d;
    }
    // A different edge, or the same one reached around a loop, needs the graph.
    if (c.edgeId !== from.edgeId || out[j] === Number.POSITIVE_INFINITY) needSearch = true;
  }
  if (!needSearch) return out;

  const s = scratchFor(net);
  const run = ++s.run;
  const { dist, stamp, done, heap } = s;
  heap.clear();
  const seed = (node: number, d: number): void => {
    if (d > boundM) return;
    if (stamp[node] !== run || d < dist[node]!) {
      stamp[node] = run;
      dist[node] = d;
      heap.push(d, node);
    }
  };
  seed(e1.toNode, e1.lengthM - from.offsetM);
  if (!e1.oneway) seed(e1.fromNode, from.offsetM);

  // Stop once every target's entry nodes are settled (or the bound is reached).
  let pending = 0;
  const want = new Set<number>();
  for (const c of to) {
    const e2 = net.edges[c.edgeId]!;
    want.add(e2.fromNode);
    if (!e2.oneway) want.add(e2.toNode);
  }
  pending = want.size;
  while (heap.size > 0 && pending > 0) {
    const du = heap.peekKey();
    const u = heap.pop();
    if (done[u] === run || du > dist[u]!) continue;
    done[u] = run;
    if (want.has(u)) pending--;
    for (let k = net.outStart[u]!; k < net.outStart[u + 1]!; k++) {
      const v = net.outTo[k]!;
      const dv = du + net.edges[net.outEdge[k]!]!.lengthM;
      if (dv <= boundM && done[v] !== run && (stamp[v] !== run || dv < dist[v]!)) {
        stamp[v] = run;
        dist[v] = dv;
        heap.push(dv, v);
      }
    }
  }
  const reached = (node: number): number => (done[node] === run ? dist[node]! : Number.POSITIVE_INFINITY);
  for (let j = 0; j < to.length; j++) {
    const c = to[j]!;
    const e2 = net.edges[c.edgeId]!;
    let d = reached(e2.fromNode) + c.offsetM;
    if (!e2.oneway) d = Math.min(d, reached(e2.toNode) + e2.lengthM - c.offsetM);
    if (d <= boundM && d < out[j]!) out[j] = d;
  }
  return out;
}
