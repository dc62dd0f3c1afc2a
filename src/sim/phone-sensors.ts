// The phone's sensor streams for one trip, produced window by window (10 s by default) so a long trip never
// sits in memory at 50 Hz: GPS at 1 Hz, accelerometer (with gravity) and gyroscope at 50 Hz in the device
// frame, and phone events. The true vehicle-frame motion is rotated into the phone's current orientation.
import type { GpsSection, ImuSection, PhoneEvent } from '../domain/wire.ts';
import { G_MPS2 } from '../domain/units.ts';
import type { PhoneEpisode, Trace } from './dynamics.ts';
import { createGps, type GpsConfig, gpsStep } from './gps.ts';
import { buildOrientation, type OrientationTimeline, orientationAt } from './orientation.ts';
import type { Rng } from './rng.ts';
import {
  angularVelocity,
  type MountKind,
  type Quat,
  quatFromAxisAngle,
  quatMul,
  quatToMatrix,
} from './rotation.ts';
import { latLonAt, sampleAt, type Track } from './track.ts';

export const IMU_PERIOD_MS = 20;
export const GPS_PERIOD_MS = 1000;
export const WINDOW_MS = 10_000;

/** One simulated trip as the sensor models need it. */
export interface TripRun {
  startMs: number;
  track: Track;
  trace: Trace;
}

export interface PhoneSetup {
  mount: MountKind;
  initialQuat: Quat;
  gps: GpsConfig;
  accelNoiseSd: number;
  gyroNoiseSd: number;
  /** Leave the 50 Hz IMU out (GPS-only phones, e.g. OsmAnd clients). */
  imu: boolean;
}

export interface SensorWindow {
  startMs: number;
  endMs: number;
  gps?: GpsSection;
  imu?: ImuSection;
  phone?: PhoneEvent[];
}

/** True road position and edge behind each GPS fix (for scoring map matching). */
export interface FixTruth {
  t: number[];
  edgeId: number[];
  lat: number[];
  lon: number[];
}

export function traceDurationMs(trace: Trace): number {
  return Math.round((trace.n - 1) * trace.dtS * 1000);
}

export function phoneEventsOf(episodes: readonly PhoneEpisode[], startMs: number, rng: Rng): PhoneEvent[] {
  const out: PhoneEvent[] = [];
  for (const e of episodes) {
    const t0 = startMs + Math.round(e.startS * 1000);
    const t1 = startMs + Math.round(e.endS * 1000);
    if (e.kind === 'screen') {
      out.push({ t: t0, event: 'screen_on' }, { t: t0 + 100, event: 'handling' });
      if (e.unlock) out.push({ t: t0 + Math.round(rng.uniform(800, 2500)), event: 'unlock' });
      if (t1 - t0 > 4000 && rng.bool(0.5)) out.push({ t: t0 + 3000, event: 'app_foreground' });
      out.push({ t: t1, event: 'screen_off' });
    } else if (e.kind === 'call') {
      out.push({ t: t0, event: 'call_start', handsFree: e.handsFree });
      if (!e.handsFree) out.push({ t: t0 + 300, event: 'handling' });
      out.push({ t: t1, event: 'call_end', handsFree: e.handsFree });
    } else {
      out.push({ t: t0 + 100, event: 'handling' });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const r5 = (x: number): number => Math.round(x * 1e5) / 1e5;
const r7 = (x: number): number => Math.round(x * 1e7) / 1e7;
const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;

export function* phoneWindows(
  run: TripRun,
  setup: PhoneSetup,
  rng: Rng,
  fixTruth: FixTruth | null,
  windowMs = WINDOW_MS,
): Generator<SensorWindow> {
  const { trace, track, startMs } = run;
  const durationMs = traceDurationMs(trace);
  const events = phoneEventsOf(trace.phone, startMs, rng.fork('events'));
  const timeline = buildOrientation(setup.initialQuat, setup.mount, trace.phone, rng.fork('orientation'));
  const gps = createGps(setup.gps, rng.fork('gps'));
  const imu = setup.imu ? createImuState(setup, rng.fork('imu'), timeline) : null;
  const gpsOffsetMs = rng.int(1000);
  let nextFixMs = gpsOffsetMs;
  let nextImuMs = 0;
  let ev = 0;
  for (let w0 = 0; w0 <= durationMs; w0 += windowMs) {
    const w1 = Math.min(w0 + windowMs, durationMs + 1);
    const win: SensorWindow = { startMs: startMs + w0, endMs: startMs + w1 };
    const g: GpsSection = { t: [], lat: [], lon: [], speedMps: [], headingDeg: [], accuracyM: [] };
    for (; nextFixMs < w1; nextFixMs += GPS_PERIOD_MS) {
      const st = traceAt(trace, nextFixMs);
      const pos = latLonAt(track, st.s);
      const yaw = sampleAt(track, track.yawRad, st.s);
      const fix = gpsStep(gps, pos.lat, pos.lon, st.v, yaw);
      if (!fix) continue;
      const t = startMs + nextFixMs;
      g.t.push(t);
      g.lat.push(r7(fix.lat));
      g.lon.push(r7(fix.lon));
      g.speedMps!.push(fix.speedMps === null ? null : r2(fix.speedMps));
      g.headingDeg!.push(fix.headingDeg === null ? null : r1(fix.headingDeg));
      g.accuracyM!.push(fix.accuracyM);
      if (fixTruth) {
        fixTruth.t.push(t);
        fixTruth.edgeId.push(track.edgeId[Math.min(track.n - 1, Math.floor(st.s / track.dsM))]!);
        fixTruth.lat.push(r7(pos.lat));
        fixTruth.lon.push(r7(pos.lon));
      }
    }
    if (g.t.length > 0) win.gps = g;
    if (imu) {
      const section: ImuSection = { frame: 'device', t: [], ax: [], ay: [], az: [], gx: [], gy: [], gz: [] };
      for (; nextImuMs < w1; nextImuMs += IMU_PERIOD_MS) imuSample(imu, run, nextImuMs, section);
      win.imu = section;
    }
    const phone: PhoneEvent[] = [];
    while (ev < events.length && events[ev]!.t < startMs + w1) phone.push(events[ev++]!);
    if (phone.length > 0) win.phone = phone;
    yield win;
  }
}

export function traceAt(trace: Trace, tMs: number): { s: number; v: number; a: number } {
  const f = Math.max(0, tMs / (trace.dtS * 1000));
  const i = Math.min(trace.n - 2, Math.floor(f));
  if (i < 0) return { s: trace.sM[0]!, v: trace.vMps[0]!, a: trace.aMps2[0]! };
  const w = Math.min(1, f - i);
  return {
    s: trace.sM[i]! + w * (trace.sM[i + 1]! - trace.sM[i]!),
    v: trace.vMps[i]! + w * (trace.vMps[i + 1]! - trace.vMps[i]!),
    a: trace.aMps2[i]! + w * (trace.aMps2[i + 1]! - trace.aMps2[i]!),
  };
}

interface ImuState {
  setup: PhoneSetup;
  rng: Rng;
  timeline: OrientationTimeline;
  cursor: { i: number };
  vib: Float64Array; // ax, ay, az, gx, gy
  jitter: Float64Array; // in-hand angles, rad
  accelBias: [number, number, number];
  gyroBias: [number, number, number];
  prevQ: Quat | null;
  m: Float64Array;
  handIdx: number;
  swingIdx: number;
}

function createImuState(setup: PhoneSetup, rng: Rng, timeline: OrientationTimeline): ImuState {
  return {
    setup,
    rng,
    timeline,
    cursor: { i: 0 },
    vib: new Float64Array(5),
    jitter: new Float64Array(3),
    accelBias: [rng.normal(0, 0.05), rng.normal(0, 0.05), rng.normal(0, 0.05)],
    gyroBias: [rng.normal(0, 0.004), rng.normal(0, 0.004), rng.normal(0, 0.004)],
    prevQ: null,
    m: new Float64Array(9),
    handIdx: 0,
    swingIdx: 0,
  };
}

const VIB_RHO = 0.6;
const VIB_INNOV = Math.sqrt(1 - VIB_RHO * VIB_RHO);
const JIT_RHO = Math.exp(-IMU_PERIOD_MS / 400);
const JIT_INNOV = Math.sqrt(1 - JIT_RHO * JIT_RHO);
const JIT_SD_RAD = (2.5 * Math.PI) / 180;

function imuSample(st: ImuState, run: TripRun, tMs: number, out: ImuSection): void {
  const { rng, timeline } = st;
  const { trace, track } = run;
  const { s, v, a } = traceAt(trace, tMs);
  const kappa = sampleAt(track, track.curvature, s);
  const aLat = v * v * kappa;
  const yawRate = v * kappa;

  // Road and engine vibration, coloured (AR(1)); stronger with speed, mostly vertical.
  const vibSd = v > 0.2 ? 0.05 + 0.012 * v : 0.02;
  const vib = st.vib;
  vib[0] = VIB_RHO * vib[0]! + VIB_INNOV * 0.5 * vibSd * rng.normal();
  vib[1] = VIB_RHO * vib[1]! + VIB_INNOV * 0.5 * vibSd * rng.normal();
  vib[2] = VIB_RHO * vib[2]! + VIB_INNOV * vibSd * rng.normal();
  const gVibSd = 0.004 + 0.0008 * v;
  vib[3] = VIB_RHO * vib[3]! + VIB_INNOV * gVibSd * rng.normal();
  vib[4] = VIB_RHO * vib[4]! + VIB_INNOV * gVibSd * rng.normal();

  let fx = a + vib[0]!;
  let fy = aLat + vib[1]!;
  let fz = G_MPS2 + vib[2]!;
  const swings = timeline.swings;
  while (st.swingIdx < swings.length && swings[st.swingIdx]!.endMs <= tMs) st.swingIdx++;
  const sw = swings[st.swingIdx];
  if (sw && sw.startMs <= tMs) {
    const k = sw.ampMps2 * Math.sin((2 * Math.PI * (tMs - sw.startMs)) / (sw.endMs - sw.startMs));
    fx += k * sw.dir[0];
    fy += k * sw.dir[1];
    fz += k * sw.dir[2];
  }

  let q = orientationAt(timeline, tMs, st.cursor);
  const hands = timeline.inHand;
  while (st.handIdx < hands.length && hands[st.handIdx]!.endMs <= tMs) st.handIdx++;
  const hand = hands[st.handIdx];
  if (hand && hand.startMs <= tMs) {
    const j = st.jitter;
    for (let k = 0; k < 3; k++) j[k] = JIT_RHO * j[k]! + JIT_INNOV * JIT_SD_RAD * rng.normal();
    const ang = Math.hypot(j[0]!, j[1]!, j[2]!);
    if (ang > 0) q = quatMul(q, quatFromAxisAngle(j[0]!, j[1]!, j[2]!, ang));
  }
  let wx = 0;
  let wy = 0;
  let wz = 0;
  if (q !== st.prevQ) {
    quatToMatrix(q, st.m);
    if (st.prevQ) [wx, wy, wz] = angularVelocity(st.prevQ, q, IMU_PERIOD_MS / 1000);
    st.prevQ = q;
  }
  const m = st.m;
  const an = st.setup.accelNoiseSd;
  const gn = st.setup.gyroNoiseSd;
  const b = st.accelBias;
  const gb = st.gyroBias;
  // Device reading = Rᵀ · vehicle vector (columns of R are the device axes in the vehicle frame).
  out.t.push(run.startMs + tMs);
  out.ax.push(r4(m[0]! * fx + m[3]! * fy + m[6]! * fz + b[0] + an * rng.normal()));
  out.ay.push(r4(m[1]! * fx + m[4]! * fy + m[7]! * fz + b[1] + an * rng.normal()));
  out.az.push(r4(m[2]! * fx + m[5]! * fy + m[8]! * fz + b[2] + an * rng.normal()));
  const ox = vib[3]!;
  const oy = vib[4]!;
  out.gx!.push(r5(m[0]! * ox + m[3]! * oy + m[6]! * yawRate + wx + gb[0] + gn * rng.normal()));
  out.gy!.push(r5(m[1]! * ox + m[4]! * oy + m[7]! * yawRate + wy + gb[1] + gn * rng.normal()));
  out.gz!.push(r5(m[2]! * ox + m[5]! * oy + m[8]! * yawRate + wz + gb[2] + gn * rng.normal()));
}
