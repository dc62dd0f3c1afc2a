// Rating plans and policies as the pricing service reads them: stored plans (validated on the way in and out),
// the documented default plans seeded per tenant, jurisdiction and product, and a driver's active policy.
import type { Result } from '../domain/index.ts';
import {
  defaultPlan,
  type PlanBands,
  PRODUCTS,
  type PricingPlan,
  type Product,
  planFor,
  validateBands,
  validatePlan,
} from '../pricing/index.ts';
import type { Queryable } from '../store/index.ts';

export interface StoredPlan {
  tenantId: string;
  product: Product;
  plan: PricingPlan;
  bands: PlanBands;
  isDefault: boolean;
  createdAtMs: number;
}

export interface ActivePolicy {
  id: string;
  tenantId: string;
  driverId: string;
  vehicleId: string | null;
  jurisdiction: string;
  product: Product;
  startsOn: string;
  endsOn: string;
  status: string;
  ratingFactors: Record<string, unknown>;
  enrolled: boolean;
  createdAtMs: number;
}

interface PlanRow {
  tenant_id: string;
  product: Product;
  plan: unknown;
  bands: unknown;
  is_default: boolean;
  created_at: Date;
}

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

// Stored plans never change (a new version is a new row), so their compiled form is cached by key.
const compiled = new Map<string, StoredPlan>();

function fromRow(r: PlanRow): StoredPlan {
  const raw = r.plan as { id?: unknown; version?: unknown };
  const key = `${r.tenant_id}/${String(raw.id)}@${String(raw.version)}/${r.created_at.getTime()}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const plan = validatePlan(r.plan);
  if (!plan.ok) throw new Error(`stored plan ${key} no longer validates: ${plan.error.message}`);
  const bands = validateBands(plan.value, r.bands);
  if (!bands.ok) throw new Error(`stored plan ${key} has invalid bands: ${bands.error.message}`);
  const out: StoredPlan = {
    tenantId: r.tenant_id,
    product: r.product,
    plan: plan.value,
    bands: bands.value,
    isDefault: r.is_default,
    createdAtMs: r.created_at.getTime(),
  };
  compiled.set(key, out);
  return out;
}

/**
 * Seeds the default plans (src/pricing/defaults.ts) for a jurisdiction, one per product that has no plan of
 * the tenant yet. Idempotent; false when the jurisdiction has no rule pack (nothing can be priced there).
 */
export async function ensureDefaultPlans(
  q: Queryable,
  tenantId: string,
  jurisdiction: string,
): Promise<boolean> {
  for (const product of PRODUCTS) {
    const d = defaultPlan(jurisdiction, product);
    if (d === null) return false;
    await q.query(
      `INSERT INTO rating_plans (tenant_id, id, version, product, jurisdiction, effective_from, plan, bands, is_default)
       SELECT $1::text, $2::text, $3::int, $4::text, $5::text, $6::date, $7::jsonb, $8::jsonb, true
        WHERE NOT EXISTS (SELECT 1 FROM rating_plans WHERE tenant_id = $1 AND jurisdiction = $5 AND product = $4)
       ON CONFLICT DO NOTHING`,
      [tenantId, d.plan.id, d.plan.version, product, jurisdiction, d.plan.effectiveFrom, d.plan, d.bands],
    );
  }
  return true;
}

const PLAN_COLS = 'tenant_id, product, plan, bands, is_default, created_at';

export async function listPlans(
  q: Queryable,
  tenantId: string,
  filter: { jurisdiction?: string | undefined; product?: Product | undefined } = {},
): Promise<StoredPlan[]> {
  const { rows } = await q.query<PlanRow>(
    `SELECT ${PLAN_COLS} FROM rating_plans
      WHERE tenant_id = $1 AND ($2::text IS NULL OR jurisdiction = $2) AND ($3::text IS NULL OR product = $3)
      ORDER BY jurisdiction, product, effective_from DESC, version DESC`,
    [tenantId, filter.jurisdiction ?? null, filter.product ?? null],
  );
  return rows.map(fromRow);
}

export async function getPlan(
  q: Queryable,
  tenantId: string,
  id: string,
  version: number,
): Promise<StoredPlan | null> {
  const { rows } = await q.query<PlanRow>(
    `SELECT ${PLAN_COLS} FROM rating_plans WHERE tenant_id = $1 AND id = $2 AND version = $3`,
    [tenantId, id, version],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

/** The plan in force for a jurisdiction and product on a day, seeding the defaults when the tenant has none. */
export async function planInForce(
  q: Queryable,
  tenantId: string,
  jurisdiction: string,
  product: Product,
  dateMs: number,
): Promise<Result<StoredPlan>> {
  if (!(await ensureDefaultPlans(q, tenantId, jurisdiction))) {
    return {
      ok: false,
      error: {
        code: 'unknown_jurisdiction',
        message: `no rule pack for jurisdiction '${jurisdiction}': nothing can be priced there`,
        field: 'jurisdiction',
      },
    };
  }
  const plans = await listPlans(q, tenantId, { jurisdiction, product });
  const chosen = planFor(
    plans.map((p) => p.plan),
    jurisdiction,
    dateMs,
  );
  if (!chosen.ok) return chosen;
  return { ok: true, value: plans.find((p) => p.plan === chosen.value)! };
}

/** Validates and stores a new plan (or version); every problem of the plan and its bands at once. */
export async function savePlan(
  q: Queryable,
  tenantId: string,
  product: Product,
  planJson: unknown,
  bandsJson: unknown,
): Promise<Result<StoredPlan, { code: string; message: string; violations: unknown[] }>> {
  const plan = validatePlan(planJson);
  if (!plan.ok) return plan;
  const bands = validateBands(plan.value, bandsJson);
  if (!bands.ok) return bands;
  const p = plan.value.plan;
  const { rows } = await q.query<PlanRow>(
    `INSERT INTO rating_plans (tenant_id, id, version, product, jurisdiction, effective_from, effective_to, plan, bands)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING ${PLAN_COLS}`,
    [
      tenantId,
      p.id,
      p.version,
      product,
      p.jurisdiction,
      p.effectiveFrom,
      p.effectiveTo ?? null,
      p,
      bands.value,
    ],
  );
  if (!rows[0]) {
    const message = `plan ${p.id} version ${p.version} exists: plans never change, publish a new version`;
    return { ok: false, error: { code: 'plan_exists', message, violations: [] } };
  }
  return { ok: true, value: fromRow(rows[0]) };
}

interface PolicyRow {
  id: string;
  tenant_id: string;
  driver_id: string;
  vehicle_id: string | null;
  jurisdiction: string;
  product: Product;
  starts_on: string;
  ends_on: string;
  status: string;
  rating_factors: Record<string, unknown>;
  enrolled: boolean;
  created_at: Date;
}

// Dates as text: node-postgres would turn a `date` into local midnight.
export const POLICY_COLS = `id, tenant_id, driver_id, vehicle_id, jurisdiction, product,
  to_char(starts_on, 'YYYY-MM-DD') AS starts_on, to_char(ends_on, 'YYYY-MM-DD') AS ends_on, status,
  rating_factors, enrolled, created_at`;

export const policyFromRow = (r: PolicyRow): ActivePolicy => ({
  id: r.id,
  tenantId: r.tenant_id,
  driverId: r.driver_id,
  vehicleId: r.vehicle_id,
  jurisdiction: r.jurisdiction,
  product: r.product,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  status: r.status,
  ratingFactors: r.rating_factors,
  enrolled: r.enrolled,
  createdAtMs: r.created_at.getTime(),
});

/** The driver's policy in force on the day: active, started, not ended; the latest start wins. */
export async function activePolicy(
  q: Queryable,
  tenantId: string,
  driverId: string,
  nowMs: number,
): Promise<ActivePolicy | null> {
  const { rows } = await q.query<PolicyRow>(
    `SELECT ${POLICY_COLS} FROM policies
      WHERE tenant_id = $1 AND driver_id = $2 AND status = 'active' AND starts_on <= $3::date AND ends_on > $3::date
      ORDER BY starts_on DESC, created_at DESC, id DESC LIMIT 1`,
    [tenantId, driverId, utcDay(nowMs)],
  );
  return rows[0] ? policyFromRow(rows[0]) : null;
}

export async function getPolicy(
  q: Queryable,
  tenantId: string,
  policyId: string,
): Promise<ActivePolicy | null> {
  const { rows } = await q.query<PolicyRow>(
    `SELECT ${POLICY_COLS} FROM policies WHERE id = $1 AND tenant_id = $2`,
    [policyId, tenantId],
  );
  return rows[0] ? policyFromRow(rows[0]) : null;
}
