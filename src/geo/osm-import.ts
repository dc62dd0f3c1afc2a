// OSM extract → RoadNetwork. Two passes over the file: the drivable ways first (to learn which nodes
// matter and which are junctions), then only those nodes' coordinates, so memory follows the road
// network rather than the extract. Ways are cut into edges at junctions (nodes shared by several ways
// or used twice by one) and at their ends.
import { readFile } from 'node:fs/promises';
import { polylineLengthM } from './geometry.ts';
import { RoadNetwork } from './network.ts';
import { decodeOsmPbf } from './osm-pbf.ts';
import { isDrivable, onewayOf, roadClassOf } from './osm-tags.ts';
import { speedLimitOf } from './speed-limits.ts';
import type { RoadClass, RoadEdge, RoadNode, SpeedLimitSource } from './types.ts';

export interface ImportOptions {
  /** ISO 3166-1 alpha-2 country whose legal default speed limits apply to untagged roads. */
  countryCode?: string;
  /** Country by location, for extracts that cross borders; wins over countryCode where it answers. */
  countryAt?: (lat: number, lon: number) => string | undefined;
}

export interface ImportSummary {
  osm: {
    nodes: number;
    ways: number;
    highwayWays: number;
    drivableWays: number;
    drivableWaysWithMaxspeed: number;
  };
  network: {
    nodes: number;
    edges: number;
    lengthKm: number;
    kmByClass: Partial<Record<RoadClass, number>>;
    onewayEdges: number;
    /** Share of edges (and of road length) whose limit is tagged rather than a legal default. */
    taggedLimitShareEdges: number;
    taggedLimitShareKm: number;
  };
  /** Way node references missing from the extract (ways clipped at its border); those ways are cut there. */
  missingNodeRefs: number;
  countryCode: string | null;
}

interface WayRecord {
  id: number;
  refs: number[];
  roadClass: RoadClass;
  name: string | null;
  oneway: 1 | -1 | 0;
  tags: Record<string, string>;
}

export async function loadOsmPbf(path: string, opts: ImportOptions = {}): Promise<RoadNetwork> {
  return (await importOsmPbf(path, opts)).network;
}

export async function importOsmPbf(
  path: string,
  opts: ImportOptions = {},
): Promise<{ network: RoadNetwork; summary: ImportSummary }> {
  return importOsmBuffer(await readFile(path), opts);
}

export function importOsmBuffer(
  buf: Uint8Array,
  opts: ImportOptions = {},
): { network: RoadNetwork; summary: ImportSummary } {
  const ways: WayRecord[] = [];
  const uses = new Map<number, number>();
  const osm = { nodes: 0, ways: 0, highwayWays: 0, drivableWays: 0, drivableWaysWithMaxspeed: 0 };
  decodeOsmPbf(buf, {
    way: (w) => {
      osm.ways++;
      if (w.tags['highway'] !== undefined) osm.highwayWays++;
      if (!isDrivable(w.tags) || w.refs.length < 2) return;
      osm.drivableWays++;
      if (w.tags['maxspeed'] !== undefined) osm.drivableWaysWithMaxspeed++;
      const roadClass = roadClassOf(w.tags)!;
      ways.push({
        id: w.id,
        refs: w.refs,
        roadClass,
        name: w.tags['name'] ?? null,
        oneway: onewayOf(w.tags),
        tags: w.tags,
      });
      for (let i = 0; i < w.refs.length; i++) {
        const r = w.refs[i]!;
        // Way ends count double so they always become graph nodes.
        const weight = i === 0 || i === w.refs.length - 1 ? 2 : 1;
        uses.set(r, (uses.get(r) ?? 0) + weight);
      }
    },
  });
  const coords = new Map<number, [number, number]>();
  decodeOsmPbf(buf, {
    node: (id, latE7, lonE7) => {
      osm.nodes++;
      if (uses.has(id)) coords.set(id, [latE7 / 1e7, lonE7 / 1e7]);
    },
  });
  return assemble(ways, uses, coords, osm, opts);
}

function assemble(
  ways: WayRecord[],
  uses: Map<number, number>,
  coords: Map<number, [number, number]>,
  osm: ImportSummary['osm'],
  opts: ImportOptions,
): { network: RoadNetwork; summary: ImportSummary } {
  const nodes: RoadNode[] = [];
  const osmIds: number[] = [];
  const nodeIdOf = new Map<number, number>();
  const graphNode = (osmId: number): number => {
    let id = nodeIdOf.get(osmId);
    if (id === undefined) {
      const [lat, lon] = coords.get(osmId)!;
      id = nodes.push({ id: nodes.length, lat, lon }) - 1;
      osmIds.push(osmId);
      nodeIdOf.set(osmId, id);
    }
    return id;
  };
  const edges: RoadEdge[] = [];
  let missingNodeRefs = 0;
  for (const w of ways) {
    const refs = w.oneway === -1 ? [...w.refs].reverse() : w.refs;
    const mid = coords.get(refs[refs.length >> 1]!);
    const country = (mid && opts.countryAt?.(mid[0], mid[1])) || opts.countryCode;
    const limit = speedLimitOf(w.roadClass, w.tags, w.oneway, country);
    let piece: number[] = [];
    const flush = (): void => {
      if (piece.length >= 2) edges.push(makeEdge(edges.length, w, piece, graphNode, coords, limit));
      piece = [];
    };
    for (const r of refs) {
      if (!coords.has(r)) {
        missingNodeRefs++;
        flush();
        continue;
      }
      if (piece[piece.length - 1] === r) continue;
      piece.push(r);
      if (piece.length >= 2 && (uses.get(r) ?? 0) >= 2) {
        flush();
        piece.push(r);
      }
    }
    flush();
  }
  const network = new RoadNetwork({
    nodes,
    edges,
    osmNodeIds: Float64Array.from(osmIds),
    countryCode: opts.countryCode ?? null,
  });
  return { network, summary: summarize(network, osm, missingNodeRefs) };
}

function makeEdge(
  id: number,
  w: WayRecord,
  piece: number[],
  graphNode: (osmId: number) => number,
  coords: Map<number, [number, number]>,
  limit: { kmh: number; source: SpeedLimitSource },
): RoadEdge {
  const geometry = new Float64Array(piece.length * 2);
  piece.forEach((r, i) => {
    const [lat, lon] = coords.get(r)!;
    geometry[2 * i] = lat;
    geometry[2 * i + 1] = lon;
  });
  return {
    id,
    wayId: w.id,
    fromNode: graphNode(piece[0]!),
    toNode: graphNode(piece[piece.length - 1]!),
    roadClass: w.roadClass,
    name: w.name,
    oneway: w.oneway !== 0,
    speedLimitKmh: limit.kmh,
    speedLimitSource: limit.source,
    lengthM: polylineLengthM(geometry),
    geometry,
  };
}

export function summarize(
  network: RoadNetwork,
  osm: ImportSummary['osm'],
  missingNodeRefs = 0,
): ImportSummary {
  const kmByClass: Partial<Record<RoadClass, number>> = {};
  let totalM = 0;
  let taggedM = 0;
  let tagged = 0;
  let oneway = 0;
  for (const e of network.edges) {
    kmByClass[e.roadClass] = (kmByClass[e.roadClass] ?? 0) + e.lengthM / 1000;
    totalM += e.lengthM;
    if (e.speedLimitSource === 'tagged') {
      tagged++;
      taggedM += e.lengthM;
    }
    if (e.oneway) oneway++;
  }
  const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
  for (const k of Object.keys(kmByClass) as RoadClass[]) kmByClass[k] = round(kmByClass[k]!);
  return {
    osm,
    network: {
      nodes: network.nodes.length,
      edges: network.edges.length,
      lengthKm: round(totalM / 1000),
      kmByClass,
      onewayEdges: oneway,
      taggedLimitShareEdges: round(network.edges.length ? tagged / network.edges.length : 0, 4),
      taggedLimitShareKm: round(totalM ? taggedM / totalM : 0, 4),
    },
    missingNodeRefs,
    countryCode: network.countryCode,
  };
}
