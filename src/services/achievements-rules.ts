// Achievement rules, pure: badges, streaks, behaviour rates, the weakest behaviour with its tips, and leaderboard
// ranking, from summaries of counted trips with their non-voided event counts.

const DAY_MS = 86_400_000;
export const WINDOW_DAYS = 30;
/** Below this distance in the window, rates are noise: no weakest behaviour, no leaderboard rank. */
export const MIN_WINDOW_KM = 10;

export type Behaviour = 'braking' | 'acceleration' | 'cornering' | 'speeding' | 'phone' | 'fatigue' | 'night';
export const BEHAVIOURS: readonly Behaviour[] = [
  'braking',
  'acceleration',
  'cornering',
  'speeding',
  'phone',
  'fatigue',
  'night',
];
/** Event kinds counted under each behaviour (night is a share of distance, from trip features). */
export const KINDS: Readonly<Record<Exclude<Behaviour, 'night'>, readonly string[]>> = {
  braking: ['harsh_braking'],
  acceleration: ['harsh_acceleration'],
  cornering: ['harsh_cornering', 'harsh_lane_change'],
  speeding: ['speeding'],
  phone: ['phone_distraction', 'phone_call'],
  fatigue: ['fatigue'],
};
const LABELS: Readonly<Record<Behaviour, string>> = {
  braking: 'Harsh braking',
  acceleration: 'Harsh acceleration',
  cornering: 'Harsh cornering and lane changes',
  speeding: 'Speeding',
  phone: 'Phone use while driving',
  fatigue: 'Long stretches without a break',
  night: 'Night driving',
};
const TIPS: Readonly<Record<Behaviour, string>> = {
  braking: 'Leave a three-second gap to the car ahead: you will see slowdowns early and brake gently.',
  acceleration:
    'Pull away smoothly: take eight to ten seconds to reach cruising speed instead of three or four.',
  cornering: 'Slow down before a bend rather than in it, and signal and change lanes gradually.',
  speeding:
    'Watch for limit changes at town entries and when leaving fast roads; cruise control helps keep to them.',
  phone: 'Put the phone out of reach or turn on do-not-disturb while driving: every pick-up counts.',
  fatigue: 'Take a 15-minute break every two hours of driving.',
  night: 'Where you can, move trips to daylight: the same road carries more risk at night.',
};
/** The leaderboard ranks on these (fatigue and night are circumstances more than skill). */
const SCORED: readonly Behaviour[] = ['braking', 'acceleration', 'cornering', 'speeding', 'phone'];

export interface TripSummary {
  id: string;
  startMs: number;
  distanceM: number;
  /** Whether speed limits were known on the trip (a trip without them proves nothing about speeding). */
  limitsKnown: boolean;
  nightShare: number;
  counts: Record<Exclude<Behaviour, 'night'>, number>;
}

export interface Rates {
  distanceKm: number;
  /** Events per 100 km; night: share of distance (0–1). */
  rate: Record<Behaviour, number>;
}

export interface Badge {
  id: string;
  title: string;
  description: string;
  earned: boolean;
  earnedAtMs: number | null;
  progress: { current: number; target: number; unit: string };
}

export interface Streak {
  id: 'smooth_trips' | 'speed_compliant_trips' | 'phone_free_days';
  label: string;
  unit: 'trips' | 'days';
  current: number;
  best: number;
}

/** A run counter over a sequence: current run, best run, and when the run first reached each target. */
function runs<T>(items: readonly T[], ok: (x: T) => boolean | null, at: (x: T) => number, target: number) {
  let current = 0;
  let best = 0;
  let reachedAtMs: number | null = null;
  for (const x of items) {
    const good = ok(x);
    if (good === null) continue; // neither extends nor breaks the run
    current = good ? current + 1 : 0;
    best = Math.max(best, current);
    if (reachedAtMs === null && current >= target) reachedAtMs = at(x);
  }
  return { current, best, reachedAtMs };
}

const harsh = (t: TripSummary) => t.counts.braking + t.counts.acceleration + t.counts.cornering;
const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

/** Driving days (UTC) with whether any phone event happened on them, oldest first. */
function drivingDays(trips: readonly TripSummary[]) {
  const days = new Map<number, { day: number; phone: number }>();
  for (const t of trips) {
    const d = utcDay(t.startMs);
    const e = days.get(d) ?? { day: d, phone: 0 };
    e.phone += t.counts.phone;
    days.set(d, e);
  }
  return [...days.values()].sort((a, b) => a.day - b.day);
}

/** Badges and streaks from the driver's counted trips (any order). */
export function badgesAndStreaks(input: readonly TripSummary[]): { badges: Badge[]; streaks: Streak[] } {
  const trips = [...input].sort((a, b) => a.startMs - b.startMs);
  const smooth = runs(
    trips,
    (t) => harsh(t) === 0,
    (t) => t.startMs,
    10,
  );
  const compliant = runs(
    trips,
    (t) => (t.limitsKnown ? t.counts.speeding === 0 : null),
    (t) => t.startMs,
    10,
  );
  const days = drivingDays(trips);
  const phoneFree = runs(
    days,
    (d) => d.phone === 0,
    (d) => d.day * DAY_MS,
    7,
  );
  let km = 0;
  let at100: number | null = null;
  let at1000: number | null = null;
  for (const t of trips) {
    km += t.distanceM / 1000;
    if (at100 === null && km >= 100) at100 = t.startMs;
    if (at1000 === null && km >= 1000) at1000 = t.startMs;
  }
  const badge = (
    id: string,
    title: string,
    description: string,
    current: number,
    target: number,
    unit: string,
    earnedAtMs: number | null,
  ): Badge => ({
    id,
    title,
    description,
    earned: earnedAtMs !== null,
    earnedAtMs,
    progress: { current: Math.min(current, target), target, unit },
  });
  const kmRounded = Math.floor(km * 10) / 10;
  return {
    badges: [
      badge(
        'first_trip',
        'First trip',
        'Completed a counted trip.',
        trips.length,
        1,
        'trips',
        trips[0]?.startMs ?? null,
      ),
      badge('distance_100', '100 km', 'Drove 100 km of counted trips.', kmRounded, 100, 'km', at100),
      badge('distance_1000', '1,000 km', 'Drove 1,000 km of counted trips.', kmRounded, 1000, 'km', at1000),
      badge(
        'smooth_10',
        'Smooth operator',
        '10 trips in a row without harsh braking, acceleration or cornering.',
        smooth.best,
        10,
        'trips',
        smooth.reachedAtMs,
      ),
      badge(
        'limit_keeper_10',
        'Limit keeper',
        '10 trips in a row with known limits and no speeding.',
        compliant.best,
        10,
        'trips',
        compliant.reachedAtMs,
      ),
      badge(
        'phone_free_7',
        'Phone-free week',
        '7 driving days in a row without handling the phone.',
        phoneFree.best,
        7,
        'days',
        phoneFree.reachedAtMs,
      ),
    ],
    streaks: [
      {
        id: 'smooth_trips',
        label: 'Trips without harsh events',
        unit: 'trips',
        current: smooth.current,
        best: smooth.best,
      },
      {
        id: 'speed_compliant_trips',
        label: 'Trips without speeding (limits known)',
        unit: 'trips',
        current: compliant.current,
        best: compliant.best,
      },
      {
        id: 'phone_free_days',
        label: 'Driving days without phone use',
        unit: 'days',
        current: phoneFree.current,
        best: phoneFree.best,
      },
    ],
  };
}

/** Event rates over a set of trips. */
export function ratesOf(trips: readonly TripSummary[]): Rates {
  let m = 0;
  let nightM = 0;
  const n = { braking: 0, acceleration: 0, cornering: 0, speeding: 0, phone: 0, fatigue: 0 };
  for (const t of trips) {
    m += t.distanceM;
    nightM += t.distanceM * t.nightShare;
    for (const k of Object.keys(n) as Array<keyof typeof n>) n[k] += t.counts[k];
  }
  const per100 = (c: number) => (m > 0 ? (c / m) * 100_000 : 0);
  return {
    distanceKm: m / 1000,
    rate: {
      braking: per100(n.braking),
      acceleration: per100(n.acceleration),
      cornering: per100(n.cornering),
      speeding: per100(n.speeding),
      phone: per100(n.phone),
      fatigue: per100(n.fatigue),
      night: m > 0 ? nightM / m : 0,
    },
  };
}

/** Behaviours ordered weakest first: the driver's rate relative to the tenant's; only those above zero. */
export function weakestFirst(driver: Rates, tenant: Rates): Behaviour[] {
  if (driver.distanceKm < MIN_WINDOW_KM) return [];
  const ratio = (b: Behaviour) => driver.rate[b] / Math.max(tenant.rate[b], 1e-6);
  return BEHAVIOURS.filter((b) => driver.rate[b] > 0).sort((a, b) => ratio(b) - ratio(a));
}

export const scoredEventsPer100Km = (r: Rates): number => SCORED.reduce((s, b) => s + r.rate[b], 0);

export function tipsFor(order: readonly Behaviour[]) {
  return order.slice(0, 3).map((b) => ({ behaviour: b, label: LABELS[b], text: TIPS[b] }));
}

export const behaviourLabel = (b: Behaviour): string => LABELS[b];

export interface LeaderboardEntry {
  rank: number;
  alias: string;
  eventsPer100Km: number;
  distanceKm: number;
  driverId: string;
}

/** Opted-in drivers with enough distance in the window, fewest scored events per 100 km first. */
export function rankLeaderboard(
  trips: ReadonlyArray<TripSummary & { driverId: string }>,
  aliases: ReadonlyMap<string, string>,
): LeaderboardEntry[] {
  const byDriver = new Map<string, TripSummary[]>();
  for (const t of trips) {
    if (!aliases.has(t.driverId)) continue;
    const list = byDriver.get(t.driverId) ?? [];
    list.push(t);
    byDriver.set(t.driverId, list);
  }
  const rows = [...byDriver.entries()]
    .map(([driverId, list]) => ({ driverId, r: ratesOf(list) }))
    .filter((x) => x.r.distanceKm >= MIN_WINDOW_KM)
    .map((x) => ({
      driverId: x.driverId,
      alias: aliases.get(x.driverId)!,
      eventsPer100Km: scoredEventsPer100Km(x.r),
      distanceKm: x.r.distanceKm,
    }))
    .sort((a, b) => a.eventsPer100Km - b.eventsPer100Km || b.distanceKm - a.distanceKm);
  // Ties share a rank (1, 2, 2, 4).
  let rank = 0;
  return rows.map((x, i) => {
    if (i === 0 || x.eventsPer100Km !== rows[i - 1]!.eventsPer100Km) rank = i + 1;
    return { rank, ...x };
  });
}
