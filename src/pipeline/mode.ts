// Does this trip look like car driving, or like a bus, a train or walking? Scores from the 1 Hz speed profile:
// stop pattern (how often, how long), speed levels, acceleration smoothness and, when map-matched, how much of
// the trace is off the road network. Buses stop every few hundred
// metres for 10–60 s; trains run long, fast and smooth with few, regular stops; walking never gets fast.
import type { TracePoints, TripMode } from './types.ts';

export interface ModeResult {
  mode: TripMode;
  confidence: number;
  stopsPerKm: number | null;
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `offRoadShare`: from the map matcher when there is one (null without): trains run where no road is. */
export function classifyMode(trace: TracePoints, distanceM: number, offRoadShare: number | null): ModeResult {
  const n = trace.tMs.length;
  if (n < 30 || distanceM <= 0) return { mode: 'unknown', confidence: 0.3, stopsPerKm: null };
  const speeds = trace.speedMps.slice().sort((a, b) => a - b);
  const p95 = quantile(speeds, 0.95);
  const max = speeds[speeds.length - 1]!;
  // Stops: runs below 1 m/s lasting ≥ 5 s, not counting the trip's ends.
  const stopDur: number[] = [];
  let runStart = -1;
  for (let i = 0; i < n; i++) {
    const slow = trace.speedMps[i]! < 1;
    if (slow && runStart < 0) runStart = i;
    if ((!slow || i === n - 1) && runStart >= 0) {
      const d = trace.tMs[i]! - trace.tMs[runStart]!;
      if (runStart > 0 && !slow && d >= 5_000) stopDur.push(d);
      runStart = -1;
    }
  }
  // Longitudinal harshness: 95th percentile of |dv/dt| between trace points.
  const acc: number[] = [];
  for (let i = 1; i < n; i++) {
    const dt = (trace.tMs[i]! - trace.tMs[i - 1]!) / 1000;
    if (dt > 0 && dt <= 2) acc.push(Math.abs(trace.speedMps[i]! - trace.speedMps[i - 1]!) / dt);
  }
  acc.sort((a, b) => a - b);
  const acc95 = quantile(acc, 0.95);
  const km = distanceM / 1000;
  const stopsPerKm = stopDur.length / km;
  const sortedStops = stopDur.slice().sort((a, b) => a - b);
  const medianStopS = quantile(sortedStops, 0.5) / 1000;

  const walking = max < 4 ? 0.9 : p95 < 3.5 ? 0.7 : 0;
  const bus =
    km >= 2 && max < 25
      ? clamp01((stopsPerKm - 1) / 1.5) * (medianStopS >= 10 && medianStopS <= 90 ? 0.85 : 0.4)
      : 0;
  // Fast and smooth is also a motorway: without a map it only lowers the confidence that this is a car.
  const smooth = km >= 10 && max >= 25 ? clamp01((1.2 - acc95) / 0.8) : 0;
  const train = offRoadShare === null ? smooth * 0.45 : smooth * clamp01((offRoadShare - 0.3) / 0.4) * 0.9;
  const best = Math.max(walking, bus, train);
  if (best >= 0.5) {
    const mode: TripMode = best === walking ? 'walking' : best === bus ? 'bus' : 'train';
    return { mode, confidence: Math.round(best * 100) / 100, stopsPerKm };
  }
  return { mode: 'car', confidence: Math.round((1 - best) * 0.9 * 100) / 100, stopsPerKm };
}
