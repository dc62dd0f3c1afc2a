// A validated, compiled rating plan. Only validatePlan (validate.ts) makes one, so every function that
// takes a PricingPlan knows its plan passed the schema and its jurisdiction's rules.
import type { ResolvedRules } from './jurisdictions.ts';
import { bp } from './money.ts';
import type { RatingPlan } from './schema.ts';

export const MILE_M = 1609.344;
/** Plan units in millimetres: integers, so statements convert miles exactly. */
export const UNIT_MM = { km: 1_000_000, mile: 1_609_344 } as const;

export interface CompiledLevel {
  code: string;
  label: string;
  relativity: number;
}

export interface CompiledFactor {
  name: string;
  label: string;
  levels: ReadonlyMap<string, CompiledLevel>;
}

declare const validated: unique symbol;

export interface PricingPlan {
  readonly [validated]: true;
  readonly plan: Readonly<RatingPlan>;
  readonly rules: ResolvedRules;
  readonly key: string;
  readonly fromMs: number;
  /** Exclusive; Infinity when open-ended. */
  readonly toMs: number;
  readonly factors: readonly CompiledFactor[];
  readonly factorIndex: ReadonlyMap<string, number>;
  /** Metres per plan distance unit. */
  readonly unitM: number;
  readonly ratePerUnitCents: number;
  /** Telematics factor bounds, e.g. 0.7 and 1.2; both 1 when the plan prices no behaviour. */
  readonly factorMin: number;
  readonly factorMax: number;
  readonly enrollmentDiscount: number;
}

/** 'YYYY-MM-DD' → epoch ms at 00:00 UTC, or null when it is not a real calendar date. */
export function parseIsoDate(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? ms : null;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Builds the lookup form of a plan that has already passed every check. */
export function compilePlan(raw: RatingPlan, rules: ResolvedRules): PricingPlan {
  const plan = deepFreeze(structuredClone(raw));
  const factors: CompiledFactor[] = plan.classicFactors.map((f) => ({
    name: f.name,
    label: f.label,
    levels: new Map(
      f.levels.map((l) => [l.code, { code: l.code, label: l.label ?? l.code, relativity: l.relativity }]),
    ),
  }));
  const t = plan.telematics;
  return {
    plan,
    rules,
    key: `${plan.id}@${plan.version}`,
    fromMs: parseIsoDate(plan.effectiveFrom)!,
    toMs: plan.effectiveTo === undefined ? Number.POSITIVE_INFINITY : parseIsoDate(plan.effectiveTo)!,
    factors,
    factorIndex: new Map(factors.map((f, i) => [f.name, i])),
    unitM: plan.distanceUnit === 'km' ? 1000 : MILE_M,
    ratePerUnitCents: (plan.distance?.ratePerUnitMillicents ?? 0) / 1000,
    factorMin: t === undefined ? 1 : 1 - bp(t.maxDiscountBp),
    factorMax: t === undefined ? 1 : 1 + bp(t.maxSurchargeBp),
    enrollmentDiscount: bp(plan.enrollmentDiscountBp),
  } as unknown as PricingPlan;
}
