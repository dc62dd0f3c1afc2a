// A driver's achievements (badges, streaks, tips for their weakest behaviour) and the opt-in anonymised
// leaderboard; computed from counted trips and non-voided events on every request (owner: dashboard).
import { type Static, Type } from '@sinclair/typebox';
import {
  BEHAVIOURS,
  badgesAndStreaks,
  behaviourLabel,
  MIN_WINDOW_KM,
  optins,
  rankLeaderboard,
  setLeaderboard,
  ratesOf,
  tipsFor,
  tripSummaries,
  WINDOW_DAYS,
  weakestFirst,
  windowStart,
} from '../../../services/achievements.ts';
import type { Queryable } from '../../../store/index.ts';
import { notFound } from '../errors.ts';
import { ROLES, route, type RouteSpec, scopeOf } from '../types.ts';

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const OptInBody = Type.Object({ optIn: Type.Boolean() }, { additionalProperties: false });
const LEADERBOARD_TOP = 20;
const r2 = (x: number) => Math.round(x * 100) / 100;
// Rates to 2 decimals; night is a share (0–1), kept to 4.
const rounded = (b: string, x: number) => (b === 'night' ? Math.round(x * 1e4) / 1e4 : r2(x));

/** The driver if the caller may see them (same tenant; a driver only themself), else 404. */
async function visibleDriver(q: Queryable, p: Parameters<typeof scopeOf>[0], id: string): Promise<void> {
  const sc = scopeOf(p);
  const { rowCount } = await q.query(
    'SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR id = $3)',
    [id, sc.tenantId, sc.driverId],
  );
  if (!rowCount) throw notFound(`driver ${id}`);
}

export const achievementRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/drivers/:id/achievements',
    summary:
      "a driver's badges, streaks, behaviour rates against the tenant's, tips and leaderboard standing",
    access: { roles: ROLES, scope: 'drivers:read' },
    status: 200,
    audit: 'driver.achievements.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      await visibleDriver(s.db, principal, id);
      const nowMs = s.now();
      const from = windowStart(nowMs);
      const [mine, tenantTrips, aliases] = await Promise.all([
        tripSummaries(s.db, principal.tenantId, { driverId: id }),
        tripSummaries(s.db, principal.tenantId, { fromMs: from }),
        optins(s.db, principal.tenantId),
      ]);
      audit('driver', id);
      const { badges, streaks } = badgesAndStreaks(mine);
      const driverRates = ratesOf(mine.filter((t) => t.startMs >= from));
      const tenantRates = ratesOf(tenantTrips);
      const order = weakestFirst(driverRates, tenantRates);
      const board = rankLeaderboard(tenantTrips, aliases);
      const me = board.find((e) => e.driverId === id);
      const weakest = order[0];
      return {
        driverId: id,
        asOfMs: nowMs,
        windowDays: WINDOW_DAYS,
        totals: { trips: mine.length, distanceKm: r2(mine.reduce((a, t) => a + t.distanceM, 0) / 1000) },
        badges,
        streaks,
        behaviours: BEHAVIOURS.map((b) => ({
          behaviour: b,
          label: behaviourLabel(b),
          unit: b === 'night' ? 'share of distance' : 'per 100 km',
          driver: rounded(b, driverRates.rate[b]),
          tenant: rounded(b, tenantRates.rate[b]),
        })),
        windowDistanceKm: r2(driverRates.distanceKm),
        weakest: weakest
          ? {
              behaviour: weakest,
              label: behaviourLabel(weakest),
              driver: rounded(weakest, driverRates.rate[weakest]),
              tenant: rounded(weakest, tenantRates.rate[weakest]),
            }
          : null,
        weakestNote:
          driverRates.distanceKm < MIN_WINDOW_KM
            ? `fewer than ${MIN_WINDOW_KM} km of counted driving in the last ${WINDOW_DAYS} days`
            : weakest
              ? null
              : 'no scored events in the window',
        tips: tipsFor(order),
        leaderboard: {
          optedIn: aliases.has(id),
          alias: aliases.get(id) ?? null,
          rank: me?.rank ?? null,
          of: board.length,
        },
      };
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/drivers/:id/leaderboard',
    summary:
      "a driver joins (or leaves) the anonymised leaderboard: their 'leaderboard' consent; only the driver themself",
    access: { roles: ['driver'], scope: null },
    status: 200,
    schema: { params: IdParam, body: OptInBody },
    handler: async ({ req, principal, s }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const { optIn: on } = req.body as Static<typeof OptInBody>;
      await visibleDriver(s.db, principal, id);
      return setLeaderboard(s.db, principal.tenantId, id, on);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/leaderboard',
    summary: `the tenant's opt-in leaderboard: aliases only, fewest scored events per 100 km over ${WINDOW_DAYS} days`,
    access: { roles: ROLES, scope: 'drivers:read' },
    status: 200,
    handler: async ({ principal, s }) => {
      const [trips, aliases] = await Promise.all([
        tripSummaries(s.db, principal.tenantId, { fromMs: windowStart(s.now()) }),
        optins(s.db, principal.tenantId),
      ]);
      const board = rankLeaderboard(trips, aliases);
      const own = scopeOf(principal).driverId;
      const view = (e: (typeof board)[number]) => ({
        rank: e.rank,
        alias: e.alias,
        eventsPer100Km: r2(e.eventsPer100Km),
        distanceKm: Math.round(e.distanceKm),
        you: e.driverId === own,
      });
      const top = board.slice(0, LEADERBOARD_TOP).map(view);
      const mine = own ? board.find((e) => e.driverId === own) : undefined;
      return {
        metric: 'scored events (harsh, speeding, phone) per 100 km',
        windowDays: WINDOW_DAYS,
        minDistanceKm: MIN_WINDOW_KM,
        participants: board.length,
        entries: mine && mine.rank > LEADERBOARD_TOP ? [...top, view(mine)] : top,
        you: own ? { optedIn: aliases.has(own), rank: mine?.rank ?? null } : null,
      };
    },
  }),
];
