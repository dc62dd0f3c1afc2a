// The road network in memory: nodes and edges as in the contract (types.ts), plus what queries need:
// a spatial grid, directed adjacency in CSR arrays, per-segment lengths. Immutable after construction.
import { bearingDeg } from '../domain/units.ts';
import { segmentLengths } from './geometry.ts';
import { type RoadNetworkJson, decodeNetwork, encodeNetwork } from './network-json.ts';
import { type BBox, type EdgeHit, SpatialGrid } from './spatial-index.ts';
import type { RoadEdge, RoadNode } from './types.ts';

export type { BBox, EdgeHit };

export interface RoadNetworkInit {
  /** Dense ids: nodes[i].id === i. */
  nodes: RoadNode[];
  /** Dense ids: edges[i].id === i; a oneway edge is stored in its direction of travel. */
  edges: RoadEdge[];
  /** OSM node id of each graph node, when known (aligned with nodes). */
  osmNodeIds?: Float64Array;
  countryCode?: string | null;
}

export interface PointOnEdge {
  lat: number;
  lon: number;
  /** Bearing of the edge at that point, in the edge's from→to direction, degrees. */
  bearingDeg: number;
}

export class RoadNetwork {
  readonly nodes: readonly RoadNode[];
  readonly edges: readonly RoadEdge[];
  readonly osmNodeIds: Float64Array | null;
  readonly countryCode: string | null;
  readonly bbox: BBox;
  /** Outgoing arcs of node n are outEdge/outTo/outForward[outStart[n] .. outStart[n+1]). */
  readonly outStart: Int32Array;
  readonly outEdge: Int32Array;
  readonly outTo: Int32Array;
  /** 1 when the arc runs along the edge's geometry (fromNode → toNode), 0 against it. */
  readonly outForward: Uint8Array;
  private readonly segLens: Float64Array[];
  private readonly degrees: Int32Array;
  private readonly grid: SpatialGrid;

  constructor(init: RoadNetworkInit) {
    this.nodes = init.nodes;
    this.edges = init.edges;
    this.osmNodeIds = init.osmNodeIds ?? null;
    this.countryCode = init.countryCode ?? null;
    init.nodes.forEach((n, i) => {
      if (n.id !== i) throw new Error(`node ids must be dense: nodes[${i}].id is ${n.id}`);
    });
    init.edges.forEach((e, i) => {
      if (e.id !== i) throw new Error(`edge ids must be dense: edges[${i}].id is ${e.id}`);
    });
    this.bbox = bboxOf(init.nodes, init.edges);
    this.segLens = init.edges.map((e) => segmentLengths(e.geometry));
    this.degrees = new Int32Array(init.nodes.length);
    for (const e of init.edges) {
      this.degrees[e.fromNode]!++;
      this.degrees[e.toNode]!++;
    }
    const n = init.nodes.length;
    this.outStart = new Int32Array(n + 1);
    for (const e of init.edges) {
      this.outStart[e.fromNode + 1]!++;
      if (!e.oneway) this.outStart[e.toNode + 1]!++;
    }
    for (let i = 1; i <= n; i++) this.outStart[i]! += this.outStart[i - 1]!;
    const arcs = this.outStart[n]!;
    this.outEdge = new Int32Array(arcs);
    this.outTo = new Int32Array(arcs);
    this.outForward = new Uint8Array(arcs);
    const fill = this.outStart.slice(0, n);
    for (const e of init.edges) {
      let k = fill[e.fromNode]!++;
      this.outEdge[k] = e.id;
      this.outTo[k] = e.toNode;
      this.outForward[k] = 1;
      if (!e.oneway) {
        k = fill[e.toNode]!++;
        this.outEdge[k] = e.id;
        this.outTo[k] = e.fromNode;
        this.outForward[k] = 0;
      }
    }
    this.grid = new SpatialGrid(this.bbox, init.nodes, init.edges, this.segLens);
  }

  edge(id: number): RoadEdge {
    const e = this.edges[id];
    if (!e) throw new RangeError(`no edge ${id} (network has ${this.edges.length})`);
    return e;
  }

  node(id: number): RoadNode {
    const n = this.nodes[id];
    if (!n) throw new RangeError(`no node ${id} (network has ${this.nodes.length})`);
    return n;
  }

  /** Number of edge ends at the node (a junction has 3 or more). */
  degree(nodeId: number): number {
    return this.degrees[nodeId] ?? 0;
  }

  nearestNode(lat: number, lon: number): RoadNode | null {
    return this.grid.nearestNode(lat, lon);
  }

  /** Edges within radiusM, nearest first, at most `max`; offsetM is measured from the edge's fromNode. */
  nearestEdges(lat: number, lon: number, radiusM: number, max: number): EdgeHit[] {
    return this.grid.nearestEdges(lat, lon, radiusM, max);
  }

  /** Segment lengths of an edge's polyline, metres (they sum to lengthM). */
  segmentLengthsOf(edgeId: number): Float64Array {
    return this.segLens[edgeId]!;
  }

  /** The point offsetM metres along the edge from its fromNode (clamped to the edge). */
  pointAt(edgeId: number, offsetM: number): PointOnEdge {
    const g = this.edge(edgeId).geometry;
    const lens = this.segLens[edgeId]!;
    let rest = Math.max(0, offsetM);
    let i = 0;
    while (i < lens.length - 1 && rest > lens[i]!) rest -= lens[i++]!;
    const len = lens[i] ?? 0;
    const t = len > 0 ? Math.min(1, rest / len) : 0;
    const aLat = g[2 * i]!;
    const aLon = g[2 * i + 1]!;
    const bLat = g[2 * i + 2] ?? aLat;
    const bLon = g[2 * i + 3] ?? aLon;
    return {
      lat: aLat + t * (bLat - aLat),
      lon: aLon + t * (bLon - aLon),
      bearingDeg: bearingDeg(aLat, aLon, bLat, bLon),
    };
  }

  toJSON(): RoadNetworkJson {
    return encodeNetwork(this);
  }

  static fromJSON(json: unknown): RoadNetwork {
    return decodeNetwork(json);
  }
}

function bboxOf(nodes: readonly RoadNode[], edges: readonly RoadEdge[]): BBox {
  const b = { minLat: 90, minLon: 180, maxLat: -90, maxLon: -180 };
  const add = (lat: number, lon: number): void => {
    if (lat < b.minLat) b.minLat = lat;
    if (lat > b.maxLat) b.maxLat = lat;
    if (lon < b.minLon) b.minLon = lon;
    if (lon > b.maxLon) b.maxLon = lon;
  };
  for (const n of nodes) add(n.lat, n.lon);
  for (const e of edges)
    for (let i = 0; i < e.geometry.length; i += 2) add(e.geometry[i]!, e.geometry[i + 1]!);
  if (b.minLat > b.maxLat) return { minLat: 0, minLon: 0, maxLat: 0, maxLon: 0 };
  return b;
}
