// Small planar helpers: at the scale of a match radius (tens of metres) an equirectangular projection around
// the query point is accurate to well under a centimetre, and far cheaper than spherical formulas.
import { EARTH_RADIUS_M, bearingDeg, haversineM } from '../domain/units.ts';

export const M_PER_DEG_LAT = (Math.PI / 180) * EARTH_RADIUS_M;
const RAD = Math.PI / 180;

export interface SegmentProjection {
  /** Distance from the point to the segment, metres. */
  distanceM: number;
  /** Position of the closest point along the segment, 0..1. */
  t: number;
}

/** Closest point of segment (aLat,aLon)-(bLat,bLon) to (lat,lon), planar around the point. */
export function projectOnSegment(
  lat: number,
  lon: number,
  aLat: number,
  aLon: number,
  bLat: number,
  bLon: number,
  cosLat: number,
): SegmentProjection {
  const kx = M_PER_DEG_LAT * cosLat;
  const ax = (aLon - lon) * kx;
  const ay = (aLat - lat) * M_PER_DEG_LAT;
  const dx = (bLon - aLon) * kx;
  const dy = (bLat - aLat) * M_PER_DEG_LAT;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const px = ax + t * dx;
  const py = ay + t * dy;
  return { distanceM: Math.sqrt(px * px + py * py), t };
}

export const cosDeg = (deg: number): number => Math.cos(deg * RAD);

/** Lengths of each segment of a flattened [lat, lon, ...] polyline, metres. */
export function segmentLengths(geometry: Float64Array): Float64Array {
  const n = geometry.length / 2 - 1;
  const out = new Float64Array(Math.max(0, n));
  for (let i = 0; i < n; i++) {
    out[i] = haversineM(geometry[2 * i]!, geometry[2 * i + 1]!, geometry[2 * i + 2]!, geometry[2 * i + 3]!);
  }
  return out;
}

export function polylineLengthM(geometry: Float64Array): number {
  let sum = 0;
  for (const l of segmentLengths(geometry)) sum += l;
  return sum;
}

/** Smallest absolute difference between two headings, degrees in [0, 180]. */
export function headingDiffDeg(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return d > 180 ? 360 - d : d;
}

export { bearingDeg, haversineM };
