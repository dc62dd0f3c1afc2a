// The rating window: behaviour over the last `windowDays` of trips (default 90), each trip weighted by
// its size (km for per-distance rates and shares, hours for per-hour rates) times an exponential decay
// 0.5^(age / halfLife) on the trip's end time, so last week counts more than two months ago and one
// odd trip cannot swing the price. halfLifeDays null = plain window (equal weight inside it).
import { BEHAVIOURS, type BehaviourKey, type BehaviourProfile } from './behaviour.ts';
import type { PricingPlan } from './plan.ts';
import type { TripBehaviour } from './types.ts';

const DAY_MS = 86_400_000;

export interface SmoothingOptions {
  windowDays: number;
  halfLifeDays: number | null;
}

export interface SmoothedBehaviour {
  /** null when no trip falls in the window: there is nothing to price on yet. */
  profile: BehaviourProfile | null;
  /** Decay-weighted km: the credibility exposure m. Equals rawDistanceKm when there is no decay. */
  exposureKm: number;
  rawDistanceKm: number;
  trips: number;
}

export function smoothBehaviour(
  trips: readonly TripBehaviour[],
  asOfMs: number,
  { windowDays, halfLifeDays }: SmoothingOptions,
): SmoothedBehaviour {
  const fromMs = asOfMs - windowDays * DAY_MS;
  const sums: Record<string, number> = {};
  let kmWeight = 0;
  let hourWeight = 0;
  let rawKm = 0;
  let count = 0;
  for (const t of trips) {
    // A trip belongs to the window its end falls in; future trips are ignored.
    if (t.endMs <= fromMs || t.endMs > asOfMs || !(t.distanceM > 0)) continue;
    const decay = halfLifeDays === null ? 1 : 0.5 ** ((asOfMs - t.endMs) / (halfLifeDays * DAY_MS));
    const km = t.distanceM / 1000;
    const hours = Math.max(0, t.endMs - t.startMs) / 3_600_000;
    kmWeight += km * decay;
    hourWeight += hours * decay;
    rawKm += km;
    count++;
    for (const b of BEHAVIOURS) {
      const w = (b.weightBy === 'distance' ? km : hours) * decay;
      sums[b.key] = (sums[b.key] ?? 0) + w * t.behaviour[b.key];
    }
  }
  if (count === 0) return { profile: null, exposureKm: 0, rawDistanceKm: 0, trips: 0 };
  const profile = {} as Record<BehaviourKey, number>;
  for (const b of BEHAVIOURS) {
    const total = b.weightBy === 'distance' ? kmWeight : hourWeight;
    profile[b.key] = total > 0 ? (sums[b.key] ?? 0) / total : 0;
  }
  return { profile, exposureKm: kmWeight, rawDistanceKm: rawKm, trips: count };
}

/** The plan's rating window; plans that price no behaviour still get the defaults (90 days, 30-day half-life). */
export function smoothingFor(plan: PricingPlan): SmoothingOptions {
  const t = plan.plan.telematics;
  return t === undefined
    ? { windowDays: 90, halfLifeDays: 30 }
    : { windowDays: t.windowDays, halfLifeDays: t.halfLifeDays };
}
