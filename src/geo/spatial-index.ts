// A uniform grid over edge segments and nodes, in compressed (CSR) arrays: built once at load, queried
// per GPS fix by the matcher, so queries touch only typed arrays and a few cells.
import { M_PER_DEG_LAT, cosDeg, projectOnSegment } from './geometry.ts';
import type { RoadEdge, RoadNode } from './types.ts';

export interface BBox {
  minLat: number;
  minLon: number;
  maxLat: number;
  maxLon: number;
}

export interface EdgeHit {
  edge: RoadEdge;
  distanceM: number;
  offsetM: number;
}

/** Keep the grid at most this many cells (memory stays ~16 MB for continent-size boxes). */
const MAX_CELLS = 4_000_000;

export class SpatialGrid {
  private readonly cellLat: number;
  private readonly cellLon: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly segStart: Int32Array;
  private readonly segItems: Int32Array;
  private readonly nodeStart: Int32Array;
  private readonly nodeItems: Int32Array;
  /** Global segment index → edge, start offset along the edge, segment length. */
  private readonly segEdge: Int32Array;
  private readonly segFirst: Int32Array;
  private readonly segOffsetM: Float64Array;
  private readonly segLenM: Float64Array;
  // Scratch for per-query dedup of edges (a stamp avoids clearing arrays between queries).
  private readonly bestDist: Float64Array;
  private readonly bestOffset: Float64Array;
  private readonly stamp: Int32Array;
  private query = 0;

  constructor(
    private readonly bbox: BBox,
    private readonly nodes: readonly RoadNode[],
    private readonly edges: readonly RoadEdge[],
    segLengths: readonly Float64Array[],
    cellSizeM = 60,
  ) {
    const midCos = Math.max(0.05, cosDeg((bbox.minLat + bbox.maxLat) / 2));
    const hM = Math.max(1, (bbox.maxLat - bbox.minLat) * M_PER_DEG_LAT);
    const wM = Math.max(1, (bbox.maxLon - bbox.minLon) * M_PER_DEG_LAT * midCos);
    const size = Math.max(cellSizeM, Math.sqrt((hM * wM) / MAX_CELLS));
    this.cellLat = size / M_PER_DEG_LAT;
    this.cellLon = size / (M_PER_DEG_LAT * midCos);
    this.cols = Math.floor((bbox.maxLon - bbox.minLon) / this.cellLon) + 1;
    this.rows = Math.floor((bbox.maxLat - bbox.minLat) / this.cellLat) + 1;

    let segCount = 0;
    for (const g of segLengths) segCount += g.length;
    this.segEdge = new Int32Array(segCount);
    this.segFirst = new Int32Array(segCount);
    this.segOffsetM = new Float64Array(segCount);
    this.segLenM = new Float64Array(segCount);
    let s = 0;
    for (let e = 0; e < edges.length; e++) {
      let off = 0;
      const lens = segLengths[e]!;
      for (let i = 0; i < lens.length; i++, s++) {
        this.segEdge[s] = e;
        this.segFirst[s] = i;
        this.segOffsetM[s] = off;
        this.segLenM[s] = lens[i]!;
        off += lens[i]!;
      }
    }
    [this.segStart, this.segItems] = this.buildSegmentCells(segCount);
    [this.nodeStart, this.nodeItems] = this.buildNodeCells();
    this.bestDist = new Float64Array(edges.length);
    this.bestOffset = new Float64Array(edges.length);
    this.stamp = new Int32Array(edges.length);
  }

  private col(lon: number): number {
    return Math.min(this.cols - 1, Math.max(0, Math.floor((lon - this.bbox.minLon) / this.cellLon)));
  }

  private row(lat: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((lat - this.bbox.minLat) / this.cellLat)));
  }

  /** Two passes (count, fill) over each segment's bounding-box cells. */
  private buildSegmentCells(segCount: number): [Int32Array, Int32Array] {
    const start = new Int32Array(this.cols * this.rows + 1);
    const visit = (fn: (cell: number, seg: number) => void): void => {
      for (let s = 0; s < segCount; s++) {
        const g = this.edges[this.segEdge[s]!]!.geometry;
        const i = this.segFirst[s]! * 2;
        const r0 = this.row(Math.min(g[i]!, g[i + 2]!));
        const r1 = this.row(Math.max(g[i]!, g[i + 2]!));
        const c0 = this.col(Math.min(g[i + 1]!, g[i + 3]!));
        const c1 = this.col(Math.max(g[i + 1]!, g[i + 3]!));
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) fn(r * this.cols + c, s);
      }
    };
    visit((cell) => start[cell + 1]!++);
    for (let i = 1; i < start.length; i++) start[i]! += start[i - 1]!;
    const fill = start.slice(0, -1);
    const items = new Int32Array(start[start.length - 1]!);
    visit((cell, s) => {
      items[fill[cell]!++] = s;
    });
    return [start, items];
  }

  private buildNodeCells(): [Int32Array, Int32Array] {
    const start = new Int32Array(this.cols * this.rows + 1);
    const cellOf = (n: RoadNode): number => this.row(n.lat) * this.cols + this.col(n.lon);
    for (const n of this.nodes) start[cellOf(n) + 1]!++;
    for (let i = 1; i < start.length; i++) start[i]! += start[i - 1]!;
    const fill = start.slice(0, -1);
    const items = new Int32Array(this.nodes.length);
    for (const n of this.nodes) items[fill[cellOf(n)]!++] = n.id;
    return [start, items];
  }

  /** Edges within radiusM of the point, nearest first, at most `max`, each with its closest point. */
  nearestEdges(lat: number, lon: number, radiusM: number, max: number): EdgeHit[] {
    const cosLat = cosDeg(lat);
    const dLat = radiusM / M_PER_DEG_LAT;
    const dLon = radiusM / (M_PER_DEG_LAT * Math.max(0.05, cosLat));
    if (lat + dLat < this.bbox.minLat || lat - dLat > this.bbox.maxLat) return [];
    if (lon + dLon < this.bbox.minLon || lon - dLon > this.bbox.maxLon) return [];
    const q = ++this.query;
    const found: number[] = [];
    const r0 = this.row(lat - dLat);
    const r1 = this.row(lat + dLat);
    const c0 = this.col(lon - dLon);
    const c1 = this.col(lon + dLon);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.cols + c;
        for (let k = this.segStart[cell]!; k < this.segStart[cell + 1]!; k++) {
          const s = this.segItems[k]!;
          const e = this.segEdge[s]!;
          const g = this.edges[e]!.geometry;
          const i = this.segFirst[s]! * 2;
          const p = projectOnSegment(lat, lon, g[i]!, g[i + 1]!, g[i + 2]!, g[i + 3]!, cosLat);
          if (p.distanceM > radiusM) continue;
          if (this.stamp[e] !== q) {
            this.stamp[e] = q;
            this.bestDist[e] = Number.POSITIVE_INFINITY;
            found.push(e);
          }
          if (p.distanceM < this.bestDist[e]!) {
            this.bestDist[e] = p.distanceM;
            this.bestOffset[e] = this.segOffsetM[s]! + p.t * this.segLenM[s]!;
          }
        }
      }
    }
    found.sort((a, b) => this.bestDist[a]! - this.bestDist[b]! || a - b);
    const out: EdgeHit[] = [];
    for (let i = 0; i < found.length && i < max; i++) {
      const e = found[i]!;
      out.push({ edge: this.edges[e]!, distanceM: this.bestDist[e]!, offsetM: this.bestOffset[e]! });
    }
    return out;
  }

  /** Nearest graph node, searching outwards ring by ring; null only for an empty network. */
  nearestNode(lat: number, lon: number): RoadNode | null {
    if (this.nodes.length === 0) return null;
    const cr = this.row(lat);
    const cc = this.col(lon);
    const cosLat = cosDeg(lat);
    let best: RoadNode | null = null;
    let bestD2 = Number.POSITIVE_INFINITY;
    const cellM = this.cellLat * M_PER_DEG_LAT;
    for (let ring = 0; ring <= Math.max(this.rows, this.cols); ring++) {
      // Anything in ring r is at least (r - 1) cells away: stop once that exceeds the best found.
      if (best && (ring - 1) * cellM > Math.sqrt(bestD2)) break;
      for (let r = cr - ring; r <= cr + ring; r++) {
        if (r < 0 || r >= this.rows) continue;
        const edgeRow = r === cr - ring || r === cr + ring;
        for (let c = cc - ring; c <= cc + ring; c += edgeRow || ring === 0 ? 1 : 2 * ring) {
          if (c < 0 || c >= this.cols) continue;
          const cell = r * this.cols + c;
          for (let k = this.nodeStart[cell]!; k < this.nodeStart[cell + 1]!; k++) {
            const n = this.nodes[this.nodeItems[k]!]!;
            const dy = (n.lat - lat) * M_PER_DEG_LAT;
            const dx = (n.lon - lon) * M_PER_DEG_LAT * cosLat;
            const d2 = dx * dx + dy * dy;
            if (d2 < bestD2) {
              bestD2 = d2;
              best = n;
            }
          }
        }
      }
    }
    return best;
  }
}
