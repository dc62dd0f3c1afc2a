// Rotates IMU samples into the vehicle frame (x forward, y left, z up), whatever frame they came in.
// device: gravity (slow average, propagated with the gyroscope) gives "up"; the forward axis is found in the
//         phone's horizontal plane (forward.ts). A handled phone restarts both.
// earth:  up is z; the vehicle's yaw is integrated from the gyroscope (bias learnt when calm) and removed, so
//         the forward axis is found in a plane that turns with the vehicle; GPS course, when known, fixes it.
// vehicle: passed through.
import { G_MPS2, type ImuFrame } from '../domain/index.ts';
import type { PipelineConfig } from './config.ts';
import {
  decay,
  type ForwardState,
  newForwardState,
  observeImu,
  observeSpeedChange,
  solve,
} from './forward.ts';
import { type EarthMagState, earthMagStep, newEarthMagState } from './earth-magnitude.ts';
import { levelDevice, updateBasis } from './level.ts';
import { type HeadingKf, kfAxis, kfDirect, kfOk, kfPredict, kfTurn, newHeadingKf } from './heading.ts';

export interface OrientState {
  frame: ImuFrame | null;
  lastT: number | null;
  /** Gravity estimate in the device frame and how long it has been averaged since (re)start, ms. */
  g: [number, number, number];
  gElapsedMs: number;
  level: boolean;
  up: [number, number, number];
  e1: [number, number, number];
  e2: [number, number, number];
  /** Device axis (0 x, 1 y, 2 z) the horizontal basis is built from; -1 until levelled. */
  refAxis: number;
  /** Earth frame: integrated yaw (rad) and gyro z bias (rad/s). */
  psi: number;
  gyroBias: number;
  /** Device frame: gyroscope bias per axis (rad/s), learnt in calm seconds; propagating gravity with a biased
   *  gyroscope tilts the estimate by the bias (0.2°/s on a cheap phone) until braking looks like gravity. */
  gyroB: [number, number, number];
  /** Sums of the raw device-frame gyroscope and accelerometer over the current one-second window, and of the
   *  squared bias-corrected rotation rate (a phone turning in the hand can keep |a| steady and yaw small). */
  winDev: [number, number, number, number, number, number, number];
  /** Speed change of the last GPS second (m/s²), or null: tells when the car is not accelerating. */
  gpsDvdt: number | null;
  /** 100 ms blocks feeding the forward estimator. */
  blkT: number;
  blkN: number;
  blkHx: number;
  blkHy: number;
  blkW: number;
  /** One-second sums of the plane acceleration, matched against GPS speed change. */
  secHx: number;
  secHy: number;
  secN: number;
  /** One-second sum of the yaw rate, for speed × yaw rate (the lateral acceleration GPS implies). */
  secW: number;
  /** One-second calm/activity window over |a| and |yaw|. */
  winT: number;
  winN: number;
  winS: number;
  winSS: number;
  winYaw: number;
  winYawS: number;
  calm: boolean;
  /** Set when a one-second window closes: whether the accelerometer showed movement. */
  windowActive: boolean | null;
  fwd: ForwardState;
  /** Earth frame: forward angle and drift as a Kalman filter (heading.ts). */
  kf: HeadingKf;
  /** Low-passed yaw rate (rad/s), to tell straight road from turns. */
  yawS: number;
  /** Picked up with the screen on or for a handheld call: in the hand until screen_off / call_end. */
  handHeld: boolean;
  /** Time of the last `handling` phone event. */
  handledT: number;
  /** Yaw rate from the GPS course (rad/s, + left) over the last second, and that fix's course and time. */
  courseRps: number | null;
  courseDeg: number | null;
  courseT: number;
  /** Earth frame without GPS: longitudinal acceleration from the accelerometer magnitude (earth-magnitude.ts). */
  em: EarthMagState;
}

/** Per-sample result, written into one reused object (the hot path allocates nothing). */
export const OUT = { lon: 0, lat: 0, vert: 0, yaw: 0, level: false, forwardOk: false, hx: 0, hy: 0 };

export function newOrientState(): OrientState {
  return {
    frame: null,
    lastT: null,
    g: [0, 0, 0],
    gElapsedMs: 0,
    level: false,
    up: [0, 0, 1],
    e1: [1, 0, 0],
    e2: [0, 1, 0],
    refAxis: -1,
    psi: 0,
    gyroBias: 0,
    gyroB: [0, 0, 0],
    winDev: [0, 0, 0, 0, 0, 0, 0],
    gpsDvdt: null,
    blkT: 0,
    blkN: 0,
    blkHx: 0,
    blkHy: 0,
    blkW: 0,
    secHx: 0,
    secHy: 0,
    secN: 0,
    secW: 0,
    winT: 0,
    winN: 0,
    winS: 0,
    winSS: 0,
    winYaw: 0,
    winYawS: 0,
    calm: false,
    windowActive: null,
    fwd: newForwardState(),
    kf: newHeadingKf(),
    yawS: 0,
    handHeld: false,
    handledT: -1e15,
    courseRps: null,
    courseDeg: null,
    courseT: 0,
    em: newEarthMagState(),
  };
}

/** The phone was picked up or the frame changed: forget how it sits in the car. */
export function resetMount(o: OrientState, frame: ImuFrame | null): void {
  o.frame = frame;
  o.gElapsedMs = 0;
  o.refAxis = -1;
  o.level = frame === 'vehicle' || frame === 'earth';
  o.fwd = newForwardState();
  o.kf = newHeadingKf();
  if (frame === 'vehicle') o.fwd.ok = true;
}

/** Processes one sample; the result is in OUT. `speedMps` is the latest GPS speed, or null. */
export function orientSample(
  o: OrientState,
  cfg: PipelineConfig,
  frame: ImuFrame,
  t: number,
  ax: number,
  ay: number,
  az: number,
  gx: number,
  gy: number,
  gz: number,
  speedMps: number | null,
): void {
  if (o.frame !== frame) resetMount(o, frame);
  const dtS = o.lastT === null ? 0 : Math.min(0.2, Math.max(0, (t - o.lastT) / 1000));
  o.lastT = t;
  let hx: number;
  let hy: number;
  let vert: number;
  let yaw: number;
  if (frame === 'vehicle') {
    OUT.lon = ax;
    OUT.lat = ay;
    OUT.vert = az - G_MPS2;
    OUT.yaw = gz;
    OUT.level = true;
    OUT.forwardOk = true;
    OUT.hx = ax;
    OUT.hy = ay;
    window(o, cfg, t, ax, ay, az, gz);
    return;
  }
  if (frame === 'earth') {
    yaw = gz;
    o.psi += (gz - o.gyroBias) * dtS;
    const c = Math.cos(o.psi);
    const s = Math.sin(o.psi);
    hx = ax * c + ay * s;
    hy = -ax * s + ay * c;
    vert = az - G_MPS2;
  } else {
    const b = o.gyroB;
    const wx = gx - b[0];
    const wy = gy - b[1];
    const wz = gz - b[2];
    levelDevice(o, cfg, ax, ay, az, wx, wy, wz, dtS, gravityTrust(o, speedMps));
    const { up, e1, e2 } = o;
    yaw = wx * up[0] + wy * up[1] + wz * up[2];
    const w = o.winDev;
    w[0] += gx;
    w[1] += gy;
    w[2] += gz;
    w[3] += ax;
    w[4] += ay;
    w[5] += az;
    w[6] += wx * wx + wy * wy + wz * wz;
    vert = ax * up[0] + ay * up[1] + az * up[2] - G_MPS2;
    hx = ax * e1[0] + ay * e1[1] + az * e1[2];
    hy = ax * e2[0] + ay * e2[1] + az * e2[2];
  }
  block(o, cfg, t, hx, hy, yaw, speedMps);
  window(o, cfg, t, ax, ay, az, yaw, speedMps);
  o.yawS += (yaw - o.yawS) * Math.min(1, dtS / YAW_TAU_S);
  const f = o.fwd;
  OUT.hx = hx;
  OUT.hy = hy;
  OUT.vert = vert;
  OUT.yaw = yaw;
  OUT.level = o.level;
  OUT.forwardOk = o.level && f.ok;
  const turning = Math.abs(o.yawS) >= WEAK_TURN_RPS;
  const lonMag =
    frame === 'earth' && cfg.earthMagnitudeLongitudinal
      ? earthMagStep(o, ax, ay, az, hx, hy, f.c, f.s, dtS)
      : null;
  if (OUT.forwardOk && !weakForward(o, cfg)) {
    OUT.lon = hx * f.c + hy * f.s;
    OUT.lat = -hx * f.s + hy * f.c;
  } else {
    // Without GPS the forward angle is known only roughly: on straight road the whole horizontal
    // acceleration is longitudinal (lateral needs yaw), its sign from the estimate; in a turn it is lateral.
    const h = Math.sqrt(hx * hx + hy * hy);
    OUT.lon = turning || !OUT.forwardOk ? 0 : lonMag !== null ? lonMag : hx * f.c + hy * f.s >= 0 ? h : -h;
    OUT.lat = turning ? (o.yawS > 0 ? h : -h) : 0;
  }
}

/** True when the forward estimate rests on IMU evidence only (no GPS speed change or course). */
function weakForward(o: OrientState, cfg: PipelineConfig): boolean {
  if (o.frame === 'vehicle') return false;
  if (o.frame === 'earth') return o.kf.direct < cfg.forwardMinEvidence;
  return o.fwd.dw + o.fwd.lw < cfg.forwardMinEvidence;
}

const YAW_TAU_S = 0.25;
const WEAK_TURN_RPS = 0.1;
const BLOCK_MS = 100;

function block(
  o: OrientState,
  cfg: PipelineConfig,
  t: number,
  hx: number,
  hy: number,
  yaw: number,
  speed: number | null,
): void {
  if (o.blkN === 0) o.blkT = t;
  o.blkN++;
  o.blkHx += hx;
  o.blkHy += hy;
  o.blkW += yaw;
  o.secHx += hx;
  o.secHy += hy;
  o.secW += yaw;
  o.secN++;
  if (t - o.blkT < BLOCK_MS) return;
  const dtS = Math.max(0.001, (t - o.blkT) / 1000);
  const n = o.blkN;
  const bhx = o.blkHx / n;
  const bhy = o.blkHy / n;
  const bw = o.blkW / n;
  if (o.frame === 'earth') {
    const k = o.kf;
    kfPredict(k, dtS);
    const h = Math.hypot(bhx, bhy);
    const w = Math.abs(bw - o.gyroBias);
    if (w >= 0.15 && h >= 1.0 && (speed === null || speed >= 2)) kfTurn(k, bhx, bhy, bw - o.gyroBias, dtS);
    else if (w < 0.03 && h >= 1.5) kfAxis(k, bhx, bhy);
    k.direct *= Math.exp(-dtS / 60);
    o.fwd.c = Math.cos(k.phi);
    o.fwd.s = Math.sin(k.phi);
    o.fwd.ok = kfOk(k, cfg.forwardMinEvidence);
  } else if (o.level) {
    decay(o.fwd, Math.exp(-(dtS * 1000) / cfg.forwardMemoryMs));
    observeImu(o.fwd, bhx, bhy, bw, speed, dtS);
    solve(o.fwd, cfg.forwardMinEvidence);
    updateBasis(o);
  }
  o.blkN = 0;
  o.blkHx = 0;
  o.blkHy = 0;
  o.blkW = 0;
}

function window(
  o: OrientState,
  cfg: PipelineConfig,
  t: number,
  ax: number,
  ay: number,
  az: number,
  yaw: number,
  speedMps: number | null = null,
): void {
  if (o.winN === 0) o.winT = t;
  const m = Math.sqrt(ax * ax + ay * ay + az * az);
  o.winN++;
  o.winS += m;
  o.winSS += m * m;
  o.winYaw += Math.abs(yaw);
  o.winYawS += yaw;
  if (t - o.winT < 1000) return;
  const n = o.winN;
  const mean = o.winS / n;
  const std = Math.sqrt(Math.max(0, o.winSS / n - mean * mean));
  const meanYaw = o.winYaw / n;
  o.calm = std < cfg.calmStdMps2 && meanYaw < cfg.calmYawRateRps;
  o.windowActive = std > cfg.imuMotionStdMps2;
  // Calm means not rotating: what the gyro reads then is its bias.
  if (o.calm && o.frame === 'earth') o.gyroBias += (o.winYawS / n - o.gyroBias) * 0.2;
  if (o.frame === 'device') calmDevice(o, n, speedMps);
  o.winN = 0;
  o.winS = 0;
  o.winSS = 0;
  o.winYaw = 0;
  o.winYawS = 0;
}

/**
 * A calm second in the device frame: the phone is not rotating, so the gyroscope reads its bias; and when the
 * vehicle is also stopped (GPS, or no GPS to say otherwise), the accelerometer reads gravity alone — the one
 * moment the gravity estimate can be corrected however far it has drifted (the gate in level.ts would
 * otherwise take a drifted estimate's error for the car accelerating, for ever).
 */
/** Below this known vehicle acceleration (GPS speed change, speed × yaw rate) the accelerometer is gravity. */
const QUASI_STATIC_MPS2 = 0.3;

/**
 * How much a sample may teach the gravity estimate: with fresh GPS, fully while the car is known not to be
 * accelerating (speed steady, not turning) and hardly at all otherwise; without GPS, null (level.ts then
 * judges by the distance from the estimate, which cannot tell a drifted estimate from a braking car).
 */
function gravityTrust(o: OrientState, speedMps: number | null): number | null {
  if (speedMps === null || o.gpsDvdt === null) return null;
  const steady = Math.abs(o.gpsDvdt) < QUASI_STATIC_MPS2 && Math.abs(o.yawS) * speedMps < QUASI_STATIC_MPS2;
  return steady ? 1 : 0.02;
}

/** RMS rotation rate (after the bias) below which the phone is still: bias + noise of phone gyroscopes. */
const STILL_GYRO_RPS = 0.03;

function calmDevice(o: OrientState, n: number, speedMps: number | null): void {
  const w = o.winDev;
  // A car creeping round a gentle bend on smooth road can look calm and still (|a| steady, yaw < 0.03 rad/s):
  // with GPS, only a stopped car's seconds teach the bias (a bend's yaw taken for bias tilted gravity by 10°).
  const stopped = speedMps === null || speedMps < 0.5;
  if (o.calm && stopped && w[6]! / n < STILL_GYRO_RPS * STILL_GYRO_RPS) {
    const b = o.gyroB;
    for (let k = 0; k < 3; k++) b[k] = b[k]! + (w[k]! / n - b[k]!) * 0.3;
    if (o.level) {
      const g = o.g;
      for (let k = 0; k < 3; k++) g[k] = g[k]! + (w[k + 3]! / n - g[k]!) * 0.5;
      updateBasis(o);
    }
  }
  w.fill(0);
}

/** Gain per GPS second of the tilt correction (time constant ≈ 4 s). */
const GPS_LEVEL_GAIN = 0.25;

/**
 * Device frame with GPS: over the last GPS second the vehicle's mean acceleration is known — speed change along
 * the forward axis, speed × yaw rate to the left. Whatever else the levelled plane saw is gravity leaking in
 * through a tilted estimate (plus accelerometer bias), so the estimate is turned by it. The IMU second and the
 * GPS speed change span the same interval, so the car's own braking and cornering cancel out.
 */
function gpsLevel(o: OrientState, dvdtMps2: number, speedMps: number): void {
  const f = o.fwd;
  if (!f.ok || f.dw + f.lw < FORWARD_STRONG || speedMps < 2) return;
  const n = o.secN;
  const side = speedMps * (o.secW / n);
  const kx = dvdtMps2 * f.c - side * f.s;
  const ky = dvdtMps2 * f.s + side * f.c;
  if (Math.hypot(kx, ky) > 4) return;
  const r1 = o.secHx / n - kx;
  const r2 = o.secHy / n - ky;
  if (Math.hypot(r1, r2) > 2) return;
  const g = o.g;
  const { e1, e2 } = o;
  const dx = r1 * e1[0] + r2 * e2[0];
  const dy = r1 * e1[1] + r2 * e2[1];
  const dz = r1 * e1[2] + r2 * e2[2];
  g[0] += GPS_LEVEL_GAIN * dx;
  g[1] += GPS_LEVEL_GAIN * dy;
  g[2] += GPS_LEVEL_GAIN * dz;
  updateBasis(o);
}
const FORWARD_STRONG = 3;

/** Feeds the speed change of the last GPS second to the forward estimator, with that second's acceleration. */
export function orientGps(
  o: OrientState,
  tMs: number,
  dvdtMps2: number | null,
  earthCourseDeg: number | null,
  speedMps: number,
): void {
  o.gpsDvdt = dvdtMps2;
  // Compass degrees turn clockwise; yaw is + to the left. Only meaningful while moving.
  const dtS = (tMs - o.courseT) / 1000;
  o.courseRps =
    earthCourseDeg !== null && o.courseDeg !== null && speedMps >= 2 && dtS > 0 && dtS <= 2
      ? (-(((earthCourseDeg - o.courseDeg + 540) % 360) - 180) * Math.PI) / 180 / dtS
      : null;
  o.courseDeg = earthCourseDeg;
  o.courseT = tMs;
  if (o.secN > 0 && dvdtMps2 !== null && o.level) {
    observeSpeedChange(o.fwd, o.secHx / o.secN, o.secHy / o.secN, dvdtMps2);
    if (o.frame === 'device') gpsLevel(o, dvdtMps2, speedMps);
  }
  o.secHx = 0;
  o.secHy = 0;
  o.secW = 0;
  o.secN = 0;
  if (o.frame === 'earth' && earthCourseDeg !== null && speedMps >= 3) {
    // Course in the earth plane (x east, y north), turned into the yaw-compensated plane.
    const a = (earthCourseDeg * Math.PI) / 180;
    const ex = Math.sin(a);
    const ey = Math.cos(a);
    const c = Math.cos(o.psi);
    const s = Math.sin(o.psi);
    kfDirect(o.kf, ex * c + ey * s, -ex * s + ey * c);
  }
}
