// What the driver reads off the road ahead: the binding target (the slower speed or stop line that most
// restricts how fast they may go now), the braking envelope to it, and the deceleration still needed.
import type { StopPoint } from './dynamics.ts';
import { type Profile, zoneCap } from './profile.ts';
import type { DrivingParams } from './styles.ts';

export const STOP_STANDOFF_M = 1.0;
/** Braking starts when the need reaches this share of the onset (1: exactly at the onset). */
const BRAKE_TRIGGER = 1;
/** Multiplier on curve/limit targets before braking for them (1: none tolerated). */
const STATIC_TOLERANCE = 1.0;
/** Drivers slow for a bend more gently than for a stop line they chose to approach fast. */
const CURVE_ONSET_FACTOR = 0.75;

export interface Binding {
  sM: number;
  vMps: number;
  onset: number;
  stop: StopPoint | null;
}

export function requiredDecel(b: Binding, s: number, v: number): number {
  const d = b.sM - s - (b.stop ? STOP_STANDOFF_M : 0);
  if (v <= b.vMps) return 0;
  const need = (v * v - b.vMps * b.vMps) / (2 * Math.max(d, 0.3));
  // The last metres to a stop line are taken gently, even if the car rolls up to the line itself.
  return b.stop && d < 2.5 ? Math.min(need, Math.max(1.1 * b.onset, 1.5)) : need;
}

/**
 * The most restrictive target within sight: the one whose braking envelope sqrt(vt² + 2·b·d) — the speed from
 * which the driver could still meet it braking at their own trigger deceleration b — is lowest.
 */
export function findBinding(
  profile: Profile,
  stops: StopPoint[],
  stopIdx: number,
  s: number,
  v: number,
  p: DrivingParams,
  onsetOu: number,
  wander: number,
): Binding | null {
  const { track, zones, speedFactor, sqrtLateral } = profile;
  const { limitPairMin, invSqrtKPairMin } = profile.cache;
  const ds = track.dsM;
  let best: Binding | null = null;
  let bestEnv2 = Number.POSITIVE_INFINITY;
  // Curves and limit changes are in plain view: their onset varies less than that of stops.
  const staticOnset = CURVE_ONSET_FACTOR * p.brakeOnsetMps2 * Math.exp(0.5 * p.brakeOnsetSpread * onsetOu);
  const b2 = 2 * BRAKE_TRIGGER * staticOnset;
  // Beyond the distance needed to brake from the fastest speed the driver might reach, nothing can bind.
  const here = Math.min(track.n - 1, Math.round(s / ds));
  const vMax = 1.15 * Math.max(v, track.speedLimitMps[here]! * speedFactor * (1 + Math.abs(wander)));
  const horizon = Math.min(350, (vMax * vMax) / b2 + 30);
  // Points closer than half a second are already being handled by the speed keeping.
  const i0 = Math.ceil((s + Math.max(2, 0.5 * v)) / ds);
  const iEnd = Math.min(track.n - 1, Math.floor((s + horizon) / ds));
  const scale = (1 + wander) * speedFactor;
  let bestJ = -1;
  let bestVt = 0;
  for (let j = i0; j <= iEnd; j += 2) {
    let lim = limitPairMin[j]! * scale;
    if (zones.length > 0) lim = Math.min(lim, zoneCap(zones, j * ds), zoneCap(zones, (j + 1) * ds));
    const curve = sqrtLateral * invSqrtKPairMin[j]!;
    const vt = Math.min(lim, curve);
    const env2 = vt * vt + b2 * (j * ds - s);
    if (env2 < bestEnv2) {
      bestEnv2 = env2;
      bestJ = j;
      bestVt = vt;
    }
  }
  // A curve taken a touch above the comfortable speed is not worth braking for.
  if (bestJ >= 0) best = { sM: bestJ * ds, vMps: bestVt * STATIC_TOLERANCE, onset: staticOnset, stop: null };
  const stop = stops[stopIdx];
  if (stop && stop.sM - s <= stop.visibleFromM) {
    const onset = p.brakeOnsetMps2 * stop.onsetFactor;
    const env2 = 2 * BRAKE_TRIGGER * onset * Math.max(stop.sM - s - STOP_STANDOFF_M, 0);
    if (env2 <= bestEnv2) best = { sM: stop.sM, vMps: 0, onset, stop };
  }
  return best;
}

/**
 * The highest speed from which the binding target can still be met braking at the trigger deceleration,
 * allowing for the distance covered while the brake pressure builds up (jerk-limited ramp).
 */
export function envelopeSpeed(b: Binding, s: number, v: number, jerkMps3: number): number {
  const decel = BRAKE_TRIGGER * b.onset;
  const rampM = (v * decel) / jerkMps3 / 2;
  const d = Math.max(0, b.sM - s - (b.stop ? STOP_STANDOFF_M : 0) - rampM);
  return Math.sqrt(b.vMps * b.vMps + 2 * decel * d);
}
