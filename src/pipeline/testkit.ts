// Synthetic drives for tests and benchmarks: a speed / yaw-rate profile integrated into consistent 1 Hz GPS
// and 50 Hz IMU (vehicle, earth or a rotated device frame), cut into batches. Not used by the pipeline itself.
import { EARTH_RADIUS_M, G_MPS2, type ImuFrame, type PhoneEvent, type SensorBatch } from '../domain/index.ts';
import type { PipelineOutput } from './types.ts';

export interface Segment {
  durationS: number;
  /** Longitudinal acceleration, m/s² (speed never goes below 0). */
  accelMps2?: number;
  /** Yaw rate, rad/s, + = turning left. */
  yawRps?: number;
}

export interface SynthOptions {
  deviceId?: string;
  startMs?: number;
  lat0?: number;
  lon0?: number;
  /** Compass heading at the start, degrees. */
  heading0Deg?: number;
  speed0Mps?: number;
  segments: Segment[];
  imuHz?: number;
  /** null: no IMU. */
  frame?: ImuFrame | null;
  /** Device frame: rotation (row-major 3×3) taking vehicle-frame vectors to device-frame vectors. */
  mount?: number[];
  gps?: boolean;
  gpsAccuracyM?: number;
  noiseMps2?: number;
  /** Road vibration while moving, m/s² of noise per m/s of speed (what tells the IMU the car moves). */
  vibrationPerMps?: number;
  /** The phone is moved to another mount at this time (device frame). */
  remount?: { atS: number; mount: number[] };
  batchMs?: number;
  seed?: number;
  phone?: PhoneEvent[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rotation taking vehicle vectors into a phone lying at the given yaw / pitch / roll (degrees) in the car. */
export function mountRotation(yawDeg: number, pitchDeg: number, rollDeg: number): number[] {
  const r = Math.PI / 180;
  const [cy, sy] = [Math.cos(yawDeg * r), Math.sin(yawDeg * r)];
  const [cp, sp] = [Math.cos(pitchDeg * r), Math.sin(pitchDeg * r)];
  const [cr, sr] = [Math.cos(rollDeg * r), Math.sin(rollDeg * r)];
  // R = Rx(roll) · Ry(pitch) · Rz(yaw), applied to vehicle vectors.
  const rz = [cy, sy, 0, -sy, cy, 0, 0, 0, 1];
  const ry = [cp, 0, -sp, 0, 1, 0, sp, 0, cp];
  const rx = [1, 0, 0, 0, cr, sr, 0, -sr, cr];
  const mul = (a: number[], b: number[]) =>
    Array.from({ length: 9 }, (_, k) => {
      const i = Math.floor(k / 3);
      const j = k % 3;
      return a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
    });
  return mul(rx, mul(ry, rz));
}

export function synthDrive(o: SynthOptions): SensorBatch[] {
  const deviceId = o.deviceId ?? 'synth-1';
  const start = o.startMs ?? Date.UTC(2024, 2, 5, 10, 0, 0);
  const hz = o.imuHz ?? 50;
  const frame = o.frame === undefined ? 'vehicle' : o.frame;
  const gpsOn = o.gps ?? true;
  const noise = o.noiseMps2 ?? 0.05;
  const batchMs = o.batchMs ?? 1000;
  const rnd = mulberry32(o.seed ?? 1);
  const vib = o.vibrationPerMps ?? 0.01;
  let level = noise;
  const n = () => (rnd() + rnd() + rnd() - 1.5) * 2 * level;
  let M = o.mount ?? mountRotation(0, 0, 0);
  let lat = o.lat0 ?? 42.5063;
  let lon = o.lon0 ?? 1.5218;
  let heading = ((o.heading0Deg ?? 90) * Math.PI) / 180;
  let v = o.speed0Mps ?? 0;
  const dt = 1 / hz;
  const total = o.segments.reduce((s, g) => s + g.durationS, 0);
  const steps = Math.round(total * hz);
  const batches: SensorBatch[] = [];
  let seg = 0;
  let segEnd = o.segments[0]?.durationS ?? 0;
  let cur: SensorBatch | null = null;
  for (let i = 0; i < steps; i++) {
    const tS = i * dt;
    while (tS >= segEnd && seg < o.segments.length - 1) segEnd += o.segments[++seg]!.durationS;
    const sg = o.segments[seg]!;
    const a = v <= 0 && (sg.accelMps2 ?? 0) < 0 ? 0 : (sg.accelMps2 ?? 0);
    const w = v > 0.5 ? (sg.yawRps ?? 0) : 0;
    const t = start + Math.round(tS * 1000);
    if (cur === null || t - start >= batches.length * batchMs) {
      cur = { deviceId, batchId: `${deviceId}-${batches.length}`, source: 'sim', receivedAtMs: 0 };
      if (gpsOn) cur.gps = { t: [], lat: [], lon: [], speedMps: [], headingDeg: [], accuracyM: [] };
      if (frame !== null) cur.imu = { frame, t: [], ax: [], ay: [], az: [], gx: [], gy: [], gz: [] };
      batches.push(cur);
    }
    if (gpsOn && i % hz === 0) {
      const g = cur.gps!;
      g.t.push(t);
      g.lat.push(lat);
      g.lon.push(lon);
      g.speedMps!.push(Math.round(v * 100) / 100);
      g.headingDeg!.push(Math.round(((((heading * 180) / Math.PI) % 360) + 360) % 360));
      g.accuracyM!.push(o.gpsAccuracyM ?? 5);
    }
    if (o.remount && tS >= o.remount.atS) M = o.remount.mount;
    level = noise + vib * v;
    if (frame !== null) {
      const veh = [a + n(), v * w + n(), G_MPS2 + n()];
      const gyr = [n() * 0.02, n() * 0.02, w + n() * 0.02];
      let acc = veh;
      let gyro = gyr;
      if (frame === 'device') {
        acc = [0, 1, 2].map((r) => M[r * 3]! * veh[0]! + M[r * 3 + 1]! * veh[1]! + M[r * 3 + 2]! * veh[2]!);
        gyro = [0, 1, 2].map((r) => M[r * 3]! * gyr[0]! + M[r * 3 + 1]! * gyr[1]! + M[r * 3 + 2]! * gyr[2]!);
      } else if (frame === 'earth') {
        const th = Math.PI / 2 - heading; // math angle of the vehicle's forward axis, x east y north
        const [c, s] = [Math.cos(th), Math.sin(th)];
        acc = [veh[0]! * c - veh[1]! * s, veh[0]! * s + veh[1]! * c, veh[2]!];
      }
      const m = cur.imu!;
      m.t.push(t);
      m.ax.push(acc[0]!);
      m.ay.push(acc[1]!);
      m.az.push(acc[2]!);
      m.gx!.push(gyro[0]!);
      m.gy!.push(gyro[1]!);
      m.gz!.push(gyro[2]!);
    }
    v = Math.max(0, v + a * dt);
    heading -= w * dt; // + yaw (left) lowers the compass heading
    const dN = v * dt * Math.cos(heading);
    const dE = v * dt * Math.sin(heading);
    lat += (dN / EARTH_RADIUS_M) * (180 / Math.PI);
    lon += (dE / (EARTH_RADIUS_M * Math.cos((lat * Math.PI) / 180))) * (180 / Math.PI);
  }
  for (const p of o.phone ?? []) {
    const b = batches[Math.min(batches.length - 1, Math.max(0, Math.floor((p.t - start) / batchMs)))];
    if (b) (b.phone ??= []).push(p);
  }
  return batches;
}

/** Feeds batches through a processor-like object and collects everything it emits, flush included. */
export function runAll(
  p: { push(b: SensorBatch): PipelineOutput; flush(): PipelineOutput },
  batches: SensorBatch[],
  flush = true,
): PipelineOutput {
  const out: PipelineOutput = { trips: [], events: [] };
  for (const b of batches) {
    const o = p.push(b);
    out.trips.push(...o.trips);
    out.events.push(...o.events);
  }
  if (flush) {
    const o = p.flush();
    out.trips.push(...o.trips);
    out.events.push(...o.events);
  }
  return out;
}

/**
 * A trip around the given middle segments: 5 s parked, 15 s accelerating to 15 m/s, 40 s of driving with two
 * gentle curves (so a phone can calibrate), the middle, 60 s cruising, a gentle stop and 330 s parked.
 */
export function tripAround(middle: Segment[], opts: Omit<SynthOptions, 'segments'> = {}): SensorBatch[] {
  return synthDrive({
    ...opts,
    segments: [
      { durationS: 5 },
      { durationS: 15, accelMps2: 1 },
      { durationS: 10 },
      { durationS: 5, yawRps: 0.15 },
      { durationS: 10 },
      { durationS: 5, yawRps: -0.15 },
      { durationS: 10 },
      ...middle,
      { durationS: 60 },
      { durationS: 15, accelMps2: -1.5 },
      { durationS: 330 },
    ],
  });
}

/** Seconds from the first sample of `batches` to the middle segments of tripAround. */
export const MIDDLE_START_S = 60;
