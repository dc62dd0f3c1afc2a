// A small OpenStreetMap PBF decoder (https://wiki.openstreetmap.org/wiki/PBF_Format): BlobHeader/Blob framing,
// zlib or raw blobs, PrimitiveBlocks with DenseNodes, plain Nodes and Ways. Relations are skipped (not needed
// for a road graph). Written on `pbf` + node:zlib rather than an npm OSM parser: the candidates are
// callback/stream era CommonJS (osm-read, osm-pbf-parser) and we need only ~150 lines of it.
import { inflateSync } from 'node:zlib';
import { PbfReader } from 'pbf';

export interface OsmWay {
  id: number;
  refs: number[];
  tags: Record<string, string>;
}

/** Node coordinates in 1e-7 degrees (the OSM database's own precision), so round trips are exact. */
export type OsmNodeSink = (id: number, latE7: number, lonE7: number) => void;

export interface OsmHeader {
  requiredFeatures: string[];
  writingProgram: string | null;
}

interface RawBlob {
  type: string;
  data: Uint8Array;
}

/** Splits the file into its blobs and inflates each one. */
export function* readBlobs(buf: Uint8Array): Generator<RawBlob> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  while (pos < buf.length) {
    if (pos + 4 > buf.length) throw new Error(`truncated OSM PBF at byte ${pos}`);
    const headerLen = view.getUint32(pos);
    pos += 4;
    const header = new PbfReader(buf.subarray(pos, pos + headerLen)).readFields(
      (tag, h: { type: string; dataSize: number }, p) => {
        if (tag === 1) h.type = p.readString();
        else if (tag === 3) h.dataSize = p.readVarint();
      },
      { type: '', dataSize: 0 },
    );
    pos += headerLen;
    if (pos + header.dataSize > buf.length) throw new Error(`truncated OSM PBF blob at byte ${pos}`);
    const blob = new PbfReader(buf.subarray(pos, pos + header.dataSize)).readFields(
      (tag, b: { raw: Uint8Array | null; zlib: Uint8Array | null; other: number }, p) => {
        if (tag === 1) b.raw = p.readBytes();
        else if (tag === 3) b.zlib = p.readBytes();
        else if (tag === 4 || tag === 6 || tag === 7) b.other = tag;
      },
      { raw: null, zlib: null, other: 0 },
    );
    pos += header.dataSize;
    if (blob.other) throw new Error(`unsupported OSM PBF blob compression (Blob field ${blob.other})`);
    const data = blob.raw ?? (blob.zlib ? new Uint8Array(inflateSync(blob.zlib)) : null);
    if (!data) throw new Error(`empty OSM PBF blob of type ${header.type}`);
    yield { type: header.type, data };
  }
}

export function readHeader(data: Uint8Array): OsmHeader {
  return new PbfReader(data).readFields(
    (tag, h: OsmHeader, p) => {
      if (tag === 4) h.requiredFeatures.push(p.readString());
      else if (tag === 16) h.writingProgram = p.readString();
    },
    { requiredFeatures: [], writingProgram: null },
  );
}

interface Block {
  strings: string[];
  groups: Uint8Array[];
  granularity: number;
  latOffset: number;
  lonOffset: number;
}

function readBlock(data: Uint8Array): Block {
  const decoder = new TextDecoder();
  return new PbfReader(data).readFields(
    (tag, b: Block, p) => {
      if (tag === 1) {
        p.readMessage((t, s: string[], q) => {
          if (t === 1) s.push(decoder.decode(q.readBytes()));
        }, b.strings);
      } else if (tag === 2) b.groups.push(p.readBytes());
      else if (tag === 17) b.granularity = p.readVarint();
      else if (tag === 19) b.latOffset = p.readVarint(true);
      else if (tag === 20) b.lonOffset = p.readVarint(true);
    },
    { strings: [], groups: [], granularity: 100, latOffset: 0, lonOffset: 0 },
  );
}

const tagsOf = (strings: string[], keys: number[], vals: number[]): Record<string, string> => {
  const tags: Record<string, string> = {};
  for (let i = 0; i < keys.length; i++) tags[strings[keys[i]!] ?? ''] = strings[vals[i]!] ?? '';
  return tags;
};

function readWay(data: Uint8Array, strings: string[]): OsmWay {
  const w = new PbfReader(data).readFields(
    (tag, r: { id: number; keys: number[]; vals: number[]; refs: number[] }, p) => {
      if (tag === 1) r.id = p.readVarint();
      else if (tag === 2) p.readPackedVarint(r.keys);
      else if (tag === 3) p.readPackedVarint(r.vals);
      else if (tag === 8) p.readPackedSVarint(r.refs);
    },
    { id: 0, keys: [], vals: [], refs: [] },
  );
  for (let i = 1; i < w.refs.length; i++) w.refs[i]! += w.refs[i - 1]!;
  return { id: w.id, refs: w.refs, tags: tagsOf(strings, w.keys, w.vals) };
}

/** Converts block coordinates (granularity units, nanodegrees offset) to 1e-7 degrees. */
const toE7 = (v: number, offset: number, granularity: number): number =>
  Math.round((offset + granularity * v) / 100);

function readDense(data: Uint8Array, b: Block, sink: OsmNodeSink): void {
  const d = new PbfReader(data).readFields(
    (tag, r: { ids: number[]; lats: number[]; lons: number[] }, p) => {
      if (tag === 1) p.readPackedSVarint(r.ids);
      else if (tag === 8) p.readPackedSVarint(r.lats);
      else if (tag === 9) p.readPackedSVarint(r.lons);
    },
    { ids: [], lats: [], lons: [] },
  );
  let id = 0;
  let lat = 0;
  let lon = 0;
  for (let i = 0; i < d.ids.length; i++) {
    id += d.ids[i]!;
    lat += d.lats[i]!;
    lon += d.lons[i]!;
    sink(id, toE7(lat, b.latOffset, b.granularity), toE7(lon, b.lonOffset, b.granularity));
  }
}

function readNode(data: Uint8Array, b: Block, sink: OsmNodeSink): void {
  const n = new PbfReader(data).readFields(
    (tag, r: { id: number; lat: number; lon: number }, p) => {
      if (tag === 1) r.id = p.readSVarint();
      else if (tag === 8) r.lat = p.readSVarint();
      else if (tag === 9) r.lon = p.readSVarint();
    },
    { id: 0, lat: 0, lon: 0 },
  );
  sink(n.id, toE7(n.lat, b.latOffset, b.granularity), toE7(n.lon, b.lonOffset, b.granularity));
}

export interface DecodeHandlers {
  way?: (w: OsmWay) => void;
  node?: OsmNodeSink;
}

const SUPPORTED_FEATURES = new Set([
  'OsmSchema-V0.6',
  'DenseNodes',
  'HistoricalInformation',
  'Sort.Type_then_ID',
]);

/** Walks every primitive of the file, calling only the handlers given (skipping the rest cheaply). */
export function decodeOsmPbf(buf: Uint8Array, handlers: DecodeHandlers): OsmHeader | null {
  let header: OsmHeader | null = null;
  for (const blob of readBlobs(buf)) {
    if (blob.type === 'OSMHeader') {
      header = readHeader(blob.data);
      const unsupported = header.requiredFeatures.filter((f) => !SUPPORTED_FEATURES.has(f));
      if (unsupported.length)
        throw new Error(`OSM PBF needs unsupported features: ${unsupported.join(', ')}`);
      continue;
    }
    if (blob.type !== 'OSMData') continue;
    const block = readBlock(blob.data);
    for (const group of block.groups) {
      new PbfReader(group).readFields((tag, _r: null, p) => {
        if (tag === 1 && handlers.node) readNode(p.readBytes(), block, handlers.node);
        else if (tag === 2 && handlers.node) readDense(p.readBytes(), block, handlers.node);
        else if (tag === 3 && handlers.way) handlers.way(readWay(p.readBytes(), block.strings));
      }, null);
    }
  }
  return header;
}
