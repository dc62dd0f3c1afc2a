// Ground truth, read off the noiseless simulated motion with the same rules the pipeline applies to
// measured data, so detection and map matching can be scored against it.
//
// Rules (documented in docs/simulator.md):
// - harsh braking: longitudinal deceleration ≥ 0.35 g sustained ≥ 0.5 s
// - harsh acceleration: longitudinal acceleration ≥ 0.35 g sustained ≥ 0.5 s (the pipeline default, issue 4)
// - harsh cornering: |lateral acceleration| ≥ 0.40 g sustained ≥ 0.5 s
// - speeding span: speed ≥ posted limit + 10 km/h sustained ≥ 15 s (the pipeline's speeding event, issue 4)
// - time speeding (portfolio summary, secondsOverThreshold): speed > 1.10 × posted limit, any duration
// A run of k samples at 10 Hz lasts k × 0.1 s (each sample stands for its tenth of a second).
import { G_MPS2 } from '../domain/units.ts';
import type { Trace } from './dynamics.ts';
import { sampleAt, type Track } from './track.ts';

export const TRUTH_RULES = {
  harshBrakingMps2: 0.35 * G_MPS2,
  harshAccelerationMps2: 0.35 * G_MPS2,
  harshCorneringMps2: 0.4 * G_MPS2,
  harshMinDurationMs: 500,
  /** Portfolio summary only (share of time over 1.1 × the limit, in the claim model). */
  speedingRatio: 1.1,
  /** Speeding spans (events): at least this far over the limit for at least speedingMinDurationMs. */
  speedingOverKmh: 10,
  speedingMinDurationMs: 15_000,
} as const;

export type HarshKind = 'harsh_braking' | 'harsh_acceleration' | 'harsh_cornering';

export interface HarshEventTruth {
  kind: HarshKind;
  startMs: number;
  endMs: number;
  /** Peak magnitude, g. */
  peakG: number;
  speedKmhAtStart: number;
}

export interface SpeedingSpanTruth {
  startMs: number;
  endMs: number;
  maxSpeedKmh: number;
  /** Posted limit where the excess over it was largest, km/h. */
  limitKmh: number;
  maxOverKmh: number;
  distanceM: number;
}

/** Lateral acceleration v²·κ at each trace sample, m/s² (positive to the left). */
export function lateralAccel(trace: Trace, track: Track): Float64Array {
  const out = new Float64Array(trace.n);
  for (let i = 0; i < trace.n; i++) {
    const v = trace.vMps[i]!;
    out[i] = v * v * sampleAt(track, track.curvature, trace.sM[i]!);
  }
  return out;
}

export function harshEvents(trace: Trace, lat: Float64Array, t0Ms: number): HarshEventTruth[] {
  const out: HarshEventTruth[] = [];
  const r = TRUTH_RULES;
  const dtMs = trace.dtS * 1000;
  const minRun = Math.round(r.harshMinDurationMs / dtMs);
  const scan = (kind: HarshKind, value: (i: number) => number, threshold: number): void => {
    let start = -1;
    let peak = 0;
    for (let i = 0; i <= trace.n; i++) {
      const x = i < trace.n ? value(i) : 0;
      if (x >= threshold) {
        if (start < 0) {
          start = i;
          peak = 0;
        }
        if (x > peak) peak = x;
      } else if (start >= 0) {
        if (i - start >= minRun) {
          out.push({
            kind,
            startMs: t0Ms + Math.round(start * dtMs),
            endMs: t0Ms + Math.round(i * dtMs),
            peakG: peak / G_MPS2,
            speedKmhAtStart: trace.vMps[start]! * 3.6,
          });
        }
        start = -1;
      }
    }
  };
  scan('harsh_braking', (i) => -trace.aMps2[i]!, r.harshBrakingMps2);
  scan('harsh_acceleration', (i) => trace.aMps2[i]!, r.harshAccelerationMps2);
  scan('harsh_cornering', (i) => Math.abs(lat[i]!), r.harshCorneringMps2);
  return out.sort((a, b) => a.startMs - b.startMs);
}

export function speedingSpans(trace: Trace, track: Track, t0Ms: number): SpeedingSpanTruth[] {
  const out: SpeedingSpanTruth[] = [];
  const dtMs = trace.dtS * 1000;
  const minRun = Math.round(TRUTH_RULES.speedingMinDurationMs / dtMs);
  let start = -1;
  let maxV = 0;
  let maxOver = 0;
  let limitAtMax = 0;
  for (let i = 0; i <= trace.n; i++) {
    let over = Number.NEGATIVE_INFINITY;
    let limit = 0;
    const v = i < trace.n ? trace.vMps[i]! : 0;
    if (i < trace.n) {
      const k = Math.min(track.n - 1, Math.max(0, Math.floor(trace.sM[i]! / track.dsM)));
      limit = track.speedLimitMps[k]!;
      if (v >= limit + TRUTH_RULES.speedingOverKmh / 3.6) over = v - limit;
    }
    if (over > Number.NEGATIVE_INFINITY) {
      if (start < 0) {
        start = i;
        maxV = 0;
        maxOver = Number.NEGATIVE_INFINITY;
      }
      if (v > maxV) maxV = v;
      if (over > maxOver) {
        maxOver = over;
        limitAtMax = limit;
      }
    } else if (start >= 0) {
      if (i - start >= minRun) {
        out.push({
          startMs: t0Ms + Math.round(start * dtMs),
          endMs: t0Ms + Math.round(i * dtMs),
          maxSpeedKmh: maxV * 3.6,
          limitKmh: Math.round(limitAtMax * 3.6),
          maxOverKmh: maxOver * 3.6,
          distanceM: trace.sM[i - 1]! - trace.sM[start]!,
        });
      }
      start = -1;
    }
  }
  return out;
}

/** Seconds the driver spent above the speeding threshold (any duration) while moving. */
export function secondsOverThreshold(trace: Trace, track: Track): number {
  let n = 0;
  for (let i = 0; i < trace.n; i++) {
    const k = Math.min(track.n - 1, Math.floor(trace.sM[i]! / track.dsM));
    if (trace.vMps[i]! > TRUTH_RULES.speedingRatio * track.speedLimitMps[k]!) n++;
  }
  return n * trace.dtS;
}
