// Trip features: the numbers the risk model and the driver's explanations start from.
import type { SpeedingResult } from './speeding.ts';
import type { OpenTrip } from './trips.ts';
import { type DrivingEvent, EVENT_KINDS, type EventKind, type TripFeatures } from './types.ts';

/** Below this a per-100-km rate would be noise. */
const MIN_RATE_DISTANCE_M = 1000;

export interface FeatureInputs {
  ot: OpenTrip;
  durationMs: number;
  events: DrivingEvent[];
  speeding: SpeedingResult | null;
  nightShare: number;
  rushHourShare: number;
  fatigueMs: number;
  continuousDrivingMs: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r2 = (x: number) => Math.round(x * 100) / 100;

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function computeFeatures(x: FeatureInputs): TripFeatures {
  const { ot, events } = x;
  const t = ot.totals;
  const counts = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>;
  for (const e of events) counts[e.kind]++;
  const per100 = (n: number) => (t.distanceM >= MIN_RATE_DISTANCE_M ? r3(n / (t.distanceM / 100_000)) : null);
  const moving = ot.trace.speedMps.filter((v) => v >= 1).sort((a, b) => a - b);
  const hasGps = ot.trace.tMs.length > 0;
  const sp = x.speeding;
  const limitsKnown = sp !== null && sp.movingWithLimitMs > 0;
  let roadClassMix: TripFeatures['roadClassMix'] = null;
  if (sp !== null && sp.matchedM > 0) {
    roadClassMix = {};
    for (const [k, v] of Object.entries(sp.roadClassM))
      roadClassMix[k as keyof typeof sp.roadClassM] = r3(v / sp.matchedM);
  }
  const harsh =
    counts.harsh_braking + counts.harsh_acceleration + counts.harsh_cornering + counts.harsh_lane_change;
  return {
    distanceM: Math.round(t.distanceM),
    durationMs: x.durationMs,
    movingTimeMs: Math.round(t.movingMs),
    idleTimeMs: Math.round(t.idleMs),
    meanMovingSpeedMps: hasGps && t.movingMs > 0 ? r2(t.distanceM / (t.movingMs / 1000)) : null,
    maxSpeedMps: ot.maxSpeedMps === null ? null : r2(ot.maxSpeedMps),
    p85SpeedMps: (() => {
      const q = quantile(moving, 0.85);
      return q === null ? null : r2(q);
    })(),
    eventCounts: counts,
    harshBrakingPer100Km: per100(counts.harsh_braking),
    harshAccelerationPer100Km: per100(counts.harsh_acceleration),
    harshCorneringPer100Km: per100(counts.harsh_cornering + counts.harsh_lane_change),
    harshEventsPer100Km: per100(harsh),
    speedLimitsAvailable: limitsKnown,
    speedingShare: limitsKnown ? r3(sp.speedingMs / sp.movingWithLimitMs) : null,
    overLimitShare: limitsKnown ? r3(sp.overLimitMs / sp.movingWithLimitMs) : null,
    speedLimitCoverage: sp !== null && sp.movingMs > 0 ? r3(sp.movingWithLimitMs / sp.movingMs) : null,
    nightShare: r3(x.nightShare),
    rushHourShare: r3(x.rushHourShare),
    roadClassMix,
    phoneUseMs: Math.round(t.phoneUseMs),
    handheldCallMs: Math.round(t.handheldCallMs),
    handsFreeCallMs: Math.round(t.handsFreeCallMs),
    fatigueMs: x.fatigueMs,
    continuousDrivingMs: x.continuousDrivingMs,
    imuCalibratedShare: t.imuMs > 0 ? r3(t.imuCalibratedMs / t.imuMs) : null,
    gpsFixesAccepted: t.fixesAccepted,
    gpsFixesDropped: t.fixesDropped,
  };
}
