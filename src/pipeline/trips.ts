// Trip segmentation: a trip starts on sustained movement and ends after a long stop (or dwelling within a small
// radius), a long data gap or ignition off. Fed one motion update per GPS fix (or per IMU second without GPS).
import { haversineM } from '../domain/index.ts';
import type { PipelineConfig } from './config.ts';
import type { EventDraft } from './drafts.ts';
import { tripId } from './drafts.ts';
import type { TracePoints, Trip } from './types.ts';

/** Accumulators that are rolled back to the moment the final stop began. */
export interface TripTotals {
  distanceM: number;
  movingMs: number;
  idleMs: number;
  phoneUseMs: number;
  handheldCallMs: number;
  handsFreeCallMs: number;
  imuMs: number;
  imuCalibratedMs: number;
  fixesAccepted: number;
  fixesDropped: number;
  traceLen: number;
  endLat: number | null;
  endLon: number | null;
}

export interface OpenTrip {
  id: string;
  startMs: number;
  confirmed: boolean;
  lastMs: number;
  startLat: number | null;
  startLon: number | null;
  lastLat: number | null;
  lastLon: number | null;
  lastSpeedMps: number | null;
  maxSpeedMps: number | null;
  totals: TripTotals;
  trace: TracePoints;
  lastTraceMs: number;
  events: EventDraft[];
}

export interface Dwell {
  /** When the vehicle entered the dwell circle (or the IMU went quiet). */
  anchorT: number;
  lat: number | null;
  lon: number | null;
  /** First stationary moment inside the circle; the totals at that moment (else at the anchor). */
  stopT: number | null;
  mark: TripTotals | null;
  /** The totals are taken once the current update has been counted (see takeMark). */
  markPending: boolean;
}

export interface SegState {
  phase: 'idle' | 'candidate' | 'active';
  candLastFastT: number;
  lastMotionT: number | null;
  dwell: Dwell | null;
  ignition: boolean | null;
}

export function newSegState(): SegState {
  return { phase: 'idle', candLastFastT: 0, lastMotionT: null, dwell: null, ignition: null };
}

function zeroTotals(): TripTotals {
  return {
    distanceM: 0,
    movingMs: 0,
    idleMs: 0,
    phoneUseMs: 0,
    handheldCallMs: 0,
    handsFreeCallMs: 0,
    imuMs: 0,
    imuCalibratedMs: 0,
    fixesAccepted: 0,
    fixesDropped: 0,
    traceLen: 0,
    endLat: null,
    endLon: null,
  };
}

export function openTrip(deviceId: string, t: number, lat: number | null, lon: number | null): OpenTrip {
  return {
    id: tripId(deviceId, t),
    startMs: t,
    confirmed: false,
    lastMs: t,
    startLat: lat,
    startLon: lon,
    lastLat: lat,
    lastLon: lon,
    lastSpeedMps: null,
    maxSpeedMps: null,
    totals: zeroTotals(),
    trace: { tMs: [], lat: [], lon: [], speedMps: [], headingDeg: [] },
    lastTraceMs: -1e15,
    events: [],
  };
}

export interface Motion {
  t: number;
  /** GPS speed (Kalman), or null when only the IMU tells whether the vehicle moves. */
  speedMps: number | null;
  imuActive: boolean;
  lat: number | null;
  lon: number | null;
}

export type SegAction =
  | { type: 'none' }
  | { type: 'start'; t: number }
  | { type: 'confirm' }
  | { type: 'cancel' }
  | { type: 'end'; endMs: number; reason: Trip['endReason']; mark: TripTotals | null };

const NONE: SegAction = { type: 'none' };
const DIP_MS = 3_000;

/** The gap rule, checked before a motion update or on a clock tick. */
export function segGap(s: SegState, cfg: PipelineConfig, nowMs: number): SegAction {
  if (s.phase === 'idle' || s.lastMotionT === null || nowMs - s.lastMotionT <= cfg.dwellWindowMs) return NONE;
  return closeAt(s, s.lastMotionT, 'gap');
}

function closeAt(s: SegState, lastT: number, reason: Trip['endReason']): SegAction {
  const wasCandidate = s.phase === 'candidate';
  const d = s.dwell;
  s.phase = 'idle';
  s.dwell = null;
  if (wasCandidate) return { type: 'cancel' };
  // A trip ends where the vehicle stopped; if it never stopped (data ran out while moving), at the last data.
  const stopT = d?.stopT ?? (reason === 'stationary' ? d?.anchorT : undefined);
  const endMs = stopT ?? lastT;
  return { type: 'end', endMs, reason, mark: stopT === undefined ? null : (d?.mark ?? null) };
}

export function segMotion(s: SegState, cfg: PipelineConfig, m: Motion, trip: OpenTrip | null): SegAction {
  s.lastMotionT = m.t;
  const ignitionOk = !cfg.useIgnition || s.ignition !== false;
  const fast = m.speedMps !== null ? m.speedMps >= cfg.tripStartSpeedMps : m.imuActive;
  if (s.phase === 'idle') {
    if (!fast || !ignitionOk) return NONE;
    s.phase = 'candidate';
    s.candLastFastT = m.t;
    s.dwell = null;
    return { type: 'start', t: m.t };
  }
  if (s.phase === 'candidate') {
    if (fast) s.candLastFastT = m.t;
    else if (m.t - s.candLastFastT > DIP_MS) {
      s.phase = 'idle';
      return { type: 'cancel' };
    }
    if (trip && m.t - trip.startMs >= cfg.tripStartSustainMs && fast) {
      s.phase = 'active';
      return { type: 'confirm' };
    }
    return NONE;
  }
  // active: dwell tracking
  const stationary = m.speedMps !== null ? m.speedMps < cfg.stationarySpeedMps : !m.imuActive;
  const d = s.dwell;
  if (d === null) {
    if (m.speedMps === null ? stationary : true) s.dwell = newDwell(m, stationary);
    return NONE;
  }
  const left =
    m.lat !== null && d.lat !== null && m.lon !== null && d.lon !== null
      ? haversineM(d.lat, d.lon, m.lat, m.lon) > cfg.dwellRadiusM
      : !stationary;
  if (left) {
    s.dwell = m.speedMps === null ? null : newDwell(m, stationary);
    return NONE;
  }
  if (d.stopT === null && stationary) {
    d.stopT = m.t;
    d.markPending = true;
  }
  if (m.t - d.anchorT >= cfg.dwellWindowMs) return closeAt(s, m.t, 'stationary');
  return NONE;
}

function newDwell(m: Motion, stationary: boolean): Dwell {
  return {
    anchorT: m.t,
    lat: m.lat,
    lon: m.lon,
    stopT: stationary ? m.t : null,
    mark: null,
    markPending: true,
  };
}

/** After a motion update has been added to the trip: remember the totals of a dwell that just began. */
export function takeMark(s: SegState, trip: OpenTrip): void {
  const d = s.dwell;
  if (d === null || !d.markPending) return;
  d.mark = { ...trip.totals };
  d.markPending = false;
}

/** Ignition reported; returns the resulting action (ignition off ends a trip at once). */
export function segIgnition(s: SegState, cfg: PipelineConfig, t: number, on: boolean): SegAction {
  const was = s.ignition;
  s.ignition = on;
  if (!cfg.useIgnition || on || was === false || s.phase === 'idle') return NONE;
  s.dwell = null;
  return closeAt(s, t, 'ignition_off');
}

/** End of input: whatever is open ends at its last motion (or at the start of its final stop). */
export function segFlush(s: SegState): SegAction {
  if (s.phase === 'idle') return NONE;
  return closeAt(s, s.lastMotionT ?? 0, 'end_of_input');
}

/** Adds a motion update to the open trip's totals and 1 Hz trace. */
export function accumulate(
  tr: OpenTrip,
  m: Motion,
  headingDeg: number | null,
  cfg: PipelineConfig,
): { dtMs: number; moving: boolean } {
  const dtMs = Math.min(cfg.gpsStaleMs, Math.max(0, m.t - tr.lastMs));
  const moving = m.speedMps !== null ? m.speedMps >= cfg.stationarySpeedMps : m.imuActive;
  const T = tr.totals;
  if (moving) T.movingMs += dtMs;
  else T.idleMs += dtMs;
  if (m.lat !== null && m.lon !== null) {
    if (m.speedMps !== null) T.fixesAccepted++;
    if (tr.lastLat !== null && tr.lastLon !== null)
      T.distanceM += haversineM(tr.lastLat, tr.lastLon, m.lat, m.lon);
    tr.lastLat = m.lat;
    tr.lastLon = m.lon;
    T.endLat = m.lat;
    T.endLon = m.lon;
    if (tr.startLat === null) {
      tr.startLat = m.lat;
      tr.startLon = m.lon;
    }
  }
  if (m.speedMps !== null) {
    tr.lastSpeedMps = m.speedMps;
    tr.maxSpeedMps = Math.max(tr.maxSpeedMps ?? 0, m.speedMps);
    if (m.t - tr.lastTraceMs >= cfg.traceIntervalMs && m.lat !== null && m.lon !== null) {
      const p = tr.trace;
      p.tMs.push(m.t);
      p.lat.push(Math.round(m.lat * 1e6) / 1e6);
      p.lon.push(Math.round(m.lon * 1e6) / 1e6);
      p.speedMps.push(Math.round(m.speedMps * 100) / 100);
      p.headingDeg.push(headingDeg === null ? null : Math.round(headingDeg));
      tr.lastTraceMs = m.t;
      T.traceLen = p.tMs.length;
    }
  }
  tr.lastMs = m.t;
  return { dtMs, moving };
}
