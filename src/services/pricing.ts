// Quotes with the database: build the engine's QuoteInput from the driver's active policy and risk record,
// price it, store it with its explanation, and announce premium and score changes through the outbox.
import { randomUUID } from 'node:crypto';
import type { Result } from '../domain/index.ts';
import {
  type ChangeExplanation,
  DEFAULT_TYPICAL_BEHAVIOUR,
  declaredAnnualKm,
  type DriverRiskInput,
  explainChange,
  type FrequencyModel,
  type Quote,
  type QuoteInput,
  quote,
  ratingLevels,
  whatIf as engineWhatIf,
  type WhatIfResult,
  type WhatIfScenario,
} from '../pricing/index.ts';
import type { Queryable } from '../store/index.ts';
import { type DriverRiskRecord, frequencyModelFor, getDriverRisk } from './driver-risk.ts';
import { publishEvent } from './events.ts';
import { type ActivePolicy, activePolicy, planInForce, type StoredPlan } from './rating-plans.ts';

export * from './rating-plans.ts';

const DAY_MS = 86_400_000;

/** A driver with no risk record yet: credibility 0, so the typical profile and equal frequencies are neutral. */
export const NEUTRAL_RISK: DriverRiskInput = {
  classicFrequency: 1,
  behaviourFrequency: 1,
  exposureKm: 0,
  behaviour: DEFAULT_TYPICAL_BEHAVIOUR,
};

export interface PricingContext {
  policy: ActivePolicy;
  plan: StoredPlan;
  risk: DriverRiskRecord | null;
  input: QuoteInput;
  model: FrequencyModel;
}

const fail = (code: string, message: string, field?: string): Result<never> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

/**
 * Projected km a month: the measured last-30-days distance once the policy has run 30 days (a month of
 * driving is observed), else the declared annualKm / 12, else whatever was measured so far.
 */
export function projectedMonthlyKm(
  policy: ActivePolicy,
  plan: StoredPlan,
  risk: DriverRiskRecord | null,
  nowMs: number,
): number {
  const measured = risk?.distanceKm30d ?? null;
  const inForceDays = (nowMs - Date.parse(`${policy.startsOn}T00:00:00Z`)) / DAY_MS;
  if (measured !== null && inForceDays >= 30) return measured;
  const declared = declaredAnnualKm(plan.bands, policy.ratingFactors);
  if (declared !== null) return declared / 12;
  return measured ?? 0;
}

/** The monthly premium of the driver's previous term (the last quote of a policy ended by this one's start). */
async function previousTermPremium(q: Queryable, policy: ActivePolicy): Promise<number | null> {
  const { rows } = await q.query<{ premium_cents: number }>(
    `SELECT qu.premium_cents FROM quotes qu JOIN policies p ON p.id = qu.policy_id
      WHERE qu.tenant_id = $1 AND qu.driver_id = $2 AND qu.policy_id <> $3 AND p.ends_on <= $4::date
      ORDER BY p.ends_on DESC, qu.seq DESC LIMIT 1`,
    [policy.tenantId, policy.driverId, policy.id, policy.startsOn],
  );
  return rows[0]?.premium_cents ?? null;
}

/** Everything a quote needs, read from the database; an error value when the driver cannot be priced. */
export async function pricingContext(
  q: Queryable,
  tenantId: string,
  driverId: string,
  nowMs: number,
): Promise<Result<PricingContext>> {
  const policy = await activePolicy(q, tenantId, driverId, nowMs);
  if (policy === null) return fail('no_policy', `driver ${driverId} has no active policy to price`);
  const plan = await planInForce(q, tenantId, policy.jurisdiction, policy.product, nowMs);
  if (!plan.ok) return plan;
  const levels = ratingLevels(plan.value.plan, plan.value.bands, policy.ratingFactors);
  if (!levels.ok) return levels;
  const risk = await getDriverRisk(q, tenantId, driverId);
  const riskInput: DriverRiskInput =
    risk === null
      ? NEUTRAL_RISK
      : {
          classicFrequency: risk.classicFrequency,
          behaviourFrequency: risk.behaviourFrequency,
          exposureKm: risk.exposureKm,
          behaviour: risk.behaviour,
        };
  const previous = await previousTermPremium(q, policy);
  const input: QuoteInput = {
    driverId,
    ratingLevels: levels.value,
    risk: riskInput,
    projectedMonthlyKm: projectedMonthlyKm(policy, plan.value, risk, nowMs),
    enrolled: policy.enrolled && policy.product !== 'classic',
    ...(previous === null ? {} : { previousPremiumCents: previous }),
  };
  const model = await frequencyModelFor(q, tenantId, driverId);
  return { ok: true, value: { policy, plan: plan.value, risk, input, model } };
}

export interface StoredQuote {
  id: string;
  seq: number;
  tenantId: string;
  driverId: string;
  policyId: string;
  planId: string;
  planVersion: number;
  modelName: string | null;
  modelVersion: number | null;
  premiumCents: number;
  nonTelematicsCents: number;
  telematicsFactor: number;
  safetyScore: number | null;
  reason: string;
  createdAtMs: number;
  quote: Quote;
  /** What changed since the driver's previous quote, with the top reasons for an increase; null for the first. */
  change: ChangeExplanation | null;
}

interface QuoteRow {
  seq: number;
  id: string;
  tenant_id: string;
  driver_id: string;
  policy_id: string;
  plan_id: string;
  plan_version: number;
  model_name: string | null;
  model_version: number | null;
  premium_cents: number;
  non_telematics_cents: number;
  telematics_factor: number;
  safety_score: number | null;
  quote: Quote & { change: ChangeExplanation | null };
  reason: string;
  created_at: Date;
}

const toStored = (r: QuoteRow): StoredQuote => {
  const { change, ...engineQuote } = r.quote;
  return {
    id: r.id,
    seq: r.seq,
    tenantId: r.tenant_id,
    driverId: r.driver_id,
    policyId: r.policy_id,
    planId: r.plan_id,
    planVersion: r.plan_version,
    modelName: r.model_name,
    modelVersion: r.model_version,
    premiumCents: r.premium_cents,
    nonTelematicsCents: r.non_telematics_cents,
    telematicsFactor: r.telematics_factor,
    safetyScore: r.safety_score,
    reason: r.reason,
    createdAtMs: r.created_at.getTime(),
    quote: engineQuote,
    change: change ?? null,
  };
};

/** The driver's latest stored quote, or null when they were never priced. */
export async function currentQuote(
  q: Queryable,
  tenantId: string,
  driverId: string,
): Promise<StoredQuote | null> {
  const { rows } = await q.query<QuoteRow>(
    'SELECT * FROM quotes WHERE tenant_id = $1 AND driver_id = $2 ORDER BY seq DESC LIMIT 1',
    [tenantId, driverId],
  );
  return rows[0] ? toStored(rows[0]) : null;
}

export async function getQuote(q: Queryable, tenantId: string, quoteId: string): Promise<StoredQuote | null> {
  const { rows } = await q.query<QuoteRow>('SELECT * FROM quotes WHERE id = $1 AND tenant_id = $2', [
    quoteId,
    tenantId,
  ]);
  return rows[0] ? toStored(rows[0]) : null;
}

/** Quote history, newest first; `beforeSeq` continues a page. */
export async function quoteHistory(
  q: Queryable,
  tenantId: string,
  driverId: string,
  opts: { limit: number; beforeSeq?: number | null },
): Promise<StoredQuote[]> {
  const { rows } = await q.query<QuoteRow>(
    `SELECT * FROM quotes WHERE tenant_id = $1 AND driver_id = $2 AND ($3::bigint IS NULL OR seq < $3)
      ORDER BY seq DESC LIMIT $4`,
    [tenantId, driverId, opts.beforeSeq ?? null, opts.limit],
  );
  return rows.map(toStored);
}

export interface RequoteResult extends StoredQuote {
  premiumChanged: boolean;
  scoreChanged: boolean;
}

/**
 * Prices the driver now, stores the quote with its explanation (and the change since the last one), and
 * publishes premium.changed / score.changed when they changed. Run it inside the transaction that changed the
 * driver's risk: the driver row is locked so two requotes of one driver compare against each other in order.
 */
export async function requote(
  q: Queryable,
  tenantId: string,
  driverId: string,
  opts: { reason: string; nowMs?: number },
): Promise<Result<RequoteResult>> {
  const nowMs = opts.nowMs ?? Date.now();
  const lock = await q.query('SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2 FOR UPDATE', [
    driverId,
    tenantId,
  ]);
  if (lock.rowCount === 0) return fail('not_found', `driver ${driverId} not found`);
  const ctx = await pricingContext(q, tenantId, driverId, nowMs);
  if (!ctx.ok) return ctx;
  const { policy, plan, risk, input, model } = ctx.value;
  const priced = quote(plan.plan, input, { model });
  if (!priced.ok) return priced;
  const qt = priced.value;
  const prev = await currentQuote(q, tenantId, driverId);
  const change = prev === null ? null : explainChange(prev.quote, qt);
  const score = qt.safetyScore.score;
  const id = `quo_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const { rows } = await q.query<QuoteRow>(
    `INSERT INTO quotes (id, tenant_id, driver_id, policy_id, plan_id, plan_version, model_name, model_version,
                         premium_cents, non_telematics_cents, telematics_factor, safety_score, quote, reason, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
    [
      id,
      tenantId,
      driverId,
      policy.id,
      plan.plan.plan.id,
      plan.plan.plan.version,
      risk?.modelName ?? null,
      risk?.modelVersion ?? null,
      qt.premiumCents,
      qt.nonTelematicsPremiumCents,
      qt.rating.telematics.factor,
      score,
      JSON.stringify({ ...qt, change }),
      opts.reason,
      new Date(nowMs),
    ],
  );
  const stored = toStored(rows[0]!);
  const premiumChanged = prev === null || prev.premiumCents !== qt.premiumCents;
  const scoreChanged = (prev?.safetyScore ?? null) !== score;
  if (premiumChanged) {
    await publishEvent(q, {
      tenantId,
      type: 'premium.changed',
      driverId,
      subjectId: id,
      id: `premium.changed:${id}`,
      data: {
        quoteId: id,
        policyId: policy.id,
        currency: qt.currency,
        premiumCents: qt.premiumCents,
        previousPremiumCents: prev?.premiumCents ?? null,
        nonTelematicsPremiumCents: qt.nonTelematicsPremiumCents,
        reason: opts.reason,
        reasons: (change?.reasons ?? qt.reasons).map((r) => r.text),
      },
    });
  }
  if (scoreChanged) {
    await publishEvent(q, {
      tenantId,
      type: 'score.changed',
      driverId,
      subjectId: id,
      id: `score.changed:${id}`,
      data: {
        quoteId: id,
        safetyScore: score,
        previousSafetyScore: prev?.safetyScore ?? null,
        reason: opts.reason,
      },
    });
  }
  return { ok: true, value: { ...stored, premiumChanged, scoreChanged } };
}

export interface WhatIfAnswer {
  currency: string;
  currentPremiumCents: number;
  items: WhatIfResult[];
}

/** The premium now and under each scenario (same credibility, the driver's champion model), nothing stored. */
export async function whatIf(
  q: Queryable,
  tenantId: string,
  driverId: string,
  scenarios: readonly WhatIfScenario[],
  nowMs = Date.now(),
): Promise<Result<WhatIfAnswer>> {
  const ctx = await pricingContext(q, tenantId, driverId, nowMs);
  if (!ctx.ok) return ctx;
  const { plan, input, model } = ctx.value;
  const now = quote(plan.plan, input, { model, explain: false });
  if (!now.ok) return now;
  const items: WhatIfResult[] = [];
  for (const s of scenarios) {
    const r = engineWhatIf(plan.plan, input, s, model);
    if (!r.ok) return r;
    items.push(r.value);
  }
  return {
    ok: true,
    value: { currency: plan.plan.plan.currency, currentPremiumCents: now.value.premiumCents, items },
  };
}
