// Speeding against the posted limit, on a closed trip's 1 Hz trace matched to the road network.
import { haversineM, mpsToKmh } from '../domain/index.ts';
import type { MatchedFix, RoadClass } from '../geo/types.ts';
import type { PipelineConfig } from './config.ts';
import type { EventDraft } from './drafts.ts';
import type { TracePoints } from './types.ts';

export interface SpeedingResult {
  events: EventDraft[];
  /** Per trace point: the posted limit, or null. */
  limits: (number | null)[];
  speedingMs: number;
  overLimitMs: number;
  movingWithLimitMs: number;
  movingMs: number;
  roadClassM: Partial<Record<RoadClass, number>>;
  matchedM: number;
  /** Share of trace points the matcher put on no road (or more than 40 m from one): rails, paths. */
  offRoadShare: number;
}

/** Speeding runs: over the limit by ≥ the first tier for ≥ speedingMinDurationMs (1 missing second bridged). */
export function speeding(
  trace: TracePoints,
  matched: readonly MatchedFix[],
  cfg: PipelineConfig,
): SpeedingResult {
  const n = trace.tMs.length;
  const limits: (number | null)[] = new Array(n).fill(null);
  const classes: (RoadClass | null)[] = new Array(n).fill(null);
  for (const m of matched) {
    if (m.index >= 0 && m.index < n) {
      limits[m.index] = m.speedLimitKmh;
      classes[m.index] = m.roadClass;
    }
  }
  const r: SpeedingResult = {
    events: [],
    limits,
    speedingMs: 0,
    overLimitMs: 0,
    movingWithLimitMs: 0,
    movingMs: 0,
    roadClassM: {},
    matchedM: 0,
    offRoadShare: 0,
  };
  let onRoad = 0;
  for (const m of matched) if (m.edgeId !== null && (m.distanceM ?? 0) <= 40) onRoad++;
  r.offRoadShare = n > 0 ? 1 - Math.min(n, onRoad) / n : 0;
  const [low, mid, high] = cfg.speedingTiersKmh;
  let run: { i0: number; i1: number; peak: number } | null = null;
  const closeRun = () => {
    if (run === null) return;
    const startMs = trace.tMs[run.i0]!;
    const endMs = trace.tMs[run.i1]!;
    if (endMs - startMs >= cfg.speedingMinDurationMs) {
      r.speedingMs += endMs - startMs;
      r.events.push({
        kind: 'speeding',
        source: 'detected',
        severity: run.peak >= high ? 'severe' : run.peak >= mid ? 'moderate' : 'low',
        startMs,
        endMs,
        peakValue: Math.round(run.peak * 10) / 10,
        peakUnit: 'kmh_over',
        speedBeforeMps: trace.speedMps[run.i0]!,
        speedAfterMps: trace.speedMps[run.i1]!,
        lat: trace.lat[run.i0]!,
        lon: trace.lon[run.i0]!,
        detail: { limitKmh: limits[run.i0] ?? null },
        imu: null,
        wantsImu: false,
      });
    }
    run = null;
  };
  for (let i = 0; i < n; i++) {
    const dtMs = i + 1 < n ? Math.min(5_000, trace.tMs[i + 1]! - trace.tMs[i]!) : 0;
    const v = trace.speedMps[i]!;
    const lim = limits[i];
    const cls = classes[i];
    if (i + 1 < n && cls != null) {
      const d = haversineM(trace.lat[i]!, trace.lon[i]!, trace.lat[i + 1]!, trace.lon[i + 1]!);
      r.roadClassM[cls] = (r.roadClassM[cls] ?? 0) + d;
      r.matchedM += d;
    }
    if (v >= cfg.stationarySpeedMps) {
      r.movingMs += dtMs;
      if (lim != null) r.movingWithLimitMs += dtMs;
    }
    const over = lim == null ? null : mpsToKmh(v) - lim;
    if (over !== null && over > 0) r.overLimitMs += dtMs;
    if (over !== null && over >= low) {
      if (run === null) run = { i0: i, i1: i, peak: over };
      else {
        run.i1 = i;
        run.peak = Math.max(run.peak, over);
      }
    } else if (run !== null && trace.tMs[i]! - trace.tMs[run.i1]! > 2_000) {
      closeRun();
    }
  }
  closeRun();
  return r;
}
