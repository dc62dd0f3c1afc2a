// Driver archetypes and the per-driver behaviour parameters drawn around them. These parameters are the only
// place style enters the simulation: harsh events, speeding and phone use then come out of the dynamics.
import type { Rng } from './rng.ts';

export const STYLE_NAMES = ['calm', 'normal', 'aggressive', 'distracted', 'night_worker'] as const;
export type StyleName = (typeof STYLE_NAMES)[number];

export interface DrivingParams {
  /** Desired speed on a free road as a multiple of the posted limit. */
  speedFactor: number;
  /** Standard deviation of the slow (OU, τ≈25 s) wander of the desired speed, as a fraction. */
  speedWanderSd: number;
  /** Accelerator use: the acceleration the driver asks for at low speed (engine power caps it higher up). */
  maxAccelMps2: number;
  /** Gain from speed error to acceleration, 1/s: how eagerly the driver closes a gap to the desired speed. */
  accelGainPerS: number;
  /** Braking starts when the deceleration needed to meet the next slower target reaches this. */
  brakeOnsetMps2: number;
  /** Spread (lognormal σ) of the braking onset from one situation to the next. */
  brakeOnsetSpread: number;
  /** The firmest braking the driver applies in situations seen in time (an emergency can exceed it). */
  maxBrakeMps2: number;
  /** Rate of change of the acceleration, m/s³. */
  jerkMps3: number;
  /** Lateral acceleration the driver accepts in curves. */
  lateralLimitMps2: number;
  /** How often the driver re-reads the road ahead when attentive, seconds. */
  perceptionIntervalS: number;
  /** Hand-held screen interactions per driving hour. */
  screenUsePerHour: number;
  /** Phone calls per driving hour. */
  callsPerHour: number;
  /** Probability that a call is hands-free. */
  handsFreeProb: number;
  /** Seconds between glances at the road while reading or typing on the phone. */
  distractedGlanceS: number;
}

/** Archetype means. Braking figures are in m/s² (0.35 g = 3.43 m/s², the harsh-braking truth threshold). */
export const STYLE_MEANS: Readonly<Record<StyleName, DrivingParams>> = {
  calm: {
    speedFactor: 0.93,
    speedWanderSd: 0.025,
    maxAccelMps2: 1.5,
    accelGainPerS: 0.3,
    brakeOnsetMps2: 1.3,
    brakeOnsetSpread: 0.1,
    maxBrakeMps2: 3.0,
    jerkMps3: 2.0,
    lateralLimitMps2: 2.0,
    perceptionIntervalS: 0.3,
    screenUsePerHour: 0.8,
    callsPerHour: 0.3,
    handsFreeProb: 0.9,
    distractedGlanceS: 1.2,
  },
  normal: {
    speedFactor: 1.02,
    speedWanderSd: 0.05,
    maxAccelMps2: 2.2,
    accelGainPerS: 0.45,
    brakeOnsetMps2: 2.0,
    brakeOnsetSpread: 0.12,
    maxBrakeMps2: 4.5,
    jerkMps3: 4.0,
    lateralLimitMps2: 2.8,
    perceptionIntervalS: 0.4,
    screenUsePerHour: 2.0,
    callsPerHour: 0.5,
    handsFreeProb: 0.6,
    distractedGlanceS: 2.0,
  },
  aggressive: {
    speedFactor: 1.14,
    speedWanderSd: 0.06,
    maxAccelMps2: 2.4,
    accelGainPerS: 0.9,
    brakeOnsetMps2: 3.0,
    brakeOnsetSpread: 0.15,
    maxBrakeMps2: 6.5,
    jerkMps3: 7.0,
    lateralLimitMps2: 3.2,
    perceptionIntervalS: 0.4,
    screenUsePerHour: 3.0,
    callsPerHour: 0.8,
    handsFreeProb: 0.4,
    distractedGlanceS: 2.2,
  },
  distracted: {
    speedFactor: 0.99,
    speedWanderSd: 0.06,
    maxAccelMps2: 2.2,
    accelGainPerS: 0.45,
    brakeOnsetMps2: 2.1,
    brakeOnsetSpread: 0.15,
    maxBrakeMps2: 5.0,
    jerkMps3: 4.5,
    lateralLimitMps2: 2.9,
    perceptionIntervalS: 0.5,
    screenUsePerHour: 7.0,
    callsPerHour: 1.5,
    handsFreeProb: 0.3,
    distractedGlanceS: 2.6,
  },
  night_worker: {
    speedFactor: 1.05,
    speedWanderSd: 0.045,
    maxAccelMps2: 2.2,
    accelGainPerS: 0.5,
    brakeOnsetMps2: 2.2,
    brakeOnsetSpread: 0.12,
    maxBrakeMps2: 4.8,
    jerkMps3: 4.5,
    lateralLimitMps2: 3.0,
    perceptionIntervalS: 0.5,
    screenUsePerHour: 2.0,
    callsPerHour: 0.6,
    handsFreeProb: 0.5,
    distractedGlanceS: 2.2,
  },
};

/** Share of each archetype in a fleet when none is forced. */
export const DEFAULT_STYLE_MIX: Readonly<Record<StyleName, number>> = {
  calm: 0.25,
  normal: 0.4,
  aggressive: 0.12,
  distracted: 0.13,
  night_worker: 0.1,
};

/** Spread (σ of log) of the braking onset between drivers of one archetype. */
const ONSET_SPREAD: Readonly<Record<StyleName, number>> = {
  calm: 0.12,
  normal: 0.18,
  aggressive: 0.25,
  distracted: 0.15,
  night_worker: 0.15,
};

/** One driver's parameters: the archetype mean with individual variation (multiplicative, lognormal). */
export function drawDrivingParams(style: StyleName, rng: Rng): DrivingParams {
  const m = STYLE_MEANS[style];
  const jitter = (v: number, sd: number): number => v * rng.lognormal(0, sd);
  // How late a driver brakes varies a lot between people of one archetype: some fast drivers brake early.
  const onset = jitter(m.brakeOnsetMps2, ONSET_SPREAD[style]);
  return {
    speedFactor: m.speedFactor * (1 + rng.normal(0, 0.07)),
    speedWanderSd: jitter(m.speedWanderSd, 0.2),
    maxAccelMps2: jitter(m.maxAccelMps2, 0.1),
    accelGainPerS: jitter(m.accelGainPerS, 0.15),
    brakeOnsetMps2: onset,
    brakeOnsetSpread: m.brakeOnsetSpread,
    // The firm-braking ceiling keeps its margin over the onset, whatever the draw.
    maxBrakeMps2: Math.max(jitter(m.maxBrakeMps2, 0.08), onset * 1.8),
    jerkMps3: jitter(m.jerkMps3, 0.15),
    lateralLimitMps2: jitter(m.lateralLimitMps2, 0.1),
    perceptionIntervalS: m.perceptionIntervalS,
    screenUsePerHour: jitter(m.screenUsePerHour, 0.4),
    callsPerHour: jitter(m.callsPerHour, 0.4),
    handsFreeProb: Math.min(1, Math.max(0, m.handsFreeProb + rng.normal(0, 0.1))),
    distractedGlanceS: jitter(m.distractedGlanceS, 0.15),
  };
}
