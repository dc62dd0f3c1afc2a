// Constant-velocity Kalman filter on a local east/north plane, one independent 2-state filter per axis.
import { EARTH_RADIUS_M } from '../domain/index.ts';

export interface KalmanState {
  lat0: number;
  lon0: number;
  cosLat0: number;
  t: number;
  /** east: position, velocity, covariance [pp, pv, vv]; the same for north. */
  e: [number, number, number, number, number];
  n: [number, number, number, number, number];
}

export interface KalmanOutput {
  lat: number;
  lon: number;
  speedMps: number;
  /** Course over ground from the filtered velocity, null when too slow to have one. */
  headingDeg: number | null;
}

const RAD = Math.PI / 180;
/** Beyond this gap the filter restarts from the next fix rather than extrapolating. */
const RESTART_GAP_MS = 30_000;
const VELOCITY_STD_MPS = 0.5;
const INITIAL_VELOCITY_VAR = 25;

export function kalmanInit(
  t: number,
  lat: number,
  lon: number,
  accM: number,
  vE: number,
  vN: number,
): KalmanState {
  const r = accM * accM;
  return {
    lat0: lat,
    lon0: lon,
    cosLat0: Math.cos(lat * RAD),
    t,
    e: [0, vE, r, 0, INITIAL_VELOCITY_VAR],
    n: [0, vN, r, 0, INITIAL_VELOCITY_VAR],
  };
}

function predict(a: KalmanState['e'], dt: number, q: number): void {
  a[0] += a[1] * dt;
  const pp = a[2] + 2 * dt * a[3] + dt * dt * a[4] + (q * dt ** 4) / 4;
  const pv = a[3] + dt * a[4] + (q * dt ** 3) / 2;
  a[2] = pp;
  a[3] = pv;
  a[4] += q * dt * dt;
}

function updatePos(a: KalmanState['e'], z: number, r: number): void {
  const s = a[2] + r;
  const k0 = a[2] / s;
  const k1 = a[3] / s;
  const y = z - a[0];
  a[0] += k0 * y;
  a[1] += k1 * y;
  const pp = (1 - k0) * a[2];
  const pv = (1 - k0) * a[3];
  a[4] -= k1 * a[3];
  a[2] = pp;
  a[3] = pv;
}

function updateVel(a: KalmanState['e'], z: number, r: number): void {
  const s = a[4] + r;
  const k0 = a[3] / s;
  const k1 = a[4] / s;
  const y = z - a[1];
  a[0] += k0 * y;
  a[1] += k1 * y;
  const pp = a[2] - k0 * a[3];
  const pv = (1 - k1) * a[3];
  a[4] = (1 - k1) * a[4];
  a[2] = pp;
  a[3] = pv;
}

/** Feeds one fix; returns the new state (restarted when needed) and the filtered output. */
export function kalmanStep(
  s: KalmanState | null,
  t: number,
  lat: number,
  lon: number,
  accuracyM: number | null,
  speedMps: number | null,
  headingDeg: number | null,
  accelNoiseMps2: number,
): { state: KalmanState; out: KalmanOutput } {
  const acc = Math.max(1, accuracyM ?? 10);
  const hasVel = speedMps !== null && headingDeg !== null && speedMps >= 0;
  const vE = hasVel ? speedMps * Math.sin(headingDeg * RAD) : 0;
  const vN = hasVel ? speedMps * Math.cos(headingDeg * RAD) : 0;
  if (s === null || t - s.t > RESTART_GAP_MS || t <= s.t) {
    s = kalmanInit(t, lat, lon, acc, vE, vN);
  } else {
    const dt = (t - s.t) / 1000;
    const q = accelNoiseMps2 * accelNoiseMps2;
    predict(s.e, dt, q);
    predict(s.n, dt, q);
    const xE = (lon - s.lon0) * RAD * EARTH_RADIUS_M * s.cosLat0;
    const xN = (lat - s.lat0) * RAD * EARTH_RADIUS_M;
    updatePos(s.e, xE, acc * acc);
    updatePos(s.n, xN, acc * acc);
    if (hasVel) {
      const rv = VELOCITY_STD_MPS * VELOCITY_STD_MPS;
      updateVel(s.e, vE, rv);
      updateVel(s.n, vN, rv);
    }
    s.t = t;
  }
  const speed = Math.hypot(s.e[1], s.n[1]);
  const heading = speed >= 1 ? (((Math.atan2(s.e[1], s.n[1]) / RAD) % 360) + 360) % 360 : null;
  return {
    state: s,
    out: {
      lat: s.lat0 + s.n[0] / EARTH_RADIUS_M / RAD,
      lon: s.lon0 + s.e[0] / (EARTH_RADIUS_M * s.cosLat0) / RAD,
      speedMps: speed,
      headingDeg: heading,
    },
  };
}
