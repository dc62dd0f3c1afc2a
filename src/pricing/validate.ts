// Plan validation reports every problem at once, so whoever edits a plan fixes it in one pass.
import { Value } from '@sinclair/typebox/value';
import type { Result } from '../domain/index.ts';
import { bannedConcept, DEFAULT_RULE_PACKS, resolveRules } from './jurisdictions.ts';
import { compilePlan, parseIsoDate, type PricingPlan } from './plan.ts';
import { type JurisdictionRules, type RatingPlan, RatingPlanSchema } from './schema.ts';

export interface PlanViolation {
  code: string;
  message: string;
  /** JSON-pointer-like path of the offending value, e.g. '/classicFactors/2/name'. */
  field: string;
}

export interface PlanValidationError {
  code: 'plan_invalid';
  message: string;
  violations: PlanViolation[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Checks a plan (from a file, the API or code) against the schema and its jurisdiction's rule pack. */
export function validatePlan(
  input: unknown,
  packs: readonly JurisdictionRules[] = DEFAULT_RULE_PACKS,
): Result<PricingPlan, PlanValidationError> {
  const violations: PlanViolation[] = [];
  for (const e of Value.Errors(RatingPlanSchema, input)) {
    violations.push({ code: 'schema', field: e.path || '/', message: `${e.path || 'plan'}: ${e.message}` });
  }
  const plan = isObj(input) ? input : {};
  const jurisdiction = typeof plan['jurisdiction'] === 'string' ? plan['jurisdiction'] : null;
  const rules = jurisdiction === null ? null : resolveRules(jurisdiction, packs);
  if (jurisdiction !== null && rules === null) {
    violations.push({
      code: 'unknown_jurisdiction',
      field: '/jurisdiction',
      message: `no rule pack for jurisdiction '${jurisdiction}': add one before pricing there`,
    });
  }
  checkFactors(plan['classicFactors'], rules, violations);
  if (rules !== null && !rules.behaviourAllowed && plan['telematics'] !== undefined) {
    violations.push({
      code: 'behaviour_not_allowed',
      field: '/telematics',
      message: `${rules.code} allows mileage-only telematics: remove the behaviour section 'telematics'`,
    });
  }
  checkDates(plan, violations);
  checkTelematics(plan['telematics'], violations);
  if (violations.length > 0) {
    const n = violations.length;
    const head = violations.map((v) => v.message).join('; ');
    return {
      ok: false,
      error: {
        code: 'plan_invalid',
        message: `${n} problem${n === 1 ? '' : 's'} in plan: ${head}`,
        violations,
      },
    };
  }
  return { ok: true, value: compilePlan(input as RatingPlan, rules!) };
}

function checkFactors(factors: unknown, rules: ReturnType<typeof resolveRules>, out: PlanViolation[]): void {
  if (!Array.isArray(factors)) return;
  const names = new Set<string>();
  factors.forEach((f: unknown, i) => {
    if (!isObj(f)) return;
    const name = typeof f['name'] === 'string' ? f['name'] : '';
    const label = typeof f['label'] === 'string' ? f['label'] : '';
    if (names.has(name)) {
      out.push({
        code: 'duplicate_factor',
        field: `/classicFactors/${i}/name`,
        message: `factor '${name}' twice`,
      });
    }
    names.add(name);
    if (rules !== null) {
      const concept = bannedConcept([name, label], rules.banned);
      if (concept !== null) {
        out.push({
          code: 'banned_factor',
          field: `/classicFactors/${i}`,
          message: `factor '${name}' (${label}) uses ${concept}, which may not be a rating factor in ${rules.code}`,
        });
      }
    }
    const levels = Array.isArray(f['levels']) ? f['levels'] : [];
    const codes = new Set<unknown>();
    levels.forEach((l: unknown, j) => {
      const code = isObj(l) ? l['code'] : undefined;
      if (codes.has(code)) {
        out.push({
          code: 'duplicate_level',
          field: `/classicFactors/${i}/levels/${j}`,
          message: `factor '${name}' has level '${String(code)}' twice`,
        });
      }
      codes.add(code);
    });
  });
}

function checkDates(plan: Record<string, unknown>, out: PlanViolation[]): void {
  const from = typeof plan['effectiveFrom'] === 'string' ? parseIsoDate(plan['effectiveFrom']) : null;
  const to = typeof plan['effectiveTo'] === 'string' ? parseIsoDate(plan['effectiveTo']) : null;
  for (const [key, ms] of [
    ['effectiveFrom', from],
    ['effectiveTo', to],
  ] as const) {
    if (typeof plan[key] === 'string' && ms === null) {
      out.push({
        code: 'invalid_date',
        field: `/${key}`,
        message: `${key} '${plan[key]}' is not a calendar date`,
      });
    }
  }
  if (from !== null && to !== null && to <= from) {
    out.push({
      code: 'empty_period',
      field: '/effectiveTo',
      message: 'effectiveTo must be after effectiveFrom',
    });
  }
}

function checkTelematics(t: unknown, out: PlanViolation[]): void {
  if (!isObj(t)) return;
  const typical = t['typicalBehaviour'];
  if (!isObj(typical)) return;
  for (const key of ['speedingShare', 'nightShare']) {
    const v = typical[key];
    if (typeof v === 'number' && v > 1) {
      out.push({
        code: 'share_above_one',
        field: `/telematics/typicalBehaviour/${key}`,
        message: `typical ${key} is a share of distance and must be at most 1, got ${v}`,
      });
    }
  }
}

/** Checks a set of plans for ambiguity: two plans for one jurisdiction starting the same day at one version. */
export function validatePlanSet(plans: readonly PricingPlan[]): PlanViolation[] {
  const seen = new Map<string, string>();
  const out: PlanViolation[] = [];
  plans.forEach((p, i) => {
    const k = `${p.plan.jurisdiction}|${p.plan.effectiveFrom}|${p.plan.version}`;
    const other = seen.get(k);
    if (other !== undefined) {
      out.push({
        code: 'ambiguous_plans',
        field: `/${i}`,
        message: `${p.key} and ${other} both start ${p.plan.effectiveFrom} in ${p.plan.jurisdiction} at version ${p.plan.version}`,
      });
    } else seen.set(k, p.key);
  });
  return out;
}

/** The plan in force for a jurisdiction at an instant: latest start wins, then the highest version. */
export function planFor(
  plans: readonly PricingPlan[],
  jurisdiction: string,
  dateMs: number,
): Result<PricingPlan> {
  let best: PricingPlan | null = null;
  for (const p of plans) {
    if (p.plan.jurisdiction !== jurisdiction || dateMs < p.fromMs || dateMs >= p.toMs) continue;
    if (
      best === null ||
      p.fromMs > best.fromMs ||
      (p.fromMs === best.fromMs && p.plan.version > best.plan.version)
    ) {
      best = p;
    }
  }
  if (best !== null) return { ok: true, value: best };
  const day = Number.isFinite(dateMs) ? new Date(dateMs).toISOString().slice(0, 10) : String(dateMs);
  return {
    ok: false,
    error: {
      code: 'no_plan',
      message: `no rating plan in force for ${jurisdiction} on ${day}: publish one or pick another date`,
    },
  };
}
