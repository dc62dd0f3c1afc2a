// Banding: how a policy's raw classic rating inputs (e.g. {"driverAge": 34, "territory": "C"}) become the
// plan's level codes (ageBand "25-39", territory "C"). Stored beside the plan as data, checked against it,
// and applied before quoting. A protected attribute can never be an input: its name is refused here, so it
// cannot reach a quote through a policy either.
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Result } from '../domain/index.ts';
import { bannedConcept } from './jurisdictions.ts';
import type { PricingPlan } from './plan.ts';
import type { PlanViolation } from './validate.ts';

const InputName = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$', maxLength: 64 });

export const FactorBandSchema = Type.Union([
  Type.Object(
    {
      factor: Type.String({ minLength: 1, description: 'the plan factor this band feeds' }),
      input: InputName,
      kind: Type.Literal('ranges'),
      ranges: Type.Array(
        Type.Object(
          {
            below: Type.Union([Type.Number(), Type.Null()], {
              description: 'exclusive upper bound; null = no bound (the last range)',
            }),
            code: Type.String({ minLength: 1 }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, description: 'increasing; the first range also takes everything below it' },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      factor: Type.String({ minLength: 1 }),
      input: InputName,
      kind: Type.Literal('codes'),
    },
    { additionalProperties: false, description: 'the input is the level code itself (e.g. territory)' },
  ),
]);

export const PlanBandsSchema = Type.Object(
  {
    factors: Type.Array(FactorBandSchema),
    /** Declared yearly distance; a policy's projected monthly km until a month of driving is observed. */
    annualKmInput: Type.Optional(InputName),
  },
  { additionalProperties: false },
);

export type FactorBand = Static<typeof FactorBandSchema>;
export type PlanBands = Static<typeof PlanBandsSchema>;
export type RatingFactors = Readonly<Record<string, unknown>>;

/** Checks bands against their plan: every factor fed exactly once, every code a level, ranges increasing. */
export function validateBands(plan: PricingPlan, input: unknown): Result<PlanBands, PlanViolationError> {
  const violations: PlanViolation[] = [];
  for (const e of Value.Errors(PlanBandsSchema, input)) {
    violations.push({ code: 'schema', field: e.path || '/', message: `bands${e.path}: ${e.message}` });
  }
  if (violations.length > 0) return fail(violations);
  const bands = input as PlanBands;
  const fed = new Set<string>();
  bands.factors.forEach((b, i) => {
    const field = `/factors/${i}`;
    const f = plan.factors[plan.factorIndex.get(b.factor) ?? -1];
    const concept = bannedConcept([b.input], plan.rules.banned);
    if (concept !== null) {
      violations.push({ code: 'banned_factor', field, message: `input '${b.input}' uses ${concept}` });
    }
    if (f === undefined) {
      violations.push({
        code: 'unknown_factor',
        field,
        message: `plan ${plan.key} has no factor '${b.factor}'`,
      });
      return;
    }
    if (fed.has(b.factor))
      violations.push({ code: 'duplicate_factor', field, message: `factor '${b.factor}' banded twice` });
    fed.add(b.factor);
    if (b.kind === 'codes') return;
    b.ranges.forEach((r, j) => {
      if (!f.levels.has(r.code)) {
        violations.push({
          code: 'unknown_level',
          field: `${field}/ranges/${j}`,
          message: `'${r.code}' is not a level of ${b.factor}`,
        });
      }
      const prev = j > 0 ? b.ranges[j - 1]!.below : Number.NEGATIVE_INFINITY;
      const last = j === b.ranges.length - 1;
      if ((r.below === null) !== last || (r.below !== null && prev !== null && r.below <= prev)) {
        violations.push({
          code: 'ranges_not_increasing',
          field: `${field}/ranges/${j}`,
          message: `${b.factor}: bounds must increase and only the last range may be unbounded (null)`,
        });
      }
    });
  });
  for (const f of plan.factors) {
    if (!fed.has(f.name))
      violations.push({ code: 'factor_not_banded', field: '/factors', message: `no band feeds '${f.name}'` });
  }
  return violations.length > 0 ? fail(violations) : { ok: true, value: bands };
}

export interface PlanViolationError {
  code: 'bands_invalid';
  message: string;
  violations: PlanViolation[];
}

const fail = (violations: PlanViolation[]): Result<never, PlanViolationError> => ({
  ok: false,
  error: {
    code: 'bands_invalid',
    message: `${violations.length} problem(s) in bands: ${violations.map((v) => v.message).join('; ')}`,
    violations,
  },
});

const bad = (code: string, message: string, field: string): Result<never> => ({
  ok: false,
  error: { code, message, field },
});

/**
 * The plan's level codes for a policy's rating inputs. Refuses an input that names a banned concept of the
 * plan's jurisdiction (`protected_attribute`), a missing or ill-typed input, and a code the plan lacks.
 * Inputs the plan does not use are allowed (the risk model may use them) unless they are banned.
 */
export function ratingLevels(
  plan: PricingPlan,
  bands: PlanBands,
  factors: RatingFactors,
): Result<Record<string, string>> {
  for (const key of Object.keys(factors)) {
    const concept = bannedConcept([key], plan.rules.banned);
    if (concept !== null) {
      return bad(
        'protected_attribute',
        `'${key}' (${concept}) may not be a rating factor`,
        `ratingFactors.${key}`,
      );
    }
  }
  const levels: Record<string, string> = {};
  for (const b of bands.factors) {
    const v = factors[b.input];
    const field = `ratingFactors.${b.input}`;
    if (v === undefined || v === null)
      return bad('missing_rating_factor', `${b.input} is required by ${plan.key}`, field);
    let code: string;
    if (b.kind === 'codes') {
      if (typeof v !== 'string')
        return bad('invalid_rating_factor', `${b.input} must be a level code`, field);
      code = v;
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v))
        return bad('invalid_rating_factor', `${b.input} must be a number`, field);
      code = b.ranges.find((r) => r.below === null || v < r.below)!.code;
    }
    const f = plan.factors[plan.factorIndex.get(b.factor)!]!;
    if (!f.levels.has(code)) {
      const known = [...f.levels.keys()].join(', ');
      return bad('invalid_rating_factor', `${b.input} '${code}' is not one of ${known}`, field);
    }
    levels[b.factor] = code;
  }
  return { ok: true, value: levels };
}

/** The declared yearly km of a policy, or null when the plan names no such input or it is absent. */
export function declaredAnnualKm(bands: PlanBands, factors: RatingFactors): number | null {
  if (bands.annualKmInput === undefined) return null;
  const v = factors[bands.annualKmInput];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}
