// Matrix probes for src/api/v1/routes/pricing.ts: one per route. Also the helpers pricing and dispute tests
// use to give seeded drivers policies and plans.
import { randomBytes } from 'node:crypto';
import type { V1TestApp } from '../../src/api/v1/testing.ts';
import { defaultPlan } from '../../src/pricing/index.ts';
import { savePlan } from '../../src/services/pricing.ts';
import { type Fixture, ids, uniq } from './types.ts';

const DAY_MS = 86_400_000;
export const RATING_FACTORS = {
  driverAge: 34,
  vehiclePowerKw: 80,
  vehicleAgeYears: 5,
  territory: 'C',
  annualKm: 12000,
};

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Inserts an active policy for the driver (60 days in force, 300 to go at the app's clock). */
export async function insertPolicy(
  t: V1TestApp,
  tenant: string,
  driverId: string,
  opts: {
    product?: 'payd' | 'phyd' | 'classic';
    jurisdiction?: string;
    startMs?: number;
    endMs?: number;
  } = {},
): Promise<string> {
  const id = `pol-${randomBytes(6).toString('hex')}`;
  await t.db.query(
    `INSERT INTO policies (id, tenant_id, driver_id, jurisdiction, product, starts_on, ends_on, rating_factors)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      tenant,
      driverId,
      opts.jurisdiction ?? 'AD',
      opts.product ?? 'phyd',
      day(opts.startMs ?? t.clock.nowMs - 60 * DAY_MS),
      day(opts.endMs ?? t.clock.nowMs + 300 * DAY_MS),
      JSON.stringify(RATING_FACTORS),
    ],
  );
  return id;
}

// One policy per seeded driver, made on first use (probes run once per caller).
const policies = new Map<string, Promise<string>>();
export function policyOf(
  t: V1TestApp,
  tenant: string,
  driverId: string,
  product: 'payd' | 'phyd' = 'phyd',
): Promise<string> {
  const key = `${tenant}/${driverId}`;
  let p = policies.get(key);
  if (!p) policies.set(key, (p = insertPolicy(t, tenant, driverId, { product })));
  return p;
}

/** A distinct, valid plan (the default PHYD plan under a fresh id) for publishing or listing. */
export function uniquePlan(): { plan: Record<string, unknown>; bands: unknown } {
  const d = defaultPlan('AD', 'phyd')!;
  return { plan: { ...d.plan, id: `probe-${uniq()}`, name: 'Probe plan' }, bands: d.bands };
}

export const pricingFixtures: Record<string, Fixture> = {
  'GET /v1/vehicles': async (fx, t) => {
    const id = `veh-${uniq()}`;
    await t.db.query('INSERT INTO vehicles (id, tenant_id, driver_id, power_kw) VALUES ($1, $2, $3, 80)', [
      id,
      fx.tenants.a,
      fx.drivers.a1,
    ]);
    return {
      url: '/v1/vehicles?limit=200',
      subject: { tenant: 'a', driver: fx.drivers.a1 },
      contains: (b) => ids(b).includes(id),
    };
  },
  'POST /v1/vehicles': async (fx) => ({
    url: '/v1/vehicles',
    body: { driverId: fx.drivers.a1, make: 'Seat', model: 'Ibiza', year: 2020, powerKw: 70 },
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/policies': async (fx, t) => {
    const id = await policyOf(t, fx.tenants.a, fx.drivers.a1);
    return {
      url: '/v1/policies?limit=200',
      subject: { tenant: 'a', driver: fx.drivers.a1 },
      contains: (b) => ids(b).includes(id),
    };
  },
  'GET /v1/policies/:id': async (fx, t) => ({
    url: `/v1/policies/${await policyOf(t, fx.tenants.a, fx.drivers.a1)}`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'POST /v1/policies': async (fx, t) => ({
    url: '/v1/policies',
    body: {
      driverId: fx.drivers.a1,
      jurisdiction: 'AD',
      product: 'phyd',
      startsOn: day(t.clock.nowMs - 60 * DAY_MS),
      endsOn: day(t.clock.nowMs + 300 * DAY_MS),
      ratingFactors: RATING_FACTORS,
    },
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/plans': async (fx, t) => {
    const p = uniquePlan();
    const saved = await savePlan(t.db, fx.tenants.a, 'phyd', p.plan, p.bands);
    if (!saved.ok) throw new Error(saved.error.message);
    const key = saved.value.plan.key;
    return {
      url: '/v1/plans',
      subject: { tenant: 'a', driver: null },
      contains: (b) => (b.items as Array<{ key: string }>).some((i) => i.key === key),
    };
  },
  // Every tenant has (or is given) its own plan in force: every allowed caller gets one.
  'GET /v1/plans/current': async () => ({
    url: '/v1/plans/current?jurisdiction=AD&product=phyd',
    subject: null,
  }),
  'POST /v1/plans': async () => ({
    url: '/v1/plans',
    body: { product: 'phyd', ...uniquePlan() },
    subject: null,
  }),
  'GET /v1/drivers/:id/score': async (fx, t) => {
    await policyOf(t, fx.tenants.a, fx.drivers.a1);
    return { url: `/v1/drivers/${fx.drivers.a1}/score`, subject: { tenant: 'a', driver: fx.drivers.a1 } };
  },
  'GET /v1/drivers/:id/quote': async (fx, t) => {
    await policyOf(t, fx.tenants.a, fx.drivers.a1);
    return { url: `/v1/drivers/${fx.drivers.a1}/quote`, subject: { tenant: 'a', driver: fx.drivers.a1 } };
  },
  'GET /v1/drivers/:id/quotes': async (fx, t) => {
    await policyOf(t, fx.tenants.a, fx.drivers.a1);
    return { url: `/v1/drivers/${fx.drivers.a1}/quotes`, subject: { tenant: 'a', driver: fx.drivers.a1 } };
  },
  'POST /v1/drivers/:id/what-if': async (fx, t) => {
    await policyOf(t, fx.tenants.a, fx.drivers.a1);
    return {
      url: `/v1/drivers/${fx.drivers.a1}/what-if`,
      body: { changes: [{ kind: 'scale', behaviour: 'harshBrakingPer100Km', factor: 0.5 }] },
      subject: { tenant: 'a', driver: fx.drivers.a1 },
    };
  },
  'GET /v1/drivers/:id/statements': async (fx) => ({
    url: `/v1/drivers/${fx.drivers.a1}/statements`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  // Driver a2 is the PAYD customer of the matrix (a1 is PHYD).
  'POST /v1/drivers/:id/statements': async (fx, t) => {
    await policyOf(t, fx.tenants.a, fx.drivers.a2, 'payd');
    return {
      url: `/v1/drivers/${fx.drivers.a2}/statements`,
      body: { month: day(t.clock.nowMs).slice(0, 7) },
      subject: { tenant: 'a', driver: fx.drivers.a2 },
    };
  },
  // Always the caller's own tenant's portfolio: every allowed caller gets an answer.
  'GET /v1/portfolio/fairness': async () => ({ url: '/v1/portfolio/fairness?sample=5', subject: null }),
};
