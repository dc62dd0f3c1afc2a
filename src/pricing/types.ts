// The pricing engine's own input types. The composition root maps the risk library's and the pipeline's
// outputs onto these, so pricing depends on neither.
import type { BehaviourProfile } from './behaviour.ts';

/**
 * Expected claim frequency as a function of behaviour (claims per exposure-year). Injected: the lead
 * plugs in the champion model. Pricing uses only ratios model(b′)/model(b), so a per-driver constant
 * (the classic part of a log-linear model) cancels. Must be pure, positive, and must not keep `b`:
 * the engine reuses one scratch object between calls.
 */
export type FrequencyModel = (b: BehaviourProfile) => number;

export interface DriverRiskInput {
  /** Expected claims per exposure-year from classic factors only. */
  classicFrequency: number;
  /** Expected claims per exposure-year from classic factors and driving features. */
  behaviourFrequency: number;
  /** Credibility exposure: (decay-weighted) km driven in the rating window, see smoothBehaviour. */
  exposureKm: number;
  /** Behaviour rates over the rating window. */
  behaviour: BehaviourProfile;
}

/**
 * Everything a quote needs. Deliberately has no field for a protected attribute (gender, race, …):
 * classic rating levels go in `ratingLevels`, which the quote checks against the plan's factors.
 */
export interface QuoteInput {
  driverId: string;
  /** Classic factor name → level code, for every factor of the plan. */
  ratingLevels: Readonly<Record<string, string>>;
  risk: DriverRiskInput;
  /** Expected km a month; used by plans with a per-distance rate. */
  projectedMonthlyKm: number;
  /** Enrolled in telematics: behaviour factor and enrollment discount apply. */
  enrolled: boolean;
  /** Monthly premium of the previous term, for renewal capping. */
  previousPremiumCents?: number;
}

/** Distance driven on one UTC calendar day (several entries for one day are added up). */
export interface DailyDistance {
  date: string;
  distanceM: number;
}

/** One trip's behaviour, as the pipeline reports it. */
export interface TripBehaviour {
  startMs: number;
  endMs: number;
  distanceM: number;
  behaviour: BehaviourProfile;
}
