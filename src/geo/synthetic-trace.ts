// Ground-truth GPS traces along a route, for tests and the map-matching benchmark: a speed profile with
// bounded acceleration and braking (slowing for junctions), sampled at a fixed rate, with optional Gaussian
// position noise. Not a vehicle simulator (that is src/sim); just enough to know the true edge of each fix.
import { M_PER_DEG_LAT, bearingDeg, cosDeg } from './geometry.ts';
import type { GpsFix } from './match.ts';
import type { RoutePath } from './types.ts';

/** Small, fast, seedable PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rand: () => number): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export interface TruthFix extends GpsFix {
  trueEdgeId: number;
  trueLat: number;
  trueLon: number;
}

export interface TraceOptions {
  startMs?: number;
  periodS?: number;
  /** Fraction of the limit the driver aims for (default 0.9). */
  speedFactor?: number;
  /** Position noise σ per axis, metres (default 0). */
  noiseM?: number;
  /** Heading noise σ, degrees (default 5 when noiseM > 0). */
  headingNoiseDeg?: number;
  /** Speed noise σ, m/s (default 0.5 when noiseM > 0; Doppler speed is far better than position). */
  speedNoiseMps?: number;
  /** Reported accuracyM (default: noiseM, or 5 when noiseless). */
  accuracyM?: number;
  rand?: () => number;
}

const ACCEL_MPS2 = 1.5;
const BRAKE_MPS2 = 2.5;
const JUNCTION_MPS = 7;
const MAX_MPS = 100 / 3.6;

/** Samples a route at a fixed period; the first fix is at the route start, the last at or before its end. */
export function sampleRoute(route: RoutePath, opts: TraceOptions = {}): TruthFix[] {
  const pts = route.points;
  const n = pts.length;
  const factor = opts.speedFactor ?? 0.9;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = pts[i]!;
    v[i] = Math.min(MAX_MPS, (p.speedLimitKmh / 3.6) * factor);
    if (p.junction) v[i] = Math.min(v[i]!, JUNCTION_MPS);
  }
  v[0] = 0;
  v[n - 1] = 0;
  for (let i = 1; i < n; i++) {
    const ds = pts[i]!.distanceM - pts[i - 1]!.distanceM;
    v[i] = Math.min(v[i]!, Math.sqrt(v[i - 1]! ** 2 + 2 * ACCEL_MPS2 * ds));
  }
  for (let i = n - 2; i >= 0; i--) {
    const ds = pts[i + 1]!.distanceM - pts[i]!.distanceM;
    v[i] = Math.min(v[i]!, Math.sqrt(v[i + 1]! ** 2 + 2 * BRAKE_MPS2 * ds));
  }
  // Constant acceleration between points: time is distance over mean speed (a floor keeps stops finite).
  const t = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const ds = pts[i]!.distanceM - pts[i - 1]!.distanceM;
    t[i] = t[i - 1]! + ds / Math.max(0.25, (v[i]! + v[i - 1]!) / 2);
  }
  const period = opts.periodS ?? 1;
  const startMs = opts.startMs ?? Date.UTC(2024, 4, 15, 8, 0, 0);
  const noise = opts.noiseM ?? 0;
  const rand = opts.rand ?? seededRandom(1);
  const headingNoise = opts.headingNoiseDeg ?? (noise > 0 ? 5 : 0);
  const speedNoise = opts.speedNoiseMps ?? (noise > 0 ? 0.5 : 0);
  const out: TruthFix[] = [];
  let i = 0;
  for (let ts = 0; ts <= t[n - 1]!; ts += period) {
    while (i < n - 2 && t[i + 1]! < ts) i++;
    const a = pts[i]!;
    const b = pts[i + 1]!;
    const dt = t[i + 1]! - t[i]!;
    const ds = b.distanceM - a.distanceM;
    const tau = Math.min(dt, Math.max(0, ts - t[i]!));
    // Speed changes linearly in time within the interval; its mean over the interval matches ds / dt.
    const mean = dt > 0 ? ds / dt : 0;
    const va = Math.min(v[i]!, 2 * mean);
    const acc = dt > 0 ? (2 * (mean - va)) / dt : 0;
    const trueSpeed = va + acc * tau;
    const f = ds > 0 ? Math.min(1, (va * tau + 0.5 * acc * tau * tau) / ds) : 0;
    const lat = a.lat + f * (b.lat - a.lat);
    const lon = a.lon + f * (b.lon - a.lon);
    const speedMps = Math.max(0, trueSpeed + (speedNoise ? gaussian(rand) * speedNoise : 0));
    const heading = bearingDeg(a.lat, a.lon, b.lat, b.lon);
    const nLat = noise ? (gaussian(rand) * noise) / M_PER_DEG_LAT : 0;
    const nLon = noise ? (gaussian(rand) * noise) / (M_PER_DEG_LAT * cosDeg(lat)) : 0;
    out.push({
      t: startMs + Math.round(ts * 1000),
      lat: lat + nLat,
      lon: lon + nLon,
      speedMps,
      headingDeg: (((heading + (headingNoise ? gaussian(rand) * headingNoise : 0)) % 360) + 360) % 360,
      accuracyM: opts.accuracyM ?? (noise || 5),
      trueEdgeId: a.edgeId,
      trueLat: lat,
      trueLon: lon,
    });
  }
  return out;
}
