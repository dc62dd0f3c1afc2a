// A GNSS receiver's view of the true position: a slowly wandering (Gauss–Markov) horizontal error whose
// size follows the sky view, an accuracy estimate that tracks it (68% radius), Doppler speed, bearing only
// when moving, gaps (tunnels, deep valleys) and the occasional multipath jump.
import type { Rng } from './rng.ts';

/** accuracyM is a 68% horizontal radius; for an isotropic 2-D Gaussian that radius is 1.5096 σ per axis. */
export const ACCURACY_TO_SIGMA = 1 / Math.sqrt(-2 * Math.log(0.32));

export interface GpsConfig {
  /** Typical 68% horizontal accuracy in open sky, metres. */
  baseAccuracyM: number;
  /** Spread (σ of log) of the sky-view factor; 0 keeps the accuracy at its base. */
  environmentSd: number;
  /** Correlation time of the position error, seconds. */
  errorTauS: number;
  /** Gaps per hour of recording. */
  dropoutsPerHour: number;
  /** Probability that a fix is a multipath jump. */
  jumpProb: number;
  /** Spread (σ of log) of the reported accuracy around the true one. */
  accuracyReportSd: number;
}

export const PHONE_GPS: GpsConfig = {
  baseAccuracyM: 4.5,
  environmentSd: 0.35,
  errorTauS: 25,
  dropoutsPerHour: 1.2,
  jumpProb: 0.002,
  accuracyReportSd: 0.15,
};

export interface GpsFixOut {
  lat: number;
  lon: number;
  speedMps: number | null;
  headingDeg: number | null;
  accuracyM: number;
  /** East / north error applied, metres (for tests and truth). */
  errEastM: number;
  errNorthM: number;
}

export interface GpsState {
  cfg: GpsConfig;
  rng: Rng;
  errE: number;
  errN: number;
  env: number;
  dropoutLeftS: number;
  started: boolean;
}

export function createGps(cfg: GpsConfig, rng: Rng): GpsState {
  return {
    cfg,
    rng,
    errE: 0,
    errN: 0,
    env: cfg.environmentSd * rng.normal(),
    dropoutLeftS: 0,
    started: false,
  };
}

const DEG = Math.PI / 180;
const R_EARTH_M = 6_371_008.8;

/**
 * Advances the receiver by one second and returns the fix for the true state, or null during a gap.
 * `yawRad` is the ENU direction of travel.
 */
export function gpsStep(
  g: GpsState,
  lat: number,
  lon: number,
  speedMps: number,
  yawRad: number,
): GpsFixOut | null {
  const { cfg, rng } = g;
  const envDecay = Math.exp(-1 / 120);
  g.env = g.env * envDecay + cfg.environmentSd * Math.sqrt(1 - envDecay * envDecay) * rng.normal();
  const accuracy = cfg.baseAccuracyM * Math.exp(g.env);
  const sigma = accuracy * ACCURACY_TO_SIGMA;
  const rho = Math.exp(-1 / cfg.errorTauS);
  const innov = Math.sqrt(1 - rho * rho);
  if (!g.started) {
    g.errE = sigma * rng.normal();
    g.errN = sigma * rng.normal();
    g.started = true;
  } else {
    g.errE = rho * g.errE + innov * sigma * rng.normal();
    g.errN = rho * g.errN + innov * sigma * rng.normal();
  }

  if (g.dropoutLeftS > 0) {
    g.dropoutLeftS -= 1;
    return null;
  }
  if (rng.bool(cfg.dropoutsPerHour / 3600)) {
    g.dropoutLeftS = rng.uniform(5, 60);
    return null;
  }

  let e = g.errE;
  let n = g.errN;
  let reported = accuracy * Math.exp(cfg.accuracyReportSd * rng.normal());
  if (rng.bool(cfg.jumpProb)) {
    const dist = rng.uniform(30, 250);
    const dir = rng.uniform(0, 2 * Math.PI);
    e += dist * Math.cos(dir);
    n += dist * Math.sin(dir);
    // Half the time the receiver knows the fix is poor; half the time it does not.
    if (rng.bool(0.5)) reported *= rng.uniform(5, 15);
  }
  const moving = speedMps > 0.5;
  const headingDeg = moving ? wrap360(90 - yawRad / DEG + rng.normal(0, 2 + 10 / speedMps)) : null;
  return {
    lat: lat + n / (R_EARTH_M * DEG),
    lon: lon + e / (R_EARTH_M * DEG * Math.cos(lat * DEG)),
    speedMps: Math.max(0, speedMps + rng.normal(0, 0.15)),
    headingDeg,
    accuracyM: Math.round(reported * 10) / 10,
    errEastM: e,
    errNorthM: n,
  };
}

function wrap360(deg: number): number {
  return ((deg % 360) + 360) % 360;
}
