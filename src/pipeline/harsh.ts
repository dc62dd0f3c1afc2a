// Harsh braking / acceleration on the longitudinal axis and harsh cornering / lane changes on the lateral
// axis, from low-pass filtered vehicle-frame acceleration. State machines fed one IMU sample at a time.
import type { PipelineConfig } from './config.ts';
import type { EventDraft } from './drafts.ts';

/** Where the vehicle is when a detector fires (latest GPS), shared with the processor. */
export interface Context {
  speedMps: number | null;
  lat: number | null;
  lon: number | null;
}

export interface LongState {
  lonS: number;
  /** -1 braking, +1 accelerating, 0 none. */
  active: number;
  startT: number;
  peak: number;
  speedBefore: number | null;
  lat: number | null;
  lon: number | null;
  lastEndT: number;
  lastSign: number;
  /** Start of the current run over the threshold (-1: below), and the longest run in this event, ms. */
  runT: number;
  runMs: number;
}

export interface LatState {
  latS: number;
  yawS: number;
  inMan: boolean;
  startT: number;
  lastActiveT: number;
  headingRad: number;
  posYaw: number;
  negYaw: number;
  firstSign: number;
  hitMs: number;
  /** Start of the current run over the threshold (-1: below), and the longest run in this manoeuvre, ms. */
  runT: number;
  runMs: number;
  hitStartT: number;
  hitEndT: number;
  peak: number;
  peakYaw: number;
  speedBefore: number | null;
  lat: number | null;
  lon: number | null;
}

export function newLongState(): LongState {
  return {
    lonS: 0,
    active: 0,
    startT: 0,
    peak: 0,
    speedBefore: null,
    lat: null,
    lon: null,
    lastEndT: -1e15,
    lastSign: 0,
    runT: -1,
    runMs: 0,
  };
}

export function newLatState(): LatState {
  return {
    latS: 0,
    yawS: 0,
    inMan: false,
    startT: 0,
    lastActiveT: 0,
    headingRad: 0,
    posYaw: 0,
    negYaw: 0,
    firstSign: 0,
    hitMs: 0,
    runT: -1,
    runMs: 0,
    hitStartT: 0,
    hitEndT: 0,
    peak: 0,
    peakYaw: 0,
    speedBefore: null,
    lat: null,
    lon: null,
  };
}

function draft(
  kind: EventDraft['kind'],
  startMs: number,
  endMs: number,
  peak: number,
  severe: boolean,
): EventDraft {
  return {
    kind,
    source: 'detected',
    severity: severe ? 'severe' : 'moderate',
    startMs,
    endMs,
    peakValue: peak,
    peakUnit: 'mps2',
    speedBeforeMps: null,
    speedAfterMps: null,
    lat: null,
    lon: null,
    detail: {},
    imu: null,
    wantsImu: true,
  };
}

/** One sample of longitudinal acceleration (m/s², + forward); returns a finished event or null. */
export function longStep(
  s: LongState,
  cfg: PipelineConfig,
  t: number,
  lon: number,
  k: number,
  ctx: Context,
): EventDraft | null {
  s.lonS += (lon - s.lonS) * k;
  const v = s.lonS;
  if (s.active === 0) {
    let sign = 0;
    if (v <= -cfg.harshBrakingMps2) sign = -1;
    else if (v >= cfg.harshAccelerationMps2) sign = 1;
    if (sign === 0) return null;
    // The pitch-back after a hard stop (and sensor-fusion overshoot) is not a second event.
    if (s.lastSign === -sign && t - s.lastEndT < cfg.reboundSuppressMs) return null;
    s.active = sign;
    s.startT = t;
    s.runT = t;
    s.runMs = 0;
    s.peak = v;
    s.speedBefore = ctx.speedMps;
    s.lat = ctx.lat;
    s.lon = ctx.lon;
    return null;
  }
  if (s.active < 0 ? v < s.peak : v > s.peak) s.peak = v;
  // The minimum duration counts time over the threshold itself (not the hysteresis tail): "≥ 0.35 g for 0.5 s".
  const over = s.active < 0 ? v <= -cfg.harshBrakingMps2 : v >= cfg.harshAccelerationMps2;
  if (over && s.runT < 0) s.runT = t;
  if (s.runT >= 0) s.runMs = Math.max(s.runMs, t - s.runT);
  if (!over) s.runT = -1;
  const ended = s.active < 0 ? v > -0.8 * cfg.harshBrakingMps2 : v < 0.8 * cfg.harshAccelerationMps2;
  if (!ended) return null;
  const sign = s.active;
  s.active = 0;
  if (s.runMs < cfg.longitudinalMinDurationMs) return null;
  s.lastEndT = t;
  s.lastSign = sign;
  const peak = Math.abs(s.peak);
  const d = draft(
    sign < 0 ? 'harsh_braking' : 'harsh_acceleration',
    s.startT,
    t,
    peak,
    peak >= cfg.severeLongitudinalMps2,
  );
  d.speedBeforeMps = s.speedBefore;
  d.speedAfterMps = ctx.speedMps;
  d.lat = s.lat;
  d.lon = s.lon;
  return d;
}

/** Cancels an event in progress (e.g. the phone was handled). */
export function longReset(s: LongState): void {
  s.active = 0;
  s.lonS = 0;
}

const YAW_ACTIVE_RPS = 0.05;
const MANOEUVRE_GAP_MS = 1500;
const MANOEUVRE_MAX_MS = 30_000;
const RAD_TO_DEG = 180 / Math.PI;

/**
 * One sample of lateral acceleration (m/s², + left) and yaw rate (rad/s, + left). A manoeuvre lasts while the
 * yaw rate is above 0.05 rad/s (gaps under 1.5 s bridged); it is harsh when the lateral acceleration passes the
 * threshold, confirmed by yaw rate of the same sign, for long enough. Its heading change tells turn from lane change.
 */
export function latStep(
  s: LatState,
  cfg: PipelineConfig,
  t: number,
  lat: number,
  yaw: number,
  dtS: number,
  k: number,
  ctx: Context,
): EventDraft | null {
  s.latS += (lat - s.latS) * k;
  s.yawS += (yaw - s.yawS) * k;
  const active = Math.abs(s.yawS) >= YAW_ACTIVE_RPS;
  if (active) {
    if (!s.inMan) {
      s.inMan = true;
      s.startT = t;
      s.headingRad = 0;
      s.posYaw = 0;
      s.negYaw = 0;
      s.firstSign = 0;
      s.hitMs = 0;
      s.runT = -1;
      s.runMs = 0;
      s.peak = 0;
      s.peakYaw = 0;
      s.speedBefore = ctx.speedMps;
      s.lat = ctx.lat;
      s.lon = ctx.lon;
    }
    s.lastActiveT = t;
  }
  if (!s.inMan) return null;
  s.headingRad += yaw * dtS;
  if (s.yawS > 0) s.posYaw += s.yawS * dtS;
  else s.negYaw -= s.yawS * dtS;
  if (s.firstSign === 0 && Math.abs(s.yawS) >= cfg.corneringMinYawRateRps) s.firstSign = Math.sign(s.yawS);
  const a = Math.abs(s.latS);
  if (a >= cfg.harshCorneringMps2 && Math.abs(s.yawS) >= cfg.corneringMinYawRateRps && s.latS * s.yawS > 0) {
    if (s.hitMs === 0) s.hitStartT = t;
    s.hitMs += dtS * 1000;
    s.hitEndT = t;
    if (s.runT < 0) s.runT = t;
    s.runMs = Math.max(s.runMs, t - s.runT);
    if (a > s.peak) s.peak = a;
    if (Math.abs(s.yawS) > s.peakYaw) s.peakYaw = Math.abs(s.yawS);
  } else s.runT = -1;
  if (active && t - s.startT < MANOEUVRE_MAX_MS) return null;
  if (!active && t - s.lastActiveT <= MANOEUVRE_GAP_MS && t - s.startT < MANOEUVRE_MAX_MS) return null;
  s.inMan = false;
  if (s.hitMs === 0 || s.runMs < cfg.corneringMinDurationMs) return null;
  const headingDeg = s.headingRad * RAD_TO_DEG;
  const both = Math.min(s.posYaw, s.negYaw) >= 0.3 * Math.max(s.posYaw, s.negYaw);
  const isTurn = Math.abs(headingDeg) >= cfg.turnMinHeadingDeg || !both;
  // The event spans the harsh part; the manoeuvre as a whole (heading change) is in the detail.
  const d = draft(
    isTurn ? 'harsh_cornering' : 'harsh_lane_change',
    s.hitStartT,
    s.hitEndT,
    s.peak,
    s.peak >= cfg.severeCorneringMps2,
  );
  const dirSign = isTurn ? Math.sign(headingDeg) : s.firstSign;
  d.detail = {
    manoeuvre: isTurn ? (Math.abs(headingDeg) >= cfg.turnMinHeadingDeg ? 'turn' : 'curve') : 'lane_change',
    direction: dirSign > 0 ? 'left' : 'right',
    headingChangeDeg: Math.round(headingDeg),
    peakYawRateRps: Math.round(s.peakYaw * 1000) / 1000,
    manoeuvreStartMs: s.startT,
    manoeuvreEndMs: s.lastActiveT,
  };
  d.speedBeforeMps = s.speedBefore;
  d.speedAfterMps = ctx.speedMps;
  d.lat = s.lat;
  d.lon = s.lon;
  return d;
}

export function latReset(s: LatState): void {
  s.inMan = false;
  s.latS = 0;
  s.yawS = 0;
}
