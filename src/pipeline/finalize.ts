// Turns a closed trip into its record: time-of-day and fatigue events, speeding (when a provider maps the
// trace to posted limits), evidence, features and mode.
import type { PipelineConfig } from './config.ts';
import { type EventDraft, eventId } from './drafts.ts';
import { computeFeatures } from './features.ts';
import { classifyMode } from './mode.ts';
import { speeding } from './speeding.ts';
import { isNight, isRushHour, localTime } from './timezone.ts';
import type { OpenTrip } from './trips.ts';
import type { DrivingEvent, EventEvidence, SpeedLimitProvider, Trip } from './types.ts';

/** Continuous driving across trips, for the fatigue rule. */
export interface DriveState {
  sinceMs: number | null;
  lastEndMs: number | null;
}

export interface CloseInfo {
  deviceId: string;
  endMs: number;
  reason: Trip['endReason'];
}

/** Steps through the trip at ≤ 60 s resolution, returning the runs where `pred` holds. */
function timeRuns(
  startMs: number,
  endMs: number,
  pred: (t: number) => boolean,
): { share: number; runs: [number, number][] } {
  const dur = endMs - startMs;
  if (dur <= 0) return { share: 0, runs: [] };
  const step = Math.max(1000, Math.min(60_000, dur / 200));
  const runs: [number, number][] = [];
  let hits = 0;
  let steps = 0;
  let runStart: number | null = null;
  for (let t = startMs; t < endMs; t += step) {
    const mid = Math.min(endMs, t + step / 2);
    const on = pred(mid);
    steps++;
    if (on) {
      hits++;
      if (runStart === null) runStart = t;
    } else if (runStart !== null) {
      runs.push([runStart, t]);
      runStart = null;
    }
  }
  if (runStart !== null) runs.push([runStart, endMs]);
  return { share: hits / steps, runs };
}

function timeEvent(
  kind: 'night_driving' | 'rush_hour' | 'fatigue',
  a: number,
  b: number,
  peak: number,
): EventDraft {
  return {
    kind,
    source: 'detected',
    severity: kind === 'fatigue' && peak >= 3 * 3600_000 ? 'severe' : kind === 'fatigue' ? 'moderate' : 'low',
    startMs: a,
    endMs: b,
    peakValue: peak,
    peakUnit: 'ms',
    speedBeforeMps: null,
    speedAfterMps: null,
    lat: null,
    lon: null,
    detail: {},
    imu: null,
    wantsImu: false,
  };
}

export function finalizeTrip(
  ot: OpenTrip,
  info: CloseInfo,
  cfg: PipelineConfig,
  drive: DriveState,
  provider: SpeedLimitProvider | undefined,
): { trip: Trip; events: DrivingEvent[] } | null {
  const { deviceId, endMs } = info;
  const startMs = ot.startMs;
  const durationMs = Math.max(0, endMs - startMs);
  if (durationMs < cfg.minTripDurationMs && ot.totals.distanceM < cfg.minTripDistanceM) return null;

  const trace = ot.trace;
  const drafts = ot.events.filter((e) => e.startMs <= endMs);

  let sp: ReturnType<typeof speeding> | null = null;
  if (provider && trace.tMs.length > 0) {
    const points = trace.tMs.map((t, i) => ({
      tMs: t,
      lat: trace.lat[i]!,
      lon: trace.lon[i]!,
      speedMps: trace.speedMps[i]!,
      headingDeg: trace.headingDeg[i] ?? null,
    }));
    sp = speeding(trace, provider.match(deviceId, points), cfg);
    drafts.push(...sp.events);
  }

  const tz = cfg.timeZone;
  const night = timeRuns(startMs, endMs, (t) =>
    isNight(localTime(tz, t).hour, cfg.nightStartHour, cfg.nightEndHour),
  );
  const rush = timeRuns(startMs, endMs, (t) => {
    const lt = localTime(tz, t);
    return isRushHour(lt.hour, lt.weekday, cfg.rushHours);
  });
  for (const [a, b] of night.runs) drafts.push(timeEvent('night_driving', a, b, b - a));
  for (const [a, b] of rush.runs) drafts.push(timeEvent('rush_hour', a, b, b - a));

  if (drive.lastEndMs === null || drive.sinceMs === null || startMs - drive.lastEndMs >= cfg.fatigueBreakMs) {
    drive.sinceMs = startMs;
  }
  drive.lastEndMs = endMs;
  const continuousDrivingMs = endMs - drive.sinceMs;
  const crossing = drive.sinceMs + cfg.fatigueDrivingMs;
  const fatigueMs = crossing < endMs ? endMs - Math.max(crossing, startMs) : 0;
  if (fatigueMs > 0)
    drafts.push(timeEvent('fatigue', Math.max(crossing, startMs), endMs, continuousDrivingMs));

  drafts.sort((a, b) => a.startMs - b.startMs || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  const events = drafts.map((d) => toEvent(d, ot, deviceId, cfg, sp?.limits ?? null));
  const mode = classifyMode(trace, ot.totals.distanceM, sp === null ? null : sp.offRoadShare);
  const features = computeFeatures({
    ot,
    durationMs,
    events,
    speeding: sp,
    nightShare: night.share,
    rushHourShare: rush.share,
    fatigueMs,
    continuousDrivingMs,
  });
  const n = trace.tMs.length;
  const trip: Trip = {
    id: ot.id,
    deviceId,
    startMs,
    endMs,
    endReason: info.reason,
    startLat: ot.startLat,
    startLon: ot.startLon,
    endLat: n > 0 ? trace.lat[n - 1]! : ot.totals.endLat,
    endLon: n > 0 ? trace.lon[n - 1]! : ot.totals.endLon,
    mode: mode.mode,
    modeConfidence: mode.confidence,
    needsConfirmation: mode.mode === 'bus' || mode.mode === 'train' || mode.mode === 'walking',
    features,
    eventIds: events.map((e) => e.id),
    trace,
  };
  return { trip, events };
}

function speedWindow(
  ot: OpenTrip,
  from: number,
  to: number,
  t0: number,
  limits: (number | null)[] | null,
): EventEvidence['speed'] {
  const tr = ot.trace;
  const out = { tOffsetMs: [] as number[], speedMps: [] as number[], limitKmh: [] as (number | null)[] };
  for (let i = 0; i < tr.tMs.length; i++) {
    const t = tr.tMs[i]!;
    if (t < from) continue;
    if (t > to) break;
    out.tOffsetMs.push(t - t0);
    out.speedMps.push(Math.round(tr.speedMps[i]! * 100) / 100);
    out.limitKmh.push(limits?.[i] ?? null);
  }
  return out.tOffsetMs.length > 0 ? out : null;
}

function toEvent(
  d: EventDraft,
  ot: OpenTrip,
  deviceId: string,
  cfg: PipelineConfig,
  limits: (number | null)[] | null,
): DrivingEvent {
  const timeOnly = d.kind === 'night_driving' || d.kind === 'rush_hour' || d.kind === 'fatigue';
  const m = cfg.evidenceMarginMs;
  const speed = timeOnly ? null : speedWindow(ot, d.startMs - m, d.endMs + m, d.startMs, limits);
  return {
    id: eventId(deviceId, d.startMs, d.kind),
    tripId: ot.id,
    deviceId,
    kind: d.kind,
    source: d.source,
    severity: d.severity,
    startMs: d.startMs,
    endMs: d.endMs,
    peakValue: Math.round(d.peakValue * 1000) / 1000,
    peakUnit: d.peakUnit,
    speedBeforeMps: d.speedBeforeMps === null ? null : Math.round(d.speedBeforeMps * 100) / 100,
    speedAfterMps: d.speedAfterMps === null ? null : Math.round(d.speedAfterMps * 100) / 100,
    lat: d.lat,
    lon: d.lon,
    detail: d.detail,
    evidence: d.imu === null && speed === null ? null : { t0Ms: d.startMs, imu: d.imu, speed },
  };
}
