// Crash candidates: a violent acceleration peak at speed, followed by the vehicle stopping.
// A phone handled around the peak (dropped, thrown on the seat) is not a crash.
import type { PipelineConfig } from './config.ts';
import type { EventDraft } from './drafts.ts';
import type { Context } from './harsh.ts';

export interface CrashState {
  cand: {
    t: number;
    peak: number;
    speedBefore: number | null;
    lat: number | null;
    lon: number | null;
  } | null;
  lastHandlingT: number;
}

export function newCrashState(): CrashState {
  return { cand: null, lastHandlingT: -1e15 };
}

const HANDLING_MS = 5_000;

/** m2 is the squared magnitude of the gravity-free acceleration; `moving` is whether the vehicle moved (no GPS). */
export function crashSample(
  s: CrashState,
  cfg: PipelineConfig,
  t: number,
  m2: number,
  ctx: Context,
  moving: boolean,
): void {
  if (m2 < cfg.crashPeakMps2 * cfg.crashPeakMps2) return;
  const peak = Math.sqrt(m2);
  if (s.cand !== null && t - s.cand.t < 2_000) {
    if (peak > s.cand.peak) s.cand.peak = peak;
    return;
  }
  const fast = ctx.speedMps === null ? moving : ctx.speedMps >= cfg.crashMinSpeedMps;
  if (!fast || t - s.lastHandlingT < HANDLING_MS) return;
  s.cand = { t, peak, speedBefore: ctx.speedMps, lat: ctx.lat, lon: ctx.lon };
}

export function crashHandling(s: CrashState, t: number): void {
  s.lastHandlingT = t;
  if (s.cand !== null && t - s.cand.t < HANDLING_MS) s.cand = null;
}

/** Called on every motion update; confirms the candidate when the vehicle has stopped. */
export function crashMotion(
  s: CrashState,
  cfg: PipelineConfig,
  t: number,
  stopped: boolean,
  speedMps: number | null,
): EventDraft | null {
  const c = s.cand;
  if (c === null) return null;
  if (t - c.t > cfg.crashStopWithinMs) {
    s.cand = null;
    return null;
  }
  if (!stopped || t - c.t < HANDLING_MS) return null;
  s.cand = null;
  return {
    kind: 'crash_candidate',
    source: 'detected',
    severity: 'severe',
    startMs: c.t,
    endMs: t,
    peakValue: c.peak,
    peakUnit: 'mps2',
    speedBeforeMps: c.speedBefore,
    speedAfterMps: speedMps,
    lat: c.lat,
    lon: c.lon,
    detail: { stoppedAfterMs: t - c.t },
    imu: null,
    wantsImu: true,
  };
}
