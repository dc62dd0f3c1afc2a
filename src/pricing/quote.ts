// The quote: a monthly premium, built multiplicatively and explained additively in cents.
//
//   rated = (baseMonthly + ratePerUnit · monthlyUnits) · Π classic relativities · t · (1 − enrollment)
//
// Decomposition (fixed, documented order): base, distance, classic factors in plan order, telematics,
// enrollment discount; each step's contribution is the change it makes to the running premium, so they
// telescope to the rated premium. The rated premium is rounded half to even once; contributions are
// given whole cents by largest remainder so they add up to it exactly; the renewal cap, if any, is one
// more whole-cent line. The telematics line is split over behaviours by Shapley (phyd.ts).
import type { Result } from '../domain/index.ts';
import { BEHAVIOUR_KEYS, type BehaviourKey } from './behaviour.ts';
import { bad, checkInput } from './input.ts';
import { allocateCents, roundHalfEven } from './money.ts';
import { behaviourShares, SHARE_SLOTS, type TelematicsFactor, telematicsFactor } from './phyd.ts';
import type { PricingPlan } from './plan.ts';
import { behaviourReasons, type Reason } from './reasons.ts';
import { capRenewal } from './renewal.ts';
import { type SafetyScore, safetyScore } from './score.ts';
import type { FrequencyModel, QuoteInput } from './types.ts';

export type ContributionKind = 'base' | 'distance' | 'classic' | 'telematics' | 'discount' | 'renewalCap';

export interface Contribution {
  key: string;
  kind: ContributionKind;
  label: string;
  /** The multiplier this step applied, or null for additive steps. */
  factor: number | null;
  cents: number;
  /** Classic factors: the driver's level code and its label; null for other steps. */
  level: string | null;
  levelLabel: string | null;
}

export interface BehaviourContribution {
  key: BehaviourKey | 'other';
  /** Part of (t − 1) due to this behaviour. */
  share: number;
  cents: number;
}

export interface RatingSnapshot {
  baseCents: number;
  ratePerUnitCents: number;
  monthlyUnits: number;
  telematics: TelematicsFactor;
  discount: number;
  ratedReal: number;
  capCents: number;
}

export interface Quote {
  driverId: string;
  planKey: string;
  currency: string;
  distanceUnit: 'km' | 'mile';
  /** Monthly premium after any renewal cap. */
  premiumCents: number;
  ratedPremiumCents: number;
  /** The same driver without telematics: no behaviour factor, no enrollment discount. */
  nonTelematicsPremiumCents: number;
  /** In the fixed order; sums exactly to premiumCents. */
  contributions: Contribution[];
  /** Split of the telematics contribution; empty when not explained or no behaviour is priced. */
  behaviour: BehaviourContribution[];
  /** Up to four things adding to the premium compared with the non-telematics price, largest first. */
  reasons: Reason[];
  /** Coaching only: shown beside the telematics factor, never used to price. */
  safetyScore: SafetyScore;
  rating: RatingSnapshot;
  input: QuoteInput;
}

export interface QuoteOptions {
  model: FrequencyModel;
  /** false skips the behaviour split and reasons (sweeps and what-ifs that need only the price). */
  explain?: boolean;
}

const step = (key: string, kind: ContributionKind, label: string, factor: number | null): Contribution => ({
  key,
  kind,
  label,
  factor,
  cents: 0,
  level: null,
  levelLabel: null,
});

// Scratch for the behaviour split, reused between calls (single-threaded, never re-entered).
const SHARES = new Array<number>(SHARE_SLOTS).fill(0);
const MONEY = new Array<number>(SHARE_SLOTS).fill(0);

export function quote(plan: PricingPlan, input: QuoteInput, options: QuoteOptions): Result<Quote> {
  const invalid = checkInput(plan, input);
  if (invalid !== null) return invalid;
  const p = plan.plan;
  const values: number[] = [p.baseMonthlyCents];
  const contributions: Contribution[] = [step('base', 'base', 'Base rate', null)];
  const monthlyUnits = p.distance === undefined ? 0 : (input.projectedMonthlyKm * 1000) / plan.unitM;
  let running = p.baseMonthlyCents;
  if (p.distance !== undefined) {
    const d = plan.ratePerUnitCents * monthlyUnits;
    values.push(d);
    running += d;
    contributions.push(step('distance', 'distance', 'Distance', null));
  }
  for (const f of plan.factors) {
    const code = input.ratingLevels[f.name];
    const level = code === undefined ? undefined : f.levels.get(code);
    if (level === undefined) {
      const msg = `${f.label}: ${code === undefined ? 'missing' : `unknown level '${code}'`} (plan ${plan.key})`;
      return bad(code === undefined ? 'missing_level' : 'unknown_level', msg, `ratingLevels.${f.name}`);
    }
    values.push(running * (level.relativity - 1));
    running *= level.relativity;
    const c = step(f.name, 'classic', f.label, level.relativity);
    c.level = level.code;
    c.levelLabel = level.label;
    contributions.push(c);
  }
  const beforeTelematics = running;
  const tf = telematicsFactor(plan, input.risk, input.enrolled);
  const telematicsIndex = contributions.length;
  if (p.telematics !== undefined) {
    values.push(running * (tf.factor - 1));
    running *= tf.factor;
    contributions.push(step('telematics', 'telematics', 'Driving', tf.factor));
  }
  const discount = input.enrolled ? plan.enrollmentDiscount : 0;
  values.push(-running * discount);
  running *= 1 - discount;
  contributions.push(step('enrollment', 'discount', 'Telematics enrollment discount', 1 - discount));
  const ratedCents = roundHalfEven(running);
  const cents = allocateCents(values, ratedCents);
  for (let i = 0; i < cents.length; i++) contributions[i]!.cents = cents[i]!;
  const prev = input.previousPremiumCents;
  const premiumCents = prev === undefined ? ratedCents : capRenewal(prev, ratedCents, p.renewalCap);
  const cap = step('renewalCap', 'renewalCap', 'Renewal cap', null);
  cap.cents = premiumCents - ratedCents;
  contributions.push(cap);

  let behaviour: BehaviourContribution[] = [];
  let reasons: Reason[] = [];
  if (options.explain !== false && p.telematics !== undefined) {
    if (!behaviourShares(plan, input.risk, tf, options.model, SHARES)) {
      return bad(
        'model_output_invalid',
        'the frequency model returned a non-positive or non-finite value',
        'model',
      );
    }
    for (let i = 0; i < SHARE_SLOTS; i++) MONEY[i] = beforeTelematics * SHARES[i]!;
    const partCents = allocateCents(MONEY, contributions[telematicsIndex]!.cents);
    behaviour = new Array(SHARE_SLOTS);
    for (let i = 0; i < SHARE_SLOTS; i++) {
      behaviour[i] = { key: BEHAVIOUR_KEYS[i] ?? 'other', share: SHARES[i]!, cents: partCents[i]! };
    }
    reasons = behaviourReasons(plan, input.risk.behaviour, behaviour);
  }
  return {
    ok: true,
    value: {
      driverId: input.driverId,
      planKey: plan.key,
      currency: p.currency,
      distanceUnit: p.distanceUnit,
      premiumCents,
      ratedPremiumCents: ratedCents,
      nonTelematicsPremiumCents: roundHalfEven(beforeTelematics),
      contributions,
      behaviour,
      reasons,
      safetyScore: safetyScore(p.safetyScore, input.risk),
      rating: {
        baseCents: p.baseMonthlyCents,
        ratePerUnitCents: plan.ratePerUnitCents,
        monthlyUnits,
        telematics: tf,
        discount,
        ratedReal: running,
        capCents: premiumCents - ratedCents,
      },
      input,
    },
  };
}

export interface BatchResult {
  quotes: Quote[];
  errors: Array<{ driverId: string; code: string; message: string }>;
}

/** Prices a portfolio in one pass; bad inputs are reported per driver and do not stop the batch. */
export function quoteBatch(
  plan: PricingPlan,
  inputs: readonly QuoteInput[],
  options: QuoteOptions,
): BatchResult {
  const quotes: Quote[] = [];
  const errors: BatchResult['errors'] = [];
  for (const input of inputs) {
    const q = quote(plan, input, options);
    if (q.ok) quotes.push(q.value);
    else errors.push({ driverId: input.driverId, code: q.error.code, message: q.error.message });
  }
  return { quotes, errors };
}
