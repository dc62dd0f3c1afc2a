// A route turned into what a car actually drives: evenly spaced, smoothed (cars cut corners, they do not
// turn on a point), with heading and signed curvature from the smoothed geometry, so the yaw rate
// (v·κ) and lateral acceleration (v²·κ) the sensors see agree with the positions GPS reports.
import type { RoadClass, RoutePath } from '../geo/types.ts';

const DEG = Math.PI / 180;
const R_EARTH_M = 6_371_008.8;

export interface Junction {
  /** Distance along the track, metres. */
  sM: number;
  /** Absolute heading change through the junction, radians (0 = straight on). */
  turnRad: number;
  roadClass: RoadClass;
}

export interface Track {
  dsM: number;
  n: number;
  lengthM: number;
  lat0: number;
  lon0: number;
  /** Smoothed local coordinates, metres east / north of (lat0, lon0). */
  x: Float64Array;
  y: Float64Array;
  /** Direction of travel, radians counter-clockwise from east (ENU yaw). */
  yawRad: Float64Array;
  /** Signed curvature, 1/m; positive turns left. */
  curvature: Float64Array;
  speedLimitMps: Float64Array;
  edgeId: Float64Array;
  roadClass: RoadClass[];
  junctions: Junction[];
}

export const TRACK_SPACING_M = 2;
/**
 * Half-width of each of the two moving-average passes that smooth the geometry: at least 8 m, more on fast
 * roads, whose real lanes are smoother than their digitised polylines (a 15° kink on a 90 km/h road is a
 * drawing artefact, not a bend drivers brake for).
 */
const SMOOTH_MIN_HALF_M = 8;
const SMOOTH_HALF_S = 0.6;
const MIN_RADIUS_M = 6;

export function buildTrack(route: RoutePath, dsM = TRACK_SPACING_M): Track {
  const pts = route.points;
  if (pts.length < 2) throw new Error('a route needs at least two points');
  const lat0 = pts[0]!.lat;
  const lon0 = pts[0]!.lon;
  const kx = R_EARTH_M * DEG * Math.cos(lat0 * DEG);
  const ky = R_EARTH_M * DEG;
  const m = pts.length;
  const px = new Float64Array(m);
  const py = new Float64Array(m);
  const cum = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    px[k] = (pts[k]!.lon - lon0) * kx;
    py[k] = (pts[k]!.lat - lat0) * ky;
    if (k > 0) cum[k] = cum[k - 1]! + Math.hypot(px[k]! - px[k - 1]!, py[k]! - py[k - 1]!);
  }
  const lengthM = cum[m - 1]!;
  const n = Math.max(2, Math.floor(lengthM / dsM) + 1);
  const rx = new Float64Array(n);
  const ry = new Float64Array(n);
  const speedLimitMps = new Float64Array(n);
  const edgeId = new Float64Array(n);
  const roadClass: RoadClass[] = new Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = Math.min(i * dsM, lengthM);
    while (k < m - 2 && cum[k + 1]! < s) k++;
    const segLen = cum[k + 1]! - cum[k]!;
    const f = segLen > 0 ? (s - cum[k]!) / segLen : 0;
    rx[i] = px[k]! + f * (px[k + 1]! - px[k]!);
    ry[i] = py[k]! + f * (py[k + 1]! - py[k]!);
    // A segment belongs to the edge of its near point: geo gives a shared node to the edge it enters.
    const p = pts[k]!;
    speedLimitMps[i] = p.speedLimitKmh / 3.6;
    edgeId[i] = p.edgeId;
    roadClass[i] = p.roadClass;
  }
  const half = new Int32Array(n);
  for (let i = 0; i < n; i++)
    half[i] = Math.max(1, Math.round(Math.max(SMOOTH_MIN_HALF_M, SMOOTH_HALF_S * speedLimitMps[i]!) / dsM));
  const x = smooth(smooth(rx, half), half);
  const y = smooth(smooth(ry, half), half);
  const { yawRad, curvature } = headingAndCurvature(x, y);
  const track: Track = {
    dsM,
    n,
    lengthM,
    lat0,
    lon0,
    x,
    y,
    yawRad,
    curvature,
    speedLimitMps,
    edgeId,
    roadClass,
    junctions: [],
  };
  for (let j = 1; j < m - 1; j++) {
    const p = pts[j]!;
    if (!p.junction) continue;
    const s = cum[j]!;
    const before = yawAt(track, s - 15);
    const after = yawAt(track, s + 15);
    track.junctions.push({ sM: s, turnRad: Math.abs(wrapPi(after - before)), roadClass: p.roadClass });
  }
  return track;
}

/** Centred moving average whose window shrinks near the ends, so the endpoints stay put. */
function smooth(v: Float64Array, half: Int32Array | number): Float64Array {
  const n = v.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + v[i]!;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = Math.min(typeof half === 'number' ? half : half[i]!, i, n - 1 - i);
    out[i] = (prefix[i + h + 1]! - prefix[i - h]!) / (2 * h + 1);
  }
  return out;
}

function headingAndCurvature(
  x: Float64Array,
  y: Float64Array,
): { yawRad: Float64Array; curvature: Float64Array } {
  const n = x.length;
  const yawRad = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    yawRad[i] = Math.atan2(y[b]! - y[a]!, x[b]! - x[a]!);
  }
  for (let i = 1; i < n; i++) yawRad[i] = yawRad[i - 1]! + wrapPi(yawRad[i]! - yawRad[i - 1]!);
  const raw = new Float64Array(n);
  const maxK = 1 / MIN_RADIUS_M;
  for (let i = 1; i < n - 1; i++) {
    const arc =
      Math.hypot(x[i]! - x[i - 1]!, y[i]! - y[i - 1]!) + Math.hypot(x[i + 1]! - x[i]!, y[i + 1]! - y[i]!);
    const kappa = arc > 1e-6 ? (yawRad[i + 1]! - yawRad[i - 1]!) / arc : 0;
    raw[i] = Math.max(-maxK, Math.min(maxK, kappa));
  }
  return { yawRad, curvature: smooth(raw, 2) };
}

export function wrapPi(a: number): number {
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

/** Linear interpolation of a per-point array at distance s. */
export function sampleAt(track: Track, arr: Float64Array, sM: number): number {
  const f = Math.max(0, Math.min(track.n - 1, sM / track.dsM));
  const i = Math.min(track.n - 2, Math.floor(f));
  const w = f - i;
  return arr[i]! * (1 - w) + arr[i + 1]! * w;
}

export function yawAt(track: Track, sM: number): number {
  return sampleAt(track, track.yawRad, sM);
}

export function indexAt(track: Track, sM: number): number {
  return Math.max(0, Math.min(track.n - 1, Math.round(sM / track.dsM)));
}

/** WGS84 position at distance s along the smoothed track. */
export function latLonAt(track: Track, sM: number): { lat: number; lon: number } {
  return localToLatLon(track, sampleAt(track, track.x, sM), sampleAt(track, track.y, sM));
}

export function localToLatLon(track: Track, xM: number, yM: number): { lat: number; lon: number } {
  const lat = track.lat0 + yM / (R_EARTH_M * DEG);
  const lon = track.lon0 + xM / (R_EARTH_M * DEG * Math.cos(track.lat0 * DEG));
  return { lat, lon };
}

/** ENU yaw (radians CCW from east) to a compass heading (degrees clockwise from north, [0, 360)). */
export function yawToHeadingDeg(yawRad: number): number {
  const h = 90 - yawRad / DEG;
  return ((h % 360) + 360) % 360;
}
