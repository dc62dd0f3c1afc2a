import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  badgesAndStreaks,
  rankLeaderboard,
  ratesOf,
  type TripSummary,
  tipsFor,
  weakestFirst,
} from './achievements-rules.ts';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 8);
const none = { braking: 0, acceleration: 0, cornering: 0, speeding: 0, phone: 0, fatigue: 0 };

function trip(
  i: number,
  over: Partial<Omit<TripSummary, 'counts'>> & { counts?: Partial<TripSummary['counts']> } = {},
) {
  const { counts, ...rest } = over;
  return {
    id: `t${i}`,
    startMs: T0 + i * 3_600_000,
    distanceM: 10_000,
    limitsKnown: true,
    nightShare: 0,
    ...rest,
    counts: { ...none, ...counts },
  } satisfies TripSummary;
}

const streak = (r: ReturnType<typeof badgesAndStreaks>, id: string) => r.streaks.find((s) => s.id === id)!;
const badge = (r: ReturnType<typeof badgesAndStreaks>, id: string) => r.badges.find((b) => b.id === id)!;

describe('achievement badges and streaks', () => {
  test('a harsh event breaks the smooth-trip streak; the best run is kept', () => {
    const trips = [0, 1, 2, 3].map((i) => trip(i)).concat([trip(4, { counts: { braking: 1 } }), trip(5)]);
    const r = badgesAndStreaks(trips.reverse());
    assert.deepEqual(
      { current: streak(r, 'smooth_trips').current, best: streak(r, 'smooth_trips').best },
      {
        current: 1,
        best: 4,
      },
    );
    assert.equal(badge(r, 'smooth_10').earned, false);
    assert.deepEqual(badge(r, 'smooth_10').progress, { current: 4, target: 10, unit: 'trips' });
  });

  test('trips without known limits neither extend nor break the speed-compliance streak', () => {
    const trips = Array.from({ length: 12 }, (_, i) => trip(i, { limitsKnown: i % 2 === 0 }));
    const r = badgesAndStreaks(trips);
    assert.equal(streak(r, 'speed_compliant_trips').current, 6);
    const withSpeeding = [...trips, trip(12, { counts: { speeding: 2 } })];
    assert.equal(streak(badgesAndStreaks(withSpeeding), 'speed_compliant_trips').current, 0);
  });

  test('phone-free days count driving days; a day with phone use resets the run', () => {
    const days = Array.from({ length: 9 }, (_, d) =>
      trip(d, { startMs: T0 + d * 2 * DAY_MS, counts: { phone: d === 1 ? 1 : 0 } }),
    );
    const r = badgesAndStreaks(days);
    assert.equal(streak(r, 'phone_free_days').current, 7);
    assert.equal(badge(r, 'phone_free_7').earned, true);
    assert.equal(badge(r, 'phone_free_7').earnedAtMs, Math.floor(days[8]!.startMs / DAY_MS) * DAY_MS);
  });

  test('distance badges are earned on the trip that crosses the mark', () => {
    const trips = Array.from({ length: 11 }, (_, i) => trip(i));
    const r = badgesAndStreaks(trips);
    assert.equal(badge(r, 'distance_100').earnedAtMs, trips[9]!.startMs);
    assert.equal(badge(r, 'distance_1000').earned, false);
    assert.equal(badge(r, 'first_trip').earnedAtMs, trips[0]!.startMs);
    assert.equal(
      badgesAndStreaks([]).badges.some((b) => b.earned),
      false,
    );
  });
});

describe('weakest behaviour and tips', () => {
  test('the behaviour furthest above the tenant rate comes first', () => {
    const driver = ratesOf([trip(0, { distanceM: 50_000, counts: { braking: 2, speeding: 1 } })]);
    const tenant = ratesOf([trip(1, { distanceM: 1_000_000, counts: { braking: 40, speeding: 2 } })]);
    // braking 4 vs 4 per 100 km (ratio 1); speeding 2 vs 0.2 (ratio 10)
    assert.deepEqual(weakestFirst(driver, tenant), ['speeding', 'braking']);
    assert.equal(tipsFor(['speeding'])[0]!.behaviour, 'speeding');
  });

  test('no weakest behaviour below the minimum distance or without events', () => {
    const tenant = ratesOf([trip(1, { counts: { braking: 1 } })]);
    assert.deepEqual(
      weakestFirst(ratesOf([trip(0, { distanceM: 5_000, counts: { phone: 3 } })]), tenant),
      [],
    );
    assert.deepEqual(weakestFirst(ratesOf([trip(0, { distanceM: 50_000 })]), tenant), []);
  });
});

describe('leaderboard', () => {
  test('only opted-in drivers with enough distance, fewest events first, ties share a rank', () => {
    const t = (driverId: string, events: number, distanceM = 20_000) => ({
      ...trip(0, { distanceM, counts: { braking: events } }),
      driverId,
    });
    const aliases = new Map([
      ['a', 'Driver AAA'],
      ['b', 'Driver BBB'],
      ['c', 'Driver CCC'],
      ['short', 'Driver SSS'],
    ]);
    const board = rankLeaderboard(
      [t('a', 2), t('b', 0), t('c', 2), t('hidden', 0), t('short', 0, 5_000)],
      aliases,
    );
    assert.deepEqual(
      board.map((e) => [e.alias, e.rank]),
      [
        ['Driver BBB', 1],
        ['Driver AAA', 2],
        ['Driver CCC', 2],
      ],
    );
  });
});
