// PAYD monthly statements with the database: counted trips' distance per UTC day, billed at the driver's
// rated terms (the policy's quote in force at the end of the month), stored once per policy and month.
// Regenerating an unchanged month writes nothing; a month whose inputs changed (e.g. a trip excluded by an
// accepted dispute) is rewritten with its revision raised, the previous total and the reason.
import type { Result } from '../domain/index.ts';
import {
  type DailyDistance,
  driverTerms,
  type MonthlyStatement,
  monthlyStatement,
} from '../pricing/index.ts';
import type { Queryable } from '../store/index.ts';
import { getPlan, getPolicy, getQuote, requote, type StoredQuote } from './pricing.ts';

export interface StoredStatement {
  policyId: string;
  driverId: string;
  month: string;
  statementId: string;
  contentHash: string;
  totalCents: number;
  revision: number;
  previousTotalCents: number | null;
  revisionReason: string | null;
  generatedAtMs: number;
  updatedAtMs: number;
  statement: MonthlyStatement;
}

export type GenerateStatus = 'created' | 'updated' | 'unchanged';

interface StatementRow {
  policy_id: string;
  driver_id: string;
  month: string;
  statement_id: string;
  content_hash: string;
  total_cents: number;
  revision: number;
  previous_total_cents: number | null;
  revision_reason: string | null;
  generated_at: Date;
  updated_at: Date;
  statement: MonthlyStatement;
}

const toStored = (r: StatementRow): StoredStatement => ({
  policyId: r.policy_id,
  driverId: r.driver_id,
  month: r.month,
  statementId: r.statement_id,
  contentHash: r.content_hash,
  totalCents: r.total_cents,
  revision: r.revision,
  previousTotalCents: r.previous_total_cents,
  revisionReason: r.revision_reason,
  generatedAtMs: r.generated_at.getTime(),
  updatedAtMs: r.updated_at.getTime(),
  statement: r.statement,
});

const fail = (code: string, message: string, field?: string): Result<never> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** [first day, first day of the next month) of 'YYYY-MM', as ISO dates. */
export function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return { from: `${month}-01`, to: next };
}

/**
 * Billable distance per UTC day: the driver's counted trips (never ones excluded by a dispute) of car or
 * undetermined mode, starting in the month and inside the policy's period.
 */
export async function billableDays(
  q: Queryable,
  tenantId: string,
  driverId: string,
  range: { from: string; to: string },
): Promise<DailyDistance[]> {
  const { rows } = await q.query<{ day: string; distance_m: number }>(
    `SELECT to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, sum(distance_m)::float8 AS distance_m
       FROM trips
      WHERE tenant_id = $1 AND driver_id = $2 AND counted AND mode NOT IN ('bus', 'train', 'walking')
        AND start_at >= $3::date AT TIME ZONE 'UTC' AND start_at < $4::date AT TIME ZONE 'UTC'
      GROUP BY 1 ORDER BY 1`,
    [tenantId, driverId, range.from, range.to],
  );
  return rows.map((r) => ({ date: r.day, distanceM: r.distance_m }));
}

/** The policy's quote in force at the month's end (its latest before then), else its first after. */
async function quoteForMonth(
  q: Queryable,
  tenantId: string,
  policyId: string,
  endIso: string,
): Promise<StoredQuote | null> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM (
       (SELECT id, 0 AS pref FROM quotes WHERE policy_id = $1 AND created_at < $2::date AT TIME ZONE 'UTC'
         ORDER BY created_at DESC, seq DESC LIMIT 1)
       UNION ALL
       (SELECT id, 1 AS pref FROM quotes WHERE policy_id = $1 ORDER BY created_at, seq LIMIT 1)) c
     ORDER BY pref LIMIT 1`,
    [policyId, endIso],
  );
  return rows[0] ? getQuote(q, tenantId, rows[0].id) : null;
}

/** Generates (or regenerates) one month's statement of a PAYD policy; idempotent. */
export async function generateStatement(
  q: Queryable,
  tenantId: string,
  policyId: string,
  month: string,
  opts: { reason?: string; nowMs?: number } = {},
): Promise<Result<{ status: GenerateStatus; record: StoredStatement }>> {
  if (!MONTH_RE.test(month)) return fail('invalid_month', `month '${month}' is not YYYY-MM`, 'month');
  const policy = await getPolicy(q, tenantId, policyId);
  if (policy === null) return fail('not_found', `policy ${policyId} not found`);
  const { from, to } = monthBounds(month);
  if (from >= policy.endsOn || to <= policy.startsOn) {
    const period = `${policy.startsOn} to ${policy.endsOn}`;
    return fail('outside_policy', `${month} is outside policy ${policyId} (${period})`, 'month');
  }
  let qt = await quoteForMonth(q, tenantId, policyId, to);
  if (qt === null) {
    // Never priced yet: price it now (only possible while the policy is the driver's active one).
    const fresh = await requote(q, tenantId, policy.driverId, { reason: 'statement', ...opts });
    if (!fresh.ok || fresh.value.policyId !== policyId)
      return fail('no_quote', `policy ${policyId} has no quote to take its rates from`);
    qt = fresh.value;
  }
  const plan = await getPlan(q, tenantId, qt.planId, qt.planVersion);
  if (plan === null) return fail('no_plan', `plan ${qt.planId}@${qt.planVersion} is gone`);
  const terms = driverTerms(plan.plan, qt.quote);
  if (terms === null)
    return fail('not_payd', `policy ${policyId} is on ${plan.plan.key}, which bills no distance`);
  // ISO dates compare as strings: the month clipped to the policy's period.
  const range = { from: [from, policy.startsOn].sort()[1]!, to: [to, policy.endsOn].sort()[0]! };
  const days = await billableDays(q, tenantId, policy.driverId, range);
  const st = monthlyStatement({ policyId, planKey: plan.plan.key, month, terms, days });
  if (!st.ok) return st;
  return store(q, tenantId, policy.driverId, st.value, opts);
}

async function store(
  q: Queryable,
  tenantId: string,
  driverId: string,
  s: MonthlyStatement,
  opts: { reason?: string; nowMs?: number },
): Promise<Result<{ status: GenerateStatus; record: StoredStatement }>> {
  const at = new Date(opts.nowMs ?? Date.now());
  const inserted = await q.query<StatementRow>(
    `INSERT INTO payd_statements (tenant_id, policy_id, driver_id, month, statement_id, content_hash, total_cents,
                                  statement, generated_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (policy_id, month) DO NOTHING RETURNING *`,
    [tenantId, s.policyId, driverId, s.month, s.id, s.hash, s.totalCents, JSON.stringify(s), at],
  );
  if (inserted.rows[0]) return { ok: true, value: { status: 'created', record: toStored(inserted.rows[0]) } };
  const { rows } = await q.query<StatementRow>(
    'SELECT * FROM payd_statements WHERE policy_id = $1 AND month = $2 FOR UPDATE',
    [s.policyId, s.month],
  );
  const old = rows[0]!;
  if (old.content_hash === s.hash) return { ok: true, value: { status: 'unchanged', record: toStored(old) } };
  const reason =
    opts.reason ??
    `recomputed: the month's counted distance or rated terms changed since revision ${old.revision}`;
  const updated = await q.query<StatementRow>(
    `UPDATE payd_statements SET statement_id = $3, content_hash = $4, total_cents = $5, statement = $6,
            revision = revision + 1, previous_total_cents = total_cents, revision_reason = $7, updated_at = $8
      WHERE policy_id = $1 AND month = $2 RETURNING *`,
    [s.policyId, s.month, s.id, s.hash, s.totalCents, JSON.stringify(s), reason, at],
  );
  return { ok: true, value: { status: 'updated', record: toStored(updated.rows[0]!) } };
}

/** A driver's stored statements, newest month first. */
export async function listStatements(
  q: Queryable,
  tenantId: string,
  driverId: string,
): Promise<StoredStatement[]> {
  const { rows } = await q.query<StatementRow>(
    'SELECT * FROM payd_statements WHERE tenant_id = $1 AND driver_id = $2 ORDER BY month DESC, policy_id',
    [tenantId, driverId],
  );
  return rows.map(toStored);
}

/** Regenerates the driver's already-stored statements of the given months (after a trip stopped counting). */
export async function regenerateStored(
  q: Queryable,
  tenantId: string,
  driverId: string,
  months: readonly string[],
  opts: { reason: string; nowMs?: number },
): Promise<Array<{ policyId: string; month: string; status: GenerateStatus; totalCents: number }>> {
  const { rows } = await q.query<{ policy_id: string; month: string }>(
    'SELECT policy_id, month FROM payd_statements WHERE tenant_id = $1 AND driver_id = $2 AND month = ANY($3::text[])',
    [tenantId, driverId, [...months]],
  );
  const out: Array<{ policyId: string; month: string; status: GenerateStatus; totalCents: number }> = [];
  for (const r of rows) {
    const g = await generateStatement(q, tenantId, r.policy_id, r.month, opts);
    if (g.ok)
      out.push({
        policyId: r.policy_id,
        month: r.month,
        status: g.value.status,
        totalCents: g.value.record.totalCents,
      });
  }
  return out;
}
