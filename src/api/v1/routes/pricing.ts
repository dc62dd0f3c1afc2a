// Vehicles, policies, rating plans, scores, quotes, PAYD statements and what-if (owner: pricing).
// A driver sees only their own; staff and partner keys reading a driver's pricing are audited.
import { type Static, Type } from '@sinclair/typebox';
import { BEHAVIOUR_KEYS, standardScenarios, type WhatIfScenario } from '../../../pricing/index.ts';
import { portfolioFairness, scoreView } from '../../../services/pricing-reports.ts';
import { currentQuote, quoteHistory, requote, type StoredQuote, whatIf } from '../../../services/pricing.ts';
import { generateStatement, listStatements, monthBounds } from '../../../services/statements.ts';
import { notFound } from '../errors.ts';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_LIMIT } from '../pagination.ts';
import { ROLES, route, type RouteSpec, STAFF } from '../types.ts';
import { IdParam, policyRoutes, unwrap, visibleDriver } from './pricing-policies.ts';

const quoteView = (q: StoredQuote) => ({
  id: q.id,
  driverId: q.driverId,
  policyId: q.policyId,
  plan: { id: q.planId, version: q.planVersion },
  model: { name: q.modelName, version: q.modelVersion },
  currency: q.quote.currency,
  distanceUnit: q.quote.distanceUnit,
  premiumCents: q.premiumCents,
  ratedPremiumCents: q.quote.ratedPremiumCents,
  /** The same driver without telematics (no behaviour factor, no enrollment discount). */
  nonTelematicsPremiumCents: q.nonTelematicsCents,
  /** What telematics saves this driver a month (negative: what it costs). */
  savingsCents: q.nonTelematicsCents - q.premiumCents,
  telematicsFactor: q.telematicsFactor,
  credibility: q.quote.rating.telematics.credibility,
  projectedMonthlyKm: q.quote.input.projectedMonthlyKm,
  contributions: q.quote.contributions.map((c) => ({
    key: c.key,
    kind: c.kind,
    label: c.label,
    factor: c.factor,
    level: c.level,
    levelLabel: c.levelLabel,
    cents: c.cents,
  })),
  behaviour: q.quote.behaviour.map((b) => ({ key: b.key, cents: b.cents })),
  reasons: q.quote.reasons,
  change:
    q.change === null
      ? null
      : {
          fromCents: q.change.fromCents,
          toCents: q.change.toCents,
          changeCents: q.change.changeCents,
          reasons: q.change.reasons,
          items: q.change.items.filter((i) => i.cents !== 0),
        },
  safetyScore: { score: q.quote.safetyScore.score, reason: q.quote.safetyScore.reason },
  reason: q.reason,
  createdAtMs: q.createdAtMs,
});

const historyView = (q: StoredQuote) => ({
  id: q.id,
  policyId: q.policyId,
  plan: { id: q.planId, version: q.planVersion },
  currency: q.quote.currency,
  premiumCents: q.premiumCents,
  nonTelematicsPremiumCents: q.nonTelematicsCents,
  telematicsFactor: q.telematicsFactor,
  safetyScore: q.safetyScore,
  changeCents: q.change?.changeCents ?? null,
  reasons: (q.change?.reasons ?? []).map((r) => r.text),
  reason: q.reason,
  createdAtMs: q.createdAtMs,
});

const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const Behaviour = Type.Union(BEHAVIOUR_KEYS.map((k) => Type.Literal(k)));
const Change = Type.Union([
  Type.Object(
    { kind: Type.Literal('scale'), behaviour: Behaviour, factor: Type.Number({ minimum: 0, maximum: 100 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('set'), behaviour: Behaviour, value: Type.Number({ minimum: 0, maximum: 1e6 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('distance'), monthlyKmDelta: Type.Number({ minimum: -1e5, maximum: 1e5 }) },
    { additionalProperties: false },
  ),
]);
const WhatIfBody = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    changes: Type.Optional(Type.Array(Change, { minItems: 1, maxItems: 20 })),
  },
  { additionalProperties: false, description: 'without changes: the standard coaching scenarios' },
);
const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' });
const NewStatement = Type.Object(
  { month: Month, policyId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);
const FairnessQuery = Type.Object(
  { sample: Type.Optional(Type.Integer({ minimum: 0, maximum: 2000 })) },
  { additionalProperties: false },
);

export const pricingRoutes: RouteSpec[] = [
  ...policyRoutes,
  route({
    method: 'GET',
    url: '/v1/drivers/:id/score',
    summary:
      'safety score 0–100 for coaching (null below the minimum distance), the pricing factor beside it, 30-day trend',
    access: { roles: ROLES, scope: 'quotes:read' },
    status: 200,
    audit: 'driver.score.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      await visibleDriver(s.db, principal, id);
      audit('driver', id);
      return scoreView(s.db, principal.tenantId, id, s.now());
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:id/quote',
    summary:
      "the driver's current premium: each factor's contribution in cents, top reasons, the non-telematics price and the saving",
    access: { roles: ROLES, scope: 'quotes:read' },
    status: 200,
    audit: 'driver.quote.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      await visibleDriver(s.db, principal, id);
      audit('driver', id);
      let q = await currentQuote(s.db, principal.tenantId, id);
      // Never priced (a policy created outside the API): price once now, as the trip hook would.
      if (q === null)
        q = unwrap(await requote(s.db, principal.tenantId, id, { reason: 'first_view', nowMs: s.now() }));
      return quoteView(q);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:id/quotes',
    summary: "the driver's quote history, newest first, with what changed and why",
    access: { roles: ROLES, scope: 'quotes:read' },
    status: 200,
    audit: 'driver.quotes.list',
    schema: { params: IdParam, querystring: PageQuery },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const q = req.query as Static<typeof PageQuery>;
      await visibleDriver(s.db, principal, id);
      audit('driver', id);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const before = q.cursor ? (decodeCursor(q.cursor, ['number'])[0] as number) : null;
      const rows = await quoteHistory(s.db, principal.tenantId, id, { limit: limit + 1, beforeSeq: before });
      const items = rows.slice(0, limit);
      return {
        items: items.map(historyView),
        nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1]!.seq]) : null,
      };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/drivers/:id/what-if',
    summary: 'the premium if behaviours (or monthly distance) changed, and the difference; nothing is stored',
    access: { roles: ROLES, scope: 'quotes:read' },
    status: 200,
    audit: 'driver.whatif',
    schema: { params: IdParam, body: WhatIfBody },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const b = (req.body ?? {}) as Static<typeof WhatIfBody>;
      await visibleDriver(s.db, principal, id);
      audit('driver', id);
      const scenarios: WhatIfScenario[] =
        b.changes === undefined
          ? standardScenarios()
          : [{ label: b.label ?? 'With these changes', changes: b.changes }];
      return unwrap(await whatIf(s.db, principal.tenantId, id, scenarios, s.now()));
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:id/statements',
    summary: "the driver's PAYD monthly statements, newest month first",
    access: { roles: ROLES, scope: 'quotes:read' },
    status: 200,
    audit: 'driver.statements.list',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      await visibleDriver(s.db, principal, id);
      audit('driver', id);
      return { items: await listStatements(s.db, principal.tenantId, id) };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/drivers/:id/statements',
    summary:
      "generate a month's PAYD statement (idempotent: 'unchanged' when nothing changed, 'updated' with the reason when it did)",
    access: { roles: STAFF, scope: 'policies:write' },
    status: 200,
    audit: 'driver.statement.generate',
    schema: { params: IdParam, body: NewStatement },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const b = req.body as Static<typeof NewStatement>;
      await visibleDriver(s.db, principal, id);
      audit('driver', id);
      let policyId = b.policyId;
      if (policyId === undefined) {
        const { from } = monthBounds(b.month);
        const { rows } = await s.db.query<{ id: string }>(
          `SELECT id FROM policies WHERE tenant_id = $1 AND driver_id = $2 AND product = 'payd'
              AND starts_on < ($3::date + interval '1 month') AND ends_on > $3::date
            ORDER BY starts_on DESC LIMIT 1`,
          [principal.tenantId, id, from],
        );
        if (!rows[0]) throw notFound(`PAYD policy of driver ${id} in ${b.month}`);
        policyId = rows[0].id;
      }
      const owned = await s.db.query(
        'SELECT 1 FROM policies WHERE id = $1 AND tenant_id = $2 AND driver_id = $3',
        [policyId, principal.tenantId, id],
      );
      if (!owned.rowCount) throw notFound(`policy ${policyId}`);
      return s.db.tx(async (c) => {
        const g = unwrap(
          await generateStatement(c, principal.tenantId, policyId, b.month, { nowMs: s.now() }),
        );
        return { status: g.status, ...g.record };
      });
    },
  }),
  route({
    method: 'GET',
    url: '/v1/portfolio/fairness',
    summary:
      'fairness report (premiums and impact ratios by age group, territory, product) and monotonicity and protected-attribute checks',
    access: { roles: STAFF, scope: 'quotes:read' },
    status: 200,
    audit: 'portfolio.fairness',
    schema: { querystring: FairnessQuery },
    handler: async ({ req, principal, s, audit }) => {
      const q = req.query as Static<typeof FairnessQuery>;
      audit('tenant', principal.tenantId);
      return portfolioFairness(s.db, principal.tenantId, { sample: q.sample ?? 200 });
    },
  }),
];
