// Portfolio analytics for insurer staff: KPIs, distributions, events over time, event density (owner: risk).
// Aggregates only (no row names a driver); everything counts only counted trips and non-voided events.
import { type Static, Type } from '@sinclair/typebox';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { type RatingFactors, severityMeanCents } from '../../../sim/claims.ts';
import type { Queryable } from '../../../store/index.ts';
import { badRequest } from '../errors.ts';
import { type RouteSpec, route, STAFF } from '../types.ts';

const DAY_MS = 86_400_000;
const ACCESS = { roles: STAFF, scope: 'models:read' } as const;

const DaysQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 366, description: 'window ending now (default 30)' }),
    ),
  },
  { additionalProperties: false },
);
const DensityQuery = Type.Object(
  {
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
    resolution: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 9, description: 'H3 resolution (default 8)' }),
    ),
    kind: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false },
);

export interface Bin {
  from: number | null;
  to: number | null;
  count: number;
}

/** Counts per [edge_i, edge_i+1), with open-ended bins below the first and from the last edge. */
export function histogram(values: readonly number[], edges: readonly number[]): Bin[] {
  const bins: Bin[] = [{ from: null, to: edges[0]!, count: 0 }];
  for (let i = 0; i + 1 < edges.length; i++) bins.push({ from: edges[i]!, to: edges[i + 1]!, count: 0 });
  bins.push({ from: edges[edges.length - 1]!, to: null, count: 0 });
  for (const v of values) {
    let b = 0;
    while (b < edges.length && v >= edges[b]!) b++;
    bins[b]!.count++;
  }
  return bins;
}

const steps = (from: number, to: number, step: number) =>
  Array.from(
    { length: Math.round((to - from) / step) + 1 },
    (_, i) => Math.round((from + i * step) * 1e6) / 1e6,
  );

async function hasQuotes(q: Queryable): Promise<boolean> {
  const { rows } = await q.query<{ ok: boolean }>("SELECT to_regclass('quotes') IS NOT NULL AS ok");
  return rows[0]?.ok === true;
}

/** Each driver's latest quote (PRICING's table, read only when it exists). */
async function latestQuotes(q: Queryable, tenantId: string) {
  if (!(await hasQuotes(q))) return null;
  const { rows } = await q.query<{ driver_id: string; premium_cents: number; safety_score: number | null }>(
    // to_jsonb reads safety_score without failing if a version of the table lacks the column.
    `SELECT DISTINCT ON (driver_id) driver_id, premium_cents, (to_jsonb(qu) ->> 'safety_score')::int AS safety_score
       FROM quotes qu WHERE tenant_id = $1 ORDER BY driver_id, created_at DESC`,
    [tenantId],
  );
  return new Map(rows.map((r) => [r.driver_id, r]));
}

interface RiskRow {
  driver_id: string;
  model_version: number | null;
  classic_frequency: number;
  behaviour_frequency: number;
  behaviour: { speedingShare?: number };
  classic_factors: { factors?: { vehiclePowerKw?: number } };
}

const riskRows = async (q: Queryable, tenantId: string) =>
  (
    await q.query<RiskRow>(
      `SELECT driver_id, model_version, classic_frequency, behaviour_frequency, behaviour, classic_factors
         FROM driver_risk WHERE tenant_id = $1`,
      [tenantId],
    )
  ).rows;

/**
 * Expected annual claim cost of a driver: frequency × mean severity, the severity from the documented claim
 * process (src/sim/claims.ts severityMeanCents: €3,200 × (kW/80)^0.2 × e^(1.5·speeding share)) — there is no
 * severity model trained on real claims yet, so this is an assumption, reported as such.
 */
function expectedCostCents(r: RiskRow): number {
  const kw = r.classic_factors.factors?.vehiclePowerKw ?? 80;
  const f = { vehiclePowerKw: kw, speedingShare: r.behaviour.speedingShare ?? 0 };
  return r.behaviour_frequency * severityMeanCents(f as Pick<RatingFactors, keyof typeof f> as RatingFactors);
}

export const portfolioRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/portfolio/summary',
    summary:
      'drivers, distance in the last 30 days, mean expected frequency, premiums and expected loss ratio',
    access: ACCESS,
    status: 200,
    handler: async ({ principal, s }) => {
      const tenantId = principal.tenantId;
      const since = new Date(s.now() - 30 * DAY_MS);
      const [drivers, driving] = await Promise.all([
        s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM drivers WHERE tenant_id = $1', [tenantId]),
        s.db.query<{ km: number | null; trips: number; active: number }>(
          `SELECT sum(distance_m) / 1000 AS km, count(*)::int AS trips, count(DISTINCT driver_id)::int AS active
             FROM trips WHERE tenant_id = $1 AND counted AND end_at > $2`,
          [tenantId, since],
        ),
      ]);
      const risk = await riskRows(s.db, tenantId);
      const quotes = await latestQuotes(s.db, tenantId);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      const versions: Record<string, number> = {};
      for (const r of risk) versions[String(r.model_version)] = (versions[String(r.model_version)] ?? 0) + 1;
      let premium = null;
      if (quotes) {
        const monthly = [...quotes.values()].reduce((a, q) => a + q.premium_cents, 0);
        // Loss ratio over drivers that have both a risk row and a quote, on annual figures.
        let cost = 0;
        let annual = 0;
        for (const r of risk) {
          const qt = quotes.get(r.driver_id);
          if (!qt) continue;
          cost += expectedCostCents(r);
          annual += qt.premium_cents * 12;
        }
        premium = {
          quotedDrivers: quotes.size,
          monthlyPremiumCents: monthly,
          annualPremiumCents: monthly * 12,
          meanMonthlyPremiumCents: quotes.size ? Math.round(monthly / quotes.size) : null,
          expectedAnnualClaimsCostCents: Math.round(cost),
          expectedLossRatio: annual > 0 ? cost / annual : null,
        };
      }
      return {
        asOfMs: s.now(),
        drivers: drivers.rows[0]!.n,
        last30Days: {
          activeDrivers: driving.rows[0]!.active,
          trips: driving.rows[0]!.trips,
          distanceKm: driving.rows[0]!.km ?? 0,
        },
        risk: {
          scoredDrivers: risk.length,
          meanExpectedFrequency: mean(risk.map((r) => r.behaviour_frequency)),
          meanClassicFrequency: mean(risk.map((r) => r.classic_frequency)),
          expectedClaimsPerYear: risk.reduce((a, r) => a + r.behaviour_frequency, 0),
          driversByModelVersion: versions,
        },
        premium,
        severity: 'mean severity from the documented claim process (src/sim/claims.ts), not a fitted model',
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/portfolio/distributions',
    summary: 'histograms of expected frequency, behaviour relativity and (when quoted) safety score',
    access: ACCESS,
    status: 200,
    handler: async ({ principal, s }) => {
      const risk = await riskRows(s.db, principal.tenantId);
      const quotes = await latestQuotes(s.db, principal.tenantId);
      const scores = quotes
        ? [...quotes.values()].flatMap((q) => (q.safety_score === null ? [] : [q.safety_score]))
        : [];
      return {
        drivers: risk.length,
        expectedFrequency: histogram(
          risk.map((r) => r.behaviour_frequency),
          steps(0, 0.4, 0.02),
        ),
        relativity: histogram(
          risk.map((r) => r.behaviour_frequency / r.classic_frequency),
          steps(0.5, 2, 0.1),
        ),
        safetyScore: quotes ? histogram(scores, steps(10, 90, 10)) : null,
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/portfolio/events',
    summary: 'daily counts of driving events by kind (UTC days), counted trips and non-voided events only',
    access: ACCESS,
    status: 200,
    schema: { querystring: DaysQuery },
    handler: async ({ req, principal, s }) => {
      const days = (req.query as Static<typeof DaysQuery>).days ?? 30;
      const fromDay = new Date(Math.floor(s.now() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS);
      const { rows } = await s.db.query<{ day: string; kind: string; n: number; voided: number }>(
        `SELECT to_char(e.start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, e.kind,
                count(*) FILTER (WHERE NOT e.voided)::int AS n, count(*) FILTER (WHERE e.voided)::int AS voided
           FROM events e JOIN trips t ON t.id = e.trip_id
          WHERE e.tenant_id = $1 AND t.counted AND e.start_at >= $2 AND e.start_at <= $3
          GROUP BY 1, 2 ORDER BY 1, 2`,
        [principal.tenantId, fromDay, new Date(s.now())],
      );
      const byDay = new Map<string, Record<string, number>>();
      const totals: Record<string, number> = {};
      let voided = 0;
      for (let d = 0; d < days; d++)
        byDay.set(new Date(fromDay.getTime() + d * DAY_MS).toISOString().slice(0, 10), {});
      for (const r of rows) {
        voided += r.voided;
        if (r.n === 0) continue;
        const c = byDay.get(r.day);
        if (c) c[r.kind] = r.n;
        totals[r.kind] = (totals[r.kind] ?? 0) + r.n;
      }
      return { days: [...byDay].map(([date, counts]) => ({ date, counts })), totals, voided };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/portfolio/event-density',
    summary: 'non-voided events with a position binned to H3 cells (resolution 5–9), densest first',
    access: ACCESS,
    status: 200,
    schema: { querystring: DensityQuery },
    handler: async ({ req, principal, s }) => {
      const q = req.query as Static<typeof DensityQuery>;
      const res = q.resolution ?? 8;
      if (q.kind !== undefined && !/^[a-z_]+$/.test(q.kind)) throw badRequest('kind: not an event kind');
      const since = new Date(s.now() - (q.days ?? 30) * DAY_MS);
      const { rows } = await s.db.query<{ lat: number; lon: number; kind: string }>(
        `SELECT e.lat, e.lon, e.kind FROM events e JOIN trips t ON t.id = e.trip_id
          WHERE e.tenant_id = $1 AND t.counted AND NOT e.voided AND e.lat IS NOT NULL AND e.lon IS NOT NULL
            AND e.start_at >= $2 AND ($3::text IS NULL OR e.kind = $3)
          LIMIT 200000`,
        [principal.tenantId, since, q.kind ?? null],
      );
      const cells = new Map<string, { count: number; byKind: Record<string, number> }>();
      for (const r of rows) {
        const h = latLngToCell(r.lat, r.lon, res);
        const c = cells.get(h) ?? { count: 0, byKind: {} };
        c.count++;
        c.byKind[r.kind] = (c.byKind[r.kind] ?? 0) + 1;
        cells.set(h, c);
      }
      const out = [...cells]
        .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
        .slice(0, 5000)
        .map(([h3, c]) => {
          const [lat, lon] = cellToLatLng(h3);
          return { h3, lat, lon, ...c };
        });
      return { resolution: res, events: rows.length, cells: out };
    },
  }),
];
