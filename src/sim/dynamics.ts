// The driver-and-car model, stepped at 10 Hz along a track. The driver re-reads the road ahead every few
// tenths of a second, finds the deceleration needed to meet the next slower target (a curve's a_lat = v²/r
// speed, a lower limit, a stop line), and starts braking only once that need reaches a personal onset.
// A driver with a high onset therefore brakes late and hard; a driver looking at a phone reads the road less
// often and meets the need later still. Harsh events come out of this, not out of a dice roll.
import { type Binding, envelopeSpeed, findBinding, requiredDecel, STOP_STANDOFF_M } from './perception.ts';
import { REPOSITIONS_PER_HOUR, startEpisode } from './phone-episodes.ts';
import { buildProfile, curveAt, limitTargetAt } from './profile.ts';
import type { Rng } from './rng.ts';
import type { DrivingParams } from './styles.ts';
import type { Track } from './track.ts';

export const DYNAMICS_DT_S = 0.1;
/** Deceleration a car reaches with the pedal floored (ABS, dry road). */
export const EMERGENCY_DECEL_MPS2 = 8.5;
const EMERGENCY_JERK_MPS3 = 25;
const OU_EVERY = 5;
const WANDER_DECAY = Math.exp(-(OU_EVERY * DYNAMICS_DT_S) / 25);
const WANDER_INNOV = Math.sqrt(1 - WANDER_DECAY * WANDER_DECAY);
const ONSET_DECAY = Math.exp(-(OU_EVERY * DYNAMICS_DT_S) / 20);
const ONSET_INNOV = Math.sqrt(1 - ONSET_DECAY * ONSET_DECAY);

export interface Vehicle {
  massKg: number;
  powerKw: number;
}

export type StopKind = 'junction' | 'traffic' | 'end';

export interface StopPoint {
  sM: number;
  dwellS: number;
  /** The driver cannot know about the stop before being this close (a light turning red, a queue). */
  visibleFromM: number;
  kind: StopKind;
  /** This situation's multiplier on the driver's braking onset. */
  onsetFactor: number;
}

export interface SlowZone {
  fromM: number;
  toM: number;
  capMps: number;
}

export interface TripPlan {
  track: Track;
  stops: StopPoint[];
  zones: SlowZone[];
  idleBeforeS: number;
  idleAfterS: number;
  /** The day's mood (a z-score): the same driver is a little keener on some trips than on others. */
  mood: number;
}

export type PhoneEpisodeKind = 'screen' | 'call' | 'reposition';

export interface PhoneEpisode {
  kind: PhoneEpisodeKind;
  startS: number;
  endS: number;
  handsFree: boolean;
  unlock: boolean;
}

export interface Trace {
  dtS: number;
  n: number;
  sM: Float64Array;
  vMps: Float64Array;
  /** Longitudinal acceleration, m/s² (negative when braking). */
  aMps2: Float64Array;
  phone: PhoneEpisode[];
  /** Index of the first and last sample in motion. */
  moveStart: number;
  moveEnd: number;
  /** Stops that were served (the car came to rest at them), by kind. */
  stopsServed: number;
}

export interface DriveOptions {
  /** Generate phone episodes (and their distraction). Default true. */
  phone?: boolean;
}

export function simulateDrive(
  plan: TripPlan,
  p: DrivingParams,
  vehicle: Vehicle,
  rng: Rng,
  opts: DriveOptions = {},
): Trace {
  const dt = DYNAMICS_DT_S;
  const { track } = plan;
  const stops = [...plan.stops].sort((a, b) => a.sM - b.sM);
  const endS = track.lengthM;
  const powerPerKg = (vehicle.powerKw * 1000 * 0.8) / vehicle.massKg;
  const mood = plan.mood;
  const maxAccel = p.maxAccelMps2 * Math.exp(0.1 * mood);
  const wantPhone = opts.phone !== false;
  const profile = buildProfile(track, plan.zones, {
    ...p,
    lateralLimitMps2: p.lateralLimitMps2 * Math.exp(0.06 * mood),
  });

  let cap = Math.ceil((plan.idleBeforeS + plan.idleAfterS + 120 + endS / 8) / dt);
  let ss = new Float64Array(cap);
  let vs = new Float64Array(cap);
  let as = new Float64Array(cap);
  let n = 0;
  const phone: PhoneEpisode[] = [];
  let episode: PhoneEpisode | null = null;
  const episodeRate = (p.screenUsePerHour + p.callsPerHour + REPOSITIONS_PER_HOUR) / 3600;
  let nextEpisodeS =
    wantPhone && episodeRate > 0 ? rng.exponential(1 / episodeRate) : Number.POSITIVE_INFINITY;

  let t = 0;
  let s = 0;
  let v = 0;
  let a = 0;
  let mode: 'idle' | 'cruise' | 'brake' | 'stopped' | 'done' = 'idle';
  let idleLeft = plan.idleBeforeS;
  let stopIdx = 0;
  let stopsServed = 0;
  let wander = 0;
  let onsetOu = 0;
  let nextPlanS = 0;
  let binding: Binding | null = null;
  let frozenCmd = 0;
  let moveStart = -1;
  let moveEnd = 0;
  const maxSteps = Math.ceil((plan.idleBeforeS + plan.idleAfterS + 600 + (endS / 2) * 4) / dt);

  for (let step = 0; step < maxSteps && mode !== 'done'; step++) {
    if (n === cap) {
      cap *= 2;
      ss = grow(ss, cap);
      vs = grow(vs, cap);
      as = grow(as, cap);
    }
    ss[n] = s;
    vs[n] = v;
    as[n] = a;
    n++;

    // Phone episodes: a Poisson process in time (between episodes), independent of the road.
    if (episode && t >= episode.endS) {
      episode = null;
      nextEpisodeS = t + rng.exponential(1 / episodeRate);
    }
    if (!episode && t >= nextEpisodeS) {
      episode = startEpisode(p, rng, t);
      phone.push(episode);
    }
    const handHeld = episode !== null && episode.kind === 'screen';
    const onCall = episode !== null && episode.kind === 'call';
    // Slow processes (speed wander, braking onset) move on every OU_EVERY steps.
    if (step % OU_EVERY === 0) {
      const wanderSd = p.speedWanderSd * (onCall || handHeld ? 1.5 : 1);
      wander = wander * WANDER_DECAY + wanderSd * WANDER_INNOV * rng.normal();
      onsetOu = onsetOu * ONSET_DECAY + ONSET_INNOV * rng.normal();
    }

    while (stopIdx < stops.length && s > stops[stopIdx]!.sM + 0.5) stopIdx++; // ran through it

    if (mode === 'idle') {
      idleLeft -= dt;
      if (idleLeft <= 0) mode = 'cruise';
      a = 0;
      t += dt;
      continue;
    }
    if (mode === 'stopped') {
      idleLeft -= dt;
      a = 0;
      v = 0;
      if (idleLeft <= 0) {
        if (s >= endS - 3) mode = 'done';
        else mode = 'cruise';
      }
      t += dt;
      continue;
    }

    // Perception: re-read the road at intervals; while reading the phone only at glances.
    let interval = p.perceptionIntervalS;
    if (handHeld) interval = p.distractedGlanceS * rng.uniform(0.7, 1.3);
    else if (onCall) interval *= episode!.handsFree ? 1.3 : 2;
    const glance = t >= nextPlanS;
    if (glance) {
      binding = findBinding(profile, stops, stopIdx, s, v, p, onsetOu, wander);
      nextPlanS = t + interval;
    }
    const looking = !handHeld || glance;
    if (binding && binding.stop === null && binding.sM - s < 1) binding = null; // reached the slow point

    const need = binding ? requiredDecel(binding, s, v) : 0;
    const envelope = binding ? envelopeSpeed(binding, s, v, p.jerkMps3) : Number.POSITIVE_INFINITY;
    let cmd = 0;
    if (!looking) {
      // Eyes on the phone: the pedal stays where it was until the next glance at the road.
      cmd = v <= 0.05 && frozenCmd < 0 ? 0 : frozenCmd;
    } else if (mode === 'brake') {
      if (!binding || need < 0.05) mode = 'cruise';
      else cmd = -Math.min(need, EMERGENCY_DECEL_MPS2);
    } else if (binding && v > envelope + 0.05 && need > 0.05) {
      mode = 'brake';
      cmd = -Math.min(need, EMERGENCY_DECEL_MPS2);
    }
    if (looking && mode === 'cruise') {
      // The speed wanted here and a moment ahead (a proportional speed keeper lags a falling target by
      // (dv/dt)/gain; aiming at the speed needed ~1/gain seconds ahead removes that lag).
      const preview = s + v * Math.min(2, 1 / p.accelGainPerS);
      const i = Math.min(track.n - 1, Math.round(s / track.dsM));
      const ip = Math.min(track.n - 1, Math.round(preview / track.dsM));
      const keep = 1 + wander - (onCall ? 0.04 : 0);
      let vDes = Math.min(limitTargetAt(profile, i) * keep, curveAt(profile, i));
      vDes = Math.min(vDes, limitTargetAt(profile, ip) * keep, curveAt(profile, ip));
      // Anticipation: no faster than the speed from which the next slower target can still be met.
      vDes = Math.min(vDes, envelope, binding ? envelopeSpeed(binding, preview, v, p.jerkMps3) : envelope);
      const accelCap = Math.min(maxAccel, powerPerKg / Math.max(v, 3));
      cmd = clamp(p.accelGainPerS * (vDes - v), -1.2, accelCap);
    }
    frozenCmd = cmd;

    const jerk = cmd < -p.maxBrakeMps2 ? EMERGENCY_JERK_MPS3 : p.jerkMps3;
    a += clamp(cmd - a, -jerk * dt, jerk * dt);
    let vNext = v + a * dt;
    if (vNext <= 0) {
      vNext = 0;
      if (a < 0) a = 0;
    }
    s += 0.5 * (v + vNext) * dt;
    v = vNext;
    if (v > 0.2) {
      if (moveStart < 0) moveStart = n;
      moveEnd = n;
    }

    const next = stops[stopIdx];
    const toStop = next ? next.sM - s : Number.POSITIVE_INFINITY;
    if (
      next &&
      ((v < 0.3 && toStop < 2 + STOP_STANDOFF_M) || (v < 1.2 && toStop < 0.3) || (v === 0 && toStop < 8))
    ) {
      v = 0;
      a = 0;
      mode = 'stopped';
      idleLeft = next.kind === 'end' ? plan.idleAfterS : next.dwellS;
      stopIdx++;
      stopsServed++;
      nextPlanS = t;
      binding = null;
    } else if (s >= endS) {
      s = endS;
      v = 0;
      a = 0;
      mode = 'stopped';
      idleLeft = plan.idleAfterS;
      stopIdx = stops.length;
    }
    t += dt;
  }

  return {
    dtS: dt,
    n,
    sM: ss.slice(0, n),
    vMps: vs.slice(0, n),
    aMps2: as.slice(0, n),
    phone: phone.map((e) => ({ ...e, endS: Math.min(e.endS, t) })),
    moveStart: Math.max(0, moveStart),
    moveEnd,
    stopsServed,
  };
}

function grow(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : Math.min(x, hi);
}
