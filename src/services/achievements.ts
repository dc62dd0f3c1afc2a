// A driver's achievements from counted trips and non-voided events only (rules in achievements-rules.ts), and the
// opt-in anonymised leaderboard's storage.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.ts';
import { setConsents } from './privacy.ts';
import { KINDS, type TripSummary, WINDOW_DAYS } from './achievements-rules.ts';

export * from './achievements-rules.ts';

const DAY_MS = 86_400_000;

const countCols = (Object.entries(KINDS) as Array<[string, readonly string[]]>)
  .map(
    ([b, kinds]) =>
      `count(e.id) FILTER (WHERE e.kind IN (${kinds.map((k) => `'${k}'`).join(', ')}))::int AS ${b}`,
  )
  .join(', ');

interface SummaryRow {
  id: string;
  driver_id: string;
  start_at: Date;
  distance_m: number;
  limits: boolean | null;
  night_share: number | null;
  braking: number;
  acceleration: number;
  cornering: number;
  speeding: number;
  phone: number;
  fatigue: number;
}

const toSummary = (r: SummaryRow): TripSummary => ({
  id: r.id,
  startMs: r.start_at.getTime(),
  distanceM: r.distance_m,
  limitsKnown: r.limits === true,
  nightShare: r.night_share ?? 0,
  counts: {
    braking: r.braking,
    acceleration: r.acceleration,
    cornering: r.cornering,
    speeding: r.speeding,
    phone: r.phone,
    fatigue: r.fatigue,
  },
});

/** Counted trips with their non-voided event counts: one driver's (all time) or the tenant's since `fromMs`. */
export async function tripSummaries(
  q: Queryable,
  tenantId: string,
  opts: { driverId?: string; fromMs?: number },
): Promise<Array<TripSummary & { driverId: string }>> {
  const { rows } = await q.query<SummaryRow>(
    `SELECT t.id, t.driver_id, t.start_at, t.distance_m,
            (t.features->>'speedLimitsAvailable')::boolean AS limits,
            (t.features->>'nightShare')::float8 AS night_share, ${countCols}
       FROM trips t LEFT JOIN events e ON e.trip_id = t.id AND NOT e.voided
      WHERE t.tenant_id = $1 AND t.counted AND t.driver_id IS NOT NULL
        AND ($2::text IS NULL OR t.driver_id = $2) AND ($3::timestamptz IS NULL OR t.start_at >= $3)
      GROUP BY t.id ORDER BY t.start_at`,
    [tenantId, opts.driverId ?? null, opts.fromMs !== undefined ? new Date(opts.fromMs) : null],
  );
  return rows.map((r) => ({ ...toSummary(r), driverId: r.driver_id }));
}

export const windowStart = (nowMs: number): number => nowMs - WINDOW_DAYS * DAY_MS;

/** The driver's leaderboard alias, drawn at random the first time (never derived from who they are). */
export async function aliasFor(q: Queryable, tenantId: string, driverId: string): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const alias = `Driver ${randomBytes(3).toString('hex').toUpperCase()}`;
    const { rows } = await q
      .query<{ alias: string }>(
        `INSERT INTO leaderboard_optins (driver_id, tenant_id, alias) VALUES ($1, $2, $3)
         ON CONFLICT (driver_id) DO UPDATE SET alias = leaderboard_optins.alias RETURNING alias`,
        [driverId, tenantId, alias],
      )
      .catch((e: { code?: string }) => {
        if (e.code === '23505') return { rows: [] as Array<{ alias: string }> }; // alias taken: draw again
        throw e;
      });
    if (rows[0]) return rows[0].alias;
  }
  throw new Error('could not draw a free leaderboard alias');
}

/**
 * Joining the leaderboard is the driver's 'leaderboard' consent (src/services/privacy.ts), so withdrawing it on
 * the privacy page takes them off too. Leaving drops the alias: a later return gets a new one.
 */
export async function setLeaderboard(q: Queryable, tenantId: string, driverId: string, on: boolean) {
  await setConsents(q, tenantId, driverId, { leaderboard: on });
  if (on) return { optedIn: true, alias: await aliasFor(q, tenantId, driverId) };
  await q.query('DELETE FROM leaderboard_optins WHERE driver_id = $1 AND tenant_id = $2', [
    driverId,
    tenantId,
  ]);
  return { optedIn: false, alias: null };
}

/** Drivers who gave the leaderboard consent, with their aliases (drawn now for consents given elsewhere). */
export async function optins(q: Queryable, tenantId: string): Promise<Map<string, string>> {
  const { rows } = await q.query<{ driver_id: string; alias: string | null }>(
    `SELECT c.driver_id, a.alias FROM consents c LEFT JOIN leaderboard_optins a ON a.driver_id = c.driver_id
      WHERE c.tenant_id = $1 AND c.purpose = 'leaderboard' AND c.granted`,
    [tenantId],
  );
  const out = new Map<string, string>();
  for (const r of rows) out.set(r.driver_id, r.alias ?? (await aliasFor(q, tenantId, r.driver_id)));
  return out;
}
