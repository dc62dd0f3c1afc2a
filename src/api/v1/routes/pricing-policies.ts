// Vehicles, policies and rating plans (part of the pricing module's routes), and the helpers its routes share.
import { type Static, Type } from '@sinclair/typebox';
import type { AppError, Result } from '../../../domain/index.ts';
import { PRODUCTS, type Product, parseIsoDate, ratingLevels } from '../../../pricing/index.ts';
import { refreshDriverRisk } from '../../../services/driver-risk.ts';
import {
  getPolicy,
  listPlans,
  planInForce,
  POLICY_COLS,
  policyFromRow,
  requote,
  savePlan,
  type StoredPlan,
  utcDay,
} from '../../../services/pricing.ts';
import type { Queryable } from '../../../store/index.ts';
import { randomId } from '../crypto.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_LIMIT } from '../pagination.ts';
import { type Principal, ROLES, route, type RouteSpec, STAFF, scopeOf } from '../types.ts';

/** The driver if the caller may see them (same tenant; a driver only themself), else 404. */
export async function visibleDriver(q: Queryable, p: Principal, id: string): Promise<void> {
  const sc = scopeOf(p);
  const { rowCount } = await q.query(
    'SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR id = $3)',
    [id, sc.tenantId, sc.driverId],
  );
  if (!rowCount) throw notFound(`driver ${id}`);
}

const NOT_FOUND = new Set(['not_found', 'no_policy', 'no_quote']);
const CONFLICT = new Set(['conflict', 'plan_exists']);

/** A service's expected failure as the API's error (404, 409 or 400 naming the field). */
export function unwrap<T>(r: Result<T, AppError | { code: string; message: string }>): T {
  if (r.ok) return r.value;
  const e = r.error;
  const field = 'field' in e && e.field ? `${e.field}: ` : '';
  if (NOT_FOUND.has(e.code)) throw new ApiError(404, 'not_found', e.message);
  if (CONFLICT.has(e.code)) throw new ApiError(409, 'conflict', e.message);
  throw new ApiError(400, 'invalid_request', `${field}${e.message}`);
}

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const ProductT = Type.Union(PRODUCTS.map((p) => Type.Literal(p)));
const Jurisdiction = Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,3})?$' });
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const ListQuery = Type.Object(
  {
    driverId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const NewVehicle = Type.Object(
  {
    driverId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    make: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    year: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
    powerKw: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
  },
  { additionalProperties: false },
);
const RatingFactors = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$', maxLength: 64 }),
  Type.Union([Type.Number(), Type.String({ maxLength: 100 })]),
  { maxProperties: 32 },
);
const NewPolicy = Type.Object(
  {
    driverId: Type.String({ minLength: 1, maxLength: 100 }),
    vehicleId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    jurisdiction: Jurisdiction,
    product: ProductT,
    startsOn: IsoDate,
    endsOn: IsoDate,
    status: Type.Optional(Type.Union([Type.Literal('quote'), Type.Literal('active')])),
    ratingFactors: RatingFactors,
    enrolled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const PlansQuery = Type.Object(
  { jurisdiction: Type.Optional(Jurisdiction), product: Type.Optional(ProductT) },
  { additionalProperties: false },
);
const CurrentPlanQuery = Type.Object(
  { jurisdiction: Jurisdiction, product: ProductT, date: Type.Optional(IsoDate) },
  { additionalProperties: false },
);
const NewPlan = Type.Object(
  { product: ProductT, plan: Type.Unknown(), bands: Type.Unknown() },
  { additionalProperties: false },
);

interface VehicleRow {
  id: string;
  driver_id: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  power_kw: number | null;
  created_at: Date;
}
const vehicleView = (v: VehicleRow) => ({
  id: v.id,
  driverId: v.driver_id,
  make: v.make,
  model: v.model,
  year: v.year,
  powerKw: v.power_kw,
  createdAtMs: v.created_at.getTime(),
});

export const planView = (p: StoredPlan) => ({
  key: p.plan.key,
  product: p.product,
  isDefault: p.isDefault,
  createdAtMs: p.createdAtMs,
  plan: p.plan.plan,
  bands: p.bands,
});

const policyView = (p: ReturnType<typeof policyFromRow>) => {
  const { tenantId: _t, ...rest } = p;
  return rest;
};

/** Keyset page over rows ordered by id. */
function page<T extends { id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1]!.id]) : null };
}

export const policyRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/vehicles',
    summary: 'vehicles of the tenant (a driver: their own), by id, cursor-paginated',
    access: { roles: ROLES, scope: 'policies:read' },
    status: 200,
    audit: 'vehicles.list',
    schema: { querystring: ListQuery },
    handler: async ({ req, principal, s, audit }) => {
      const q = req.query as Static<typeof ListQuery>;
      const limit = q.limit ?? DEFAULT_LIMIT;
      const after = q.cursor ? (decodeCursor(q.cursor, ['string'])[0] as string) : null;
      const sc = scopeOf(principal);
      const { rows } = await s.db.query<VehicleRow>(
        `SELECT * FROM vehicles WHERE tenant_id = $1 AND ($2::text IS NULL OR driver_id = $2)
            AND ($3::text IS NULL OR driver_id = $3) AND ($4::text IS NULL OR id > $4) ORDER BY id LIMIT $5`,
        [sc.tenantId, sc.driverId, q.driverId ?? null, after, limit + 1],
      );
      audit(q.driverId ? 'driver' : 'tenant', q.driverId ?? principal.tenantId);
      const p = page(rows, limit);
      return { items: p.items.map(vehicleView), nextCursor: p.nextCursor };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/vehicles',
    summary: 'register a vehicle, optionally a driver’s',
    access: { roles: ['admin'], scope: 'policies:write' },
    status: 201,
    audit: 'vehicle.create',
    schema: { body: NewVehicle },
    handler: async ({ req, principal, s, audit }) => {
      const b = req.body as Static<typeof NewVehicle>;
      if (b.driverId !== undefined) {
        await visibleDriver(s.db, principal, b.driverId);
        audit('driver', b.driverId);
      }
      const { rows } = await s.db.query<VehicleRow>(
        `INSERT INTO vehicles (id, tenant_id, driver_id, make, model, year, power_kw)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          randomId('veh'),
          principal.tenantId,
          b.driverId ?? null,
          b.make ?? null,
          b.model ?? null,
          b.year ?? null,
          b.powerKw ?? null,
        ],
      );
      return vehicleView(rows[0]!);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/policies',
    summary: 'policies of the tenant (a driver: their own), by id, cursor-paginated',
    access: { roles: ROLES, scope: 'policies:read' },
    status: 200,
    audit: 'policies.list',
    schema: { querystring: ListQuery },
    handler: async ({ req, principal, s, audit }) => {
      const q = req.query as Static<typeof ListQuery>;
      const limit = q.limit ?? DEFAULT_LIMIT;
      const after = q.cursor ? (decodeCursor(q.cursor, ['string'])[0] as string) : null;
      const sc = scopeOf(principal);
      const { rows } = await s.db.query(
        `SELECT ${POLICY_COLS} FROM policies WHERE tenant_id = $1 AND ($2::text IS NULL OR driver_id = $2)
            AND ($3::text IS NULL OR driver_id = $3) AND ($4::text IS NULL OR id > $4) ORDER BY id LIMIT $5`,
        [sc.tenantId, sc.driverId, q.driverId ?? null, after, limit + 1],
      );
      audit(q.driverId ? 'driver' : 'tenant', q.driverId ?? principal.tenantId);
      const p = page(rows as Array<Parameters<typeof policyFromRow>[0]>, limit);
      return { items: p.items.map((r) => policyView(policyFromRow(r))), nextCursor: p.nextCursor };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/policies/:id',
    summary: 'one policy with its classic rating factors',
    access: { roles: ROLES, scope: 'policies:read' },
    status: 200,
    audit: 'policy.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const p = await getPolicy(s.db, principal.tenantId, id);
      const sc = scopeOf(principal);
      if (p === null || (sc.driverId !== null && p.driverId !== sc.driverId)) throw notFound(`policy ${id}`);
      audit('driver', p.driverId);
      return policyView(p);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/policies',
    summary:
      'create a policy; rating factors must feed the plan in force and may not name a protected attribute; an active policy is priced at once',
    access: { roles: ['admin'], scope: 'policies:write' },
    status: 201,
    audit: 'policy.create',
    schema: { body: NewPolicy },
    handler: async ({ req, principal, s, audit }) => {
      const b = req.body as Static<typeof NewPolicy>;
      const startMs = parseIsoDate(b.startsOn);
      if (startMs === null) throw badRequest('startsOn: not a calendar date');
      if (parseIsoDate(b.endsOn) === null) throw badRequest('endsOn: not a calendar date');
      if (b.endsOn <= b.startsOn) throw badRequest('endsOn: must be after startsOn');
      await visibleDriver(s.db, principal, b.driverId);
      audit('driver', b.driverId);
      const tenantId = principal.tenantId;
      if (b.vehicleId !== undefined) {
        const v = await s.db.query('SELECT 1 FROM vehicles WHERE id = $1 AND tenant_id = $2', [
          b.vehicleId,
          tenantId,
        ]);
        if (!v.rowCount) throw notFound(`vehicle ${b.vehicleId}`);
      }
      const nowMs = s.now();
      const plan = unwrap(await planInForce(s.db, tenantId, b.jurisdiction, b.product, startMs));
      unwrap(ratingLevels(plan.plan, plan.bands, b.ratingFactors));
      return s.db.tx(async (c) => {
        const { rows } = await c.query(
          `INSERT INTO policies (id, tenant_id, driver_id, vehicle_id, jurisdiction, product, starts_on, ends_on,
                                 status, rating_factors, enrolled)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${POLICY_COLS}`,
          [
            randomId('pol'),
            tenantId,
            b.driverId,
            b.vehicleId ?? null,
            b.jurisdiction,
            b.product as Product,
            b.startsOn,
            b.endsOn,
            b.status ?? 'active',
            JSON.stringify(b.ratingFactors),
            b.enrolled ?? true,
          ],
        );
        const policy = policyFromRow(rows[0] as Parameters<typeof policyFromRow>[0]);
        const today = utcDay(nowMs);
        let quote: { id: string; premiumCents: number; currency: string } | null = null;
        if (policy.status === 'active' && policy.startsOn <= today && today < policy.endsOn) {
          await refreshDriverRisk(c, tenantId, b.driverId, nowMs);
          const q = unwrap(await requote(c, tenantId, b.driverId, { reason: 'policy.created', nowMs }));
          quote = { id: q.id, premiumCents: q.premiumCents, currency: q.quote.currency };
        }
        return { ...policyView(policy), quote };
      });
    },
  }),
  route({
    method: 'GET',
    url: '/v1/plans',
    summary:
      "the tenant's stored rating plans with their factor bands (staff; a driver sees theirs in the quote)",
    access: { roles: STAFF, scope: 'policies:read' },
    status: 200,
    schema: { querystring: PlansQuery },
    handler: async ({ req, principal, s }) => {
      const q = req.query as Static<typeof PlansQuery>;
      const plans = await listPlans(s.db, principal.tenantId, q);
      return { items: plans.map(planView) };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/plans/current',
    summary:
      'the plan in force for a jurisdiction and product on a day (today by default); defaults are seeded',
    access: { roles: ROLES, scope: 'policies:read' },
    status: 200,
    schema: { querystring: CurrentPlanQuery },
    handler: async ({ req, principal, s }) => {
      const q = req.query as Static<typeof CurrentPlanQuery>;
      const at = q.date === undefined ? s.now() : parseIsoDate(q.date);
      if (at === null) throw badRequest('date: not a calendar date');
      return planView(unwrap(await planInForce(s.db, principal.tenantId, q.jurisdiction, q.product, at)));
    },
  }),
  route({
    method: 'POST',
    url: '/v1/plans',
    summary:
      'publish a rating plan version (validated against its jurisdiction’s rules; every problem listed)',
    access: { roles: ['admin'], scope: 'policies:write' },
    status: 201,
    schema: { body: NewPlan },
    handler: async ({ req, principal, s }) => {
      const b = req.body as Static<typeof NewPlan>;
      const saved = await savePlan(s.db, principal.tenantId, b.product, b.plan, b.bands);
      if (!saved.ok && saved.error.violations.length > 0) {
        const list = saved.error.violations as Array<{ field: string; message: string }>;
        throw badRequest(list.map((v) => `${v.field}: ${v.message}`).join('; '));
      }
      return planView(unwrap(saved));
    },
  }),
];
