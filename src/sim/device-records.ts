// A Teltonika-style vehicle tracker on the same trip: it logs a record on ignition changes, periodically
// (more often when moving), on heading and distance changes, and on its own green-driving detections from
// its (calibrated, vehicle-aligned) accelerometer — i.e. from the same dynamics that produce the truth.
import type { DeviceEvent } from '../domain/samples.ts';
import type { GpsSection } from '../domain/wire.ts';
import { G_MPS2 } from '../domain/units.ts';
import type { Trace } from './dynamics.ts';
import { createGps, type GpsConfig, gpsStep } from './gps.ts';
import type { Rng } from './rng.ts';
import { latLonAt, sampleAt, type Track, wrapPi } from './track.ts';

export interface DeviceConfig {
  /** Seconds between records while moving / while parked with the ignition on. */
  periodMovingS: number;
  periodStoppedS: number;
  /** A heading change this large, or this much distance, also makes a record. */
  angleDeg: number;
  distanceM: number;
  /** Green-driving thresholds, g (Teltonika's recommended FM defaults: 0.25 / 0.35; cornering 0.30). */
  accelG: number;
  brakeG: number;
  cornerG: number;
}

export const TELTONIKA_DEFAULTS: DeviceConfig = {
  periodMovingS: 10,
  periodStoppedS: 60,
  angleDeg: 10,
  distanceM: 100,
  accelG: 0.25,
  brakeG: 0.35,
  cornerG: 0.3,
};

/** HDOP 1 ≈ 5 m (accuracy = 5 m × HDOP, as the Teltonika decoder reads it). */
const DEVICE_GPS: GpsConfig = {
  baseAccuracyM: 5,
  environmentSd: 0.25,
  errorTauS: 30,
  dropoutsPerHour: 0.8,
  jumpProb: 0.0005,
  accuracyReportSd: 0.1,
};

export interface GreenDriving {
  /** 1 harsh acceleration, 2 harsh braking, 3 harsh cornering (Teltonika io253). */
  type: 1 | 2 | 3;
  valueG: number;
  durationMs: number;
}

export interface DeviceRecord {
  tMs: number;
  lat: number;
  lon: number;
  speedKmh: number;
  headingDeg: number;
  satellites: number;
  hdop: number;
  /** IO id that triggered the record (0 periodic, 239 ignition, 253 green driving). */
  eventIoId: number;
  ignition: boolean;
  motion: boolean;
  odometerM: number;
  externalVoltageMv: number;
  gsmSignal: number;
  green?: GreenDriving;
}

const GREEN_KIND = { 1: 'harsh_acceleration', 2: 'harsh_braking', 3: 'harsh_cornering' } as const;

/** Records of one trip, in time order. `odometerStartM` is the vehicle's total odometer at ignition on. */
export function deviceRecords(
  trace: Trace,
  track: Track,
  startMs: number,
  odometerStartM: number,
  cfg: DeviceConfig,
  rng: Rng,
): DeviceRecord[] {
  const gps = createGps(DEVICE_GPS, rng.fork('gps'));
  const green = detectGreenDriving(trace, track, cfg, rng.fork('accel'));
  const out: DeviceRecord[] = [];
  const durationS = Math.floor((trace.n - 1) * trace.dtS);
  const perSecond = Math.round(1 / trace.dtS);
  let lastT = Number.NEGATIVE_INFINITY;
  let lastYaw = 0;
  let lastS = 0;
  let g = 0;
  let lastFix: { lat: number; lon: number; accuracyM: number } | null = null;
  for (let sec = 0; sec <= durationS; sec++) {
    const i = Math.min(trace.n - 1, sec * perSecond);
    const s = trace.sM[i]!;
    const v = trace.vMps[i]!;
    const yaw = sampleAt(track, track.yawRad, s);
    const pos = latLonAt(track, s);
    const fix = gpsStep(gps, pos.lat, pos.lon, v, yaw);
    if (fix) lastFix = fix;
    const moving = v > 0.5;
    const tMs = sec * 1000;
    let eventIoId = -1;
    let gd: GreenDriving | undefined;
    if (sec === 0 || sec === durationS) eventIoId = 239;
    else if (g < green.length && green[g]!.endMs <= tMs) {
      eventIoId = 253;
      gd = green[g++]!.green;
    } else if (sec - lastT >= (moving ? cfg.periodMovingS : cfg.periodStoppedS)) eventIoId = 0;
    else if (moving && Math.abs(wrapPi(yaw - lastYaw)) >= (cfg.angleDeg * Math.PI) / 180) eventIoId = 0;
    else if (moving && s - lastS >= cfg.distanceM) eventIoId = 0;
    if (eventIoId < 0 || !lastFix) continue;
    const hdop = Math.max(0.6, Math.round((lastFix.accuracyM / 5) * 10) / 10);
    const rec: DeviceRecord = {
      tMs: startMs + tMs,
      lat: Math.round(lastFix.lat * 1e7) / 1e7,
      lon: Math.round(lastFix.lon * 1e7) / 1e7,
      speedKmh: Math.round(v * 3.6),
      headingDeg: Math.round((((90 - (yaw * 180) / Math.PI) % 360) + 360) % 360) % 360,
      satellites: Math.max(4, Math.min(16, Math.round(13 - 3 * hdop + rng.normal(0, 1)))),
      hdop,
      eventIoId,
      ignition: sec < durationS,
      motion: moving,
      odometerM: Math.round(odometerStartM + s),
      externalVoltageMv: Math.round((sec < durationS ? 13900 : 12500) + rng.normal(0, 60)),
      gsmSignal: Math.max(1, Math.min(5, Math.round(4 + rng.normal(0, 0.7)))),
    };
    if (gd) rec.green = gd;
    out.push(rec);
    lastT = sec;
    lastYaw = yaw;
    lastS = s;
  }
  return out;
}

/** The device's own threshold detector on its accelerometer (vehicle-aligned, a little noise). */
function detectGreenDriving(
  trace: Trace,
  track: Track,
  cfg: DeviceConfig,
  rng: Rng,
): Array<{ endMs: number; green: GreenDriving }> {
  const out: Array<{ endMs: number; green: GreenDriving }> = [];
  const dtMs = trace.dtS * 1000;
  const active: Array<{ start: number; peak: number } | null> = [null, null, null];
  for (let i = 0; i <= trace.n; i++) {
    const last = i === trace.n;
    const v = last ? 0 : trace.vMps[i]!;
    const a = last ? 0 : (trace.aMps2[i]! + rng.normal(0, 0.05)) / G_MPS2;
    const lat = last
      ? 0
      : (v * v * sampleAt(track, track.curvature, trace.sM[i]!) + rng.normal(0, 0.05)) / G_MPS2;
    const values = [v * 3.6 >= 10 ? a : 0, v * 3.6 >= 10 ? -a : 0, v * 3.6 >= 30 ? Math.abs(lat) : 0];
    const limits = [cfg.accelG, cfg.brakeG, cfg.cornerG];
    for (let k = 0; k < 3; k++) {
      const x = values[k]!;
      const cur = active[k];
      if (x >= limits[k]!) {
        if (!cur) active[k] = { start: i, peak: x };
        else if (x > cur.peak) cur.peak = x;
      } else if (cur) {
        const durationMs = (i - cur.start) * dtMs;
        if (durationMs >= 200) {
          out.push({
            endMs: i * dtMs,
            green: { type: (k + 1) as 1 | 2 | 3, valueG: Math.round(cur.peak * 100) / 100, durationMs },
          });
        }
        active[k] = null;
      }
    }
  }
  return out.sort((x, y) => x.endMs - y.endMs);
}

/** Records as SensorBatch parts: fixes, per-fix attributes (decoder names) and device events. */
export function recordsToSections(records: readonly DeviceRecord[]): {
  gps: GpsSection;
  gpsAttributes: Array<Record<string, string | number | boolean>>;
  deviceEvents: DeviceEvent[];
} {
  const gps: GpsSection = { t: [], lat: [], lon: [], speedMps: [], headingDeg: [], accuracyM: [] };
  const gpsAttributes: Array<Record<string, string | number | boolean>> = [];
  const deviceEvents: DeviceEvent[] = [];
  for (const r of records) {
    gps.t.push(r.tMs);
    gps.lat.push(r.lat);
    gps.lon.push(r.lon);
    gps.speedMps!.push(Math.round((r.speedKmh / 3.6) * 1000) / 1000);
    gps.headingDeg!.push(r.headingDeg);
    gps.accuracyM!.push(Math.round(r.hdop * 5 * 10) / 10);
    const attrs: Record<string, string | number | boolean> = {
      eventIoId: r.eventIoId,
      satellites: r.satellites,
      hdop: r.hdop,
      ignition: r.ignition,
      motion: r.motion,
      odometerM: r.odometerM,
      externalVoltageV: r.externalVoltageMv / 1000,
      gsmSignal: r.gsmSignal,
    };
    if (r.eventIoId === 239)
      deviceEvents.push({ t: r.tMs, kind: r.ignition ? 'ignition_on' : 'ignition_off' });
    if (r.green) {
      attrs.greenDrivingType = r.green.type;
      attrs.greenDrivingValue = r.green.valueG;
      attrs.greenDrivingDurationMs = r.green.durationMs;
      deviceEvents.push({
        t: r.tMs,
        kind: GREEN_KIND[r.green.type],
        value: r.green.valueG,
        attributes: { greenDrivingType: r.green.type, durationMs: r.green.durationMs },
      });
    }
    gpsAttributes.push(attrs);
  }
  return { gps, gpsAttributes, deviceEvents };
}
