// Checks a quote input before pricing: expected failures come back as error values naming the field.
import type { Result } from '../domain/index.ts';
import { BEHAVIOUR_KEYS } from './behaviour.ts';
import { bannedConcept } from './jurisdictions.ts';
import type { PricingPlan } from './plan.ts';
import type { QuoteInput } from './types.ts';

export const bad = (code: string, message: string, field: string): Result<never> => ({
  ok: false,
  error: { code, message, field },
});

export function checkInput(plan: PricingPlan, input: QuoteInput): Result<never> | null {
  const levels = input.ratingLevels;
  for (const key in levels) {
    if (!Object.hasOwn(levels, key) || plan.factorIndex.has(key)) continue;
    const concept = bannedConcept([key], plan.rules.banned);
    return concept === null
      ? bad('unknown_factor', `plan ${plan.key} has no rating factor '${key}'`, `ratingLevels.${key}`)
      : bad('protected_attribute', `'${key}' (${concept}) may not be used to price`, `ratingLevels.${key}`);
  }
  const r = input.risk;
  if (!(r.classicFrequency > 0 && Number.isFinite(r.classicFrequency))) {
    return bad('invalid_frequency', 'classicFrequency must be a positive number', 'risk.classicFrequency');
  }
  if (!(r.behaviourFrequency > 0 && Number.isFinite(r.behaviourFrequency))) {
    return bad(
      'invalid_frequency',
      'behaviourFrequency must be a positive number',
      'risk.behaviourFrequency',
    );
  }
  if (!(r.exposureKm >= 0 && Number.isFinite(r.exposureKm))) {
    return bad('invalid_exposure', 'exposureKm must be a number ≥ 0', 'risk.exposureKm');
  }
  for (const k of BEHAVIOUR_KEYS) {
    const v = r.behaviour[k];
    if (!(v >= 0 && Number.isFinite(v)))
      return bad('invalid_behaviour', `${k} must be ≥ 0`, `risk.behaviour.${k}`);
  }
  if (!(input.projectedMonthlyKm >= 0 && Number.isFinite(input.projectedMonthlyKm))) {
    return bad('invalid_distance', 'projectedMonthlyKm must be a number ≥ 0', 'projectedMonthlyKm');
  }
  const prev = input.previousPremiumCents;
  if (prev !== undefined && !(Number.isSafeInteger(prev) && prev >= 0)) {
    return bad('invalid_previous', 'previousPremiumCents must be whole cents ≥ 0', 'previousPremiumCents');
  }
  return null;
}
