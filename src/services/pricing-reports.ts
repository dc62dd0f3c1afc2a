// Read models over pricing: a driver's safety score beside the pricing factor with a 30-day trend, and the
// portfolio's fairness, monotonicity and protected-attribute checks over the tenant's latest quotes.
import {
  bannedConcept,
  DEFAULT_SAFETY_SCORE,
  DEFAULT_TYPICAL_BEHAVIOUR,
  type FairnessReport,
  fairnessReport,
  type MonotonicityReport,
  monotonicityReport,
  type Quote,
  resolveRules,
  type SafetyScore,
  safetyScore,
  telematicsFactor,
} from '../pricing/index.ts';
import type { Queryable } from '../store/index.ts';
import { driverRiskHistory, frequencyModelFor, getDriverRisk } from './driver-risk.ts';
import { NEUTRAL_RISK } from './pricing.ts';
import { activePolicy, getPlan, planInForce } from './rating-plans.ts';

export interface ScoreView {
  driverId: string;
  /** Coaching only: 0–100, or null below the plan's minimum distance (with the reason). */
  safetyScore: SafetyScore;
  /** The telematics factor that prices the driver, shown beside the score (null without an active policy). */
  pricingFactor: { factor: number; credibility: number; relativity: number; planKey: string } | null;
  exposureKm: number;
  minDistanceKm: number;
  trend: Array<{ date: string; score: number | null; exposureKm: number }>;
}

export async function scoreView(
  q: Queryable,
  tenantId: string,
  driverId: string,
  nowMs = Date.now(),
  trendDays = 30,
): Promise<ScoreView> {
  const policy = await activePolicy(q, tenantId, driverId, nowMs);
  const plan =
    policy === null ? null : await planInForce(q, tenantId, policy.jurisdiction, policy.product, nowMs);
  const config = plan?.ok ? plan.value.plan.plan.safetyScore : DEFAULT_SAFETY_SCORE;
  const risk = await getDriverRisk(q, tenantId, driverId);
  const score = safetyScore(config, risk ?? NEUTRAL_RISK);
  let pricingFactor: ScoreView['pricingFactor'] = null;
  if (plan?.ok && policy !== null) {
    const tf = telematicsFactor(
      plan.value.plan,
      risk ?? NEUTRAL_RISK,
      policy.enrolled && policy.product !== 'classic',
    );
    pricingFactor = { ...tf, planKey: plan.value.plan.key };
  }
  const history = await driverRiskHistory(q, tenantId, driverId, trendDays, nowMs);
  return {
    driverId,
    safetyScore: score,
    pricingFactor,
    exposureKm: risk?.exposureKm ?? 0,
    minDistanceKm: config.minDistanceKm,
    trend: history.map((d) => ({
      date: d.date,
      score: safetyScore(config, { ...d, behaviour: DEFAULT_TYPICAL_BEHAVIOUR }).score,
      exposureKm: d.exposureKm,
    })),
  };
}

/** Audit bands for the fairness report: labels beside the quote, never pricing inputs. */
export function ageGroup(age: unknown): string {
  if (typeof age !== 'number' || !Number.isFinite(age)) return '(unknown)';
  if (age < 25) return '18-24';
  if (age < 40) return '25-39';
  if (age < 65) return '40-64';
  return '65+';
}

export interface PortfolioFairness {
  fairness: FairnessReport;
  monotonicity: MonotonicityReport;
  /** Every sampled quote's inputs checked against the jurisdiction's banned concepts. */
  protectedAttributes: {
    checked: number;
    violations: Array<{ driverId: string; input: string; concept: string }>;
  };
}

interface LatestRow {
  driver_id: string;
  plan_id: string;
  plan_version: number;
  quote: Quote;
  product: string;
  jurisdiction: string;
  rating_factors: Record<string, unknown>;
}

/**
 * The tenant's drivers by their latest quote: fairness by age group, territory and product; monotonicity
 * (worse behaviour never lowers the price) on the first `sample` drivers with each one's own plan and model.
 */
export async function portfolioFairness(
  q: Queryable,
  tenantId: string,
  opts: { sample: number; gridPoints?: number },
): Promise<PortfolioFairness> {
  const { rows } = await q.query<LatestRow>(
    `SELECT DISTINCT ON (qu.driver_id) qu.driver_id, qu.plan_id, qu.plan_version, qu.quote, p.product,
            p.jurisdiction, p.rating_factors
       FROM quotes qu JOIN policies p ON p.id = qu.policy_id
      WHERE qu.tenant_id = $1 ORDER BY qu.driver_id, qu.seq DESC`,
    [tenantId],
  );
  const fairness = fairnessReport(
    rows.map((r) => ({
      quote: r.quote,
      groups: {
        ageBand: ageGroup(r.rating_factors['driverAge']),
        territory:
          typeof r.rating_factors['territory'] === 'string' ? r.rating_factors['territory'] : '(unknown)',
        product: r.product,
      },
    })),
    ['ageBand', 'territory', 'product'],
  );
  const gridPoints = opts.gridPoints ?? 11;
  const mono: MonotonicityReport = { drivers: 0, gridPoints, checks: 0, violationCount: 0, violations: [] };
  const violations: PortfolioFairness['protectedAttributes']['violations'] = [];
  for (const r of rows.slice(0, opts.sample)) {
    const banned = resolveRules(r.jurisdiction)?.banned ?? [];
    for (const input of [...Object.keys(r.rating_factors), ...Object.keys(r.quote.input.ratingLevels)]) {
      const concept = bannedConcept([input], banned);
      if (concept !== null) violations.push({ driverId: r.driver_id, input, concept });
    }
    const plan = await getPlan(q, tenantId, r.plan_id, r.plan_version);
    if (plan === null) continue;
    const model = await frequencyModelFor(q, tenantId, r.driver_id);
    const one = monotonicityReport(
      plan.plan,
      [r.quote.input],
      model,
      gridPoints,
      50 - mono.violations.length,
    );
    mono.drivers += one.drivers;
    mono.checks += one.checks;
    mono.violationCount += one.violationCount;
    mono.violations.push(...one.violations);
  }
  return {
    fairness,
    monotonicity: mono,
    protectedAttributes: { checked: Math.min(rows.length, opts.sample), violations },
  };
}
