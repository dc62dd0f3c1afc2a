// Compact JSON form of a road network, for the database and fast start-up: columnar arrays, coordinates as
// delta-encoded integers of 1e-7 degrees (OSM's own precision, so a round trip is exact), names and classes
// interned. Lengths and indexes are recomputed on load.
import { RoadNetwork } from './network.ts';
import type { RoadClass, RoadEdge, RoadNode } from './types.ts';

export const NETWORK_FORMAT = 'openubi-road-network';
export const NETWORK_VERSION = 1;

export interface RoadNetworkJson {
  format: typeof NETWORK_FORMAT;
  version: number;
  countryCode: string | null;
  nodes: { latE7: number[]; lonE7: number[]; osmId: number[] | null };
  edges: {
    wayId: number[];
    fromNode: number[];
    toNode: number[];
    roadClass: number[];
    /** Index into names, -1 for none. */
    name: number[];
    oneway: number[];
    speedLimitKmh: number[];
    /** 1 tagged, 0 default. */
    speedLimitTagged: number[];
    /** Number of polyline points of each edge. */
    pointCount: number[];
  };
  classes: RoadClass[];
  names: string[];
  /** All edges' polylines back to back, each coordinate minus the previous one. */
  geometry: { latE7: number[]; lonE7: number[] };
}

const e7 = (deg: number): number => Math.round(deg * 1e7);

export function encodeNetwork(net: RoadNetwork): RoadNetworkJson {
  const classes: RoadClass[] = [];
  const classIdx = new Map<RoadClass, number>();
  const names: string[] = [];
  const nameIdx = new Map<string, number>();
  const intern = <T>(v: T, list: T[], idx: Map<T, number>): number => {
    let i = idx.get(v);
    if (i === undefined) {
      i = list.push(v) - 1;
      idx.set(v, i);
    }
    return i;
  };
  const edges: RoadNetworkJson['edges'] = {
    wayId: [],
    fromNode: [],
    toNode: [],
    roadClass: [],
    name: [],
    oneway: [],
    speedLimitKmh: [],
    speedLimitTagged: [],
    pointCount: [],
  };
  const geometry = { latE7: [] as number[], lonE7: [] as number[] };
  let prevLat = 0;
  let prevLon = 0;
  for (const e of net.edges) {
    edges.wayId.push(e.wayId);
    edges.fromNode.push(e.fromNode);
    edges.toNode.push(e.toNode);
    edges.roadClass.push(intern(e.roadClass, classes, classIdx));
    edges.name.push(e.name === null ? -1 : intern(e.name, names, nameIdx));
    edges.oneway.push(e.oneway ? 1 : 0);
    edges.speedLimitKmh.push(e.speedLimitKmh);
    edges.speedLimitTagged.push(e.speedLimitSource === 'tagged' ? 1 : 0);
    edges.pointCount.push(e.geometry.length / 2);
    for (let i = 0; i < e.geometry.length; i += 2) {
      const lat = e7(e.geometry[i]!);
      const lon = e7(e.geometry[i + 1]!);
      geometry.latE7.push(lat - prevLat);
      geometry.lonE7.push(lon - prevLon);
      prevLat = lat;
      prevLon = lon;
    }
  }
  return {
    format: NETWORK_FORMAT,
    version: NETWORK_VERSION,
    countryCode: net.countryCode,
    nodes: {
      latE7: net.nodes.map((n) => e7(n.lat)),
      lonE7: net.nodes.map((n) => e7(n.lon)),
      osmId: net.osmNodeIds ? Array.from(net.osmNodeIds) : null,
    },
    edges,
    classes,
    names,
    geometry,
  };
}

function fail(what: string): never {
  throw new Error(`not an ${NETWORK_FORMAT} v${NETWORK_VERSION} document: ${what}`);
}

export function decodeNetwork(input: unknown): RoadNetwork {
  const j = (typeof input === 'string' ? JSON.parse(input) : input) as RoadNetworkJson;
  if (!j || typeof j !== 'object' || j.format !== NETWORK_FORMAT) fail('missing format tag');
  if (j.version !== NETWORK_VERSION) fail(`version ${String(j.version)}`);
  const nodeCount = j.nodes.latE7.length;
  if (j.nodes.lonE7.length !== nodeCount) fail('nodes.lonE7 length');
  const nodes: RoadNode[] = [];
  for (let i = 0; i < nodeCount; i++)
    nodes.push({ id: i, lat: j.nodes.latE7[i]! / 1e7, lon: j.nodes.lonE7[i]! / 1e7 });
  const edges: RoadEdge[] = [];
  const E = j.edges.wayId.length;
  let p = 0;
  let lat = 0;
  let lon = 0;
  for (let i = 0; i < E; i++) {
    const count = j.edges.pointCount[i] ?? fail(`edges.pointCount[${i}]`);
    const geometry = new Float64Array(count * 2);
    for (let k = 0; k < count; k++, p++) {
      lat += j.geometry.latE7[p] ?? fail('geometry too short');
      lon += j.geometry.lonE7[p] ?? fail('geometry too short');
      geometry[2 * k] = lat / 1e7;
      geometry[2 * k + 1] = lon / 1e7;
    }
    const from = j.edges.fromNode[i]!;
    const to = j.edges.toNode[i]!;
    if (!(from >= 0 && from < nodeCount && to >= 0 && to < nodeCount))
      fail(`edge ${i} references a missing node`);
    const nameIdx = j.edges.name[i]!;
    edges.push({
      id: i,
      wayId: j.edges.wayId[i]!,
      fromNode: from,
      toNode: to,
      roadClass: j.classes[j.edges.roadClass[i]!] ?? fail(`edge ${i} class`),
      name: nameIdx < 0 ? null : (j.names[nameIdx] ?? fail(`edge ${i} name`)),
      oneway: j.edges.oneway[i] === 1,
      speedLimitKmh: j.edges.speedLimitKmh[i]!,
      speedLimitSource: j.edges.speedLimitTagged[i] === 1 ? 'tagged' : 'default',
      lengthM: 0,
      geometry,
    });
  }
  const net = new RoadNetwork({
    nodes,
    edges,
    ...(j.nodes.osmId ? { osmNodeIds: Float64Array.from(j.nodes.osmId) } : {}),
    countryCode: j.countryCode,
  });
  for (const e of edges) e.lengthM = net.segmentLengthsOf(e.id).reduce((a, b) => a + b, 0);
  return net;
}
