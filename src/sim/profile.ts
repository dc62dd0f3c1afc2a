// The speeds a given driver would choose at each point of a track if nothing else were in the way: the
// posted limit times the driver's speed factor (capped in traffic), and the curve speed at which the lateral
// acceleration v²·|κ| equals the driver's accepted limit: v = sqrt(a_lat / |κ|) = sqrt(a_lat) · |κ|^-½.
// Nothing is allocated per trip: the per-point parts are cached on the track, the driver parts are scalars.
import type { SlowZone } from './dynamics.ts';
import type { DrivingParams } from './styles.ts';
import type { Track } from './track.ts';

/** Curvature below this counts as straight (radius 100 km). */
const MIN_CURVATURE = 1e-5;

export interface TrackSpeedCache {
  /** |κ|^-½ per point, and its min over points j, j+1 (a lookahead stepping two points never misses a dip). */
  invSqrtK: Float64Array;
  invSqrtKPairMin: Float64Array;
  /** Posted limit, min over points j, j+1, m/s. */
  limitPairMin: Float64Array;
}

const caches = new WeakMap<Track, TrackSpeedCache>();

export function speedCache(track: Track): TrackSpeedCache {
  let c = caches.get(track);
  if (!c) {
    const n = track.n;
    const invSqrtK = new Float64Array(n);
    for (let i = 0; i < n; i++)
      invSqrtK[i] = 1 / Math.sqrt(Math.max(Math.abs(track.curvature[i]!), MIN_CURVATURE));
    const invSqrtKPairMin = new Float64Array(n);
    const limitPairMin = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = Math.min(n - 1, i + 1);
      invSqrtKPairMin[i] = Math.min(invSqrtK[i]!, invSqrtK[k]!);
      limitPairMin[i] = Math.min(track.speedLimitMps[i]!, track.speedLimitMps[k]!);
    }
    c = { invSqrtK, invSqrtKPairMin, limitPairMin };
    caches.set(track, c);
  }
  return c;
}

export interface Profile {
  track: Track;
  cache: TrackSpeedCache;
  speedFactor: number;
  sqrtLateral: number;
  zones: readonly SlowZone[];
}

export function curveSpeedMps(lateralLimitMps2: number, curvaturePerM: number): number {
  return Math.sqrt(lateralLimitMps2 / Math.max(Math.abs(curvaturePerM), MIN_CURVATURE));
}

export function buildProfile(track: Track, zones: readonly SlowZone[], p: DrivingParams): Profile {
  return {
    track,
    cache: speedCache(track),
    speedFactor: p.speedFactor,
    sqrtLateral: Math.sqrt(p.lateralLimitMps2),
    zones,
  };
}

/** Traffic cap at distance s, or +∞. */
export function zoneCap(zones: readonly SlowZone[], sM: number): number {
  let cap = Number.POSITIVE_INFINITY;
  for (const z of zones) if (sM >= z.fromM && sM <= z.toM && z.capMps < cap) cap = z.capMps;
  return cap;
}

/** Desired speed from the limit (times the speed factor, capped by traffic) at point i, m/s. */
export function limitTargetAt(pr: Profile, i: number): number {
  const v = pr.track.speedLimitMps[i]! * pr.speedFactor;
  return pr.zones.length === 0 ? v : Math.min(v, zoneCap(pr.zones, i * pr.track.dsM));
}

/** Curve speed at point i, m/s. */
export function curveAt(pr: Profile, i: number): number {
  return pr.sqrtLateral * pr.cache.invSqrtK[i]!;
}
