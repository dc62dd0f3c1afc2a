import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BehaviourProfile } from './behaviour.ts';
import { smoothBehaviour, smoothingFor } from './smoothing.ts';
import { examplePerMilePlan, examplePhydPlan, mustValidate, TYPICAL } from './test-support.ts';
import type { TripBehaviour } from './types.ts';

const DAY = 86_400_000;
const asOf = Date.UTC(2025, 5, 30);
const trip = (daysAgo: number, km: number, hours: number, b: Partial<BehaviourProfile>): TripBehaviour => ({
  startMs: asOf - daysAgo * DAY - hours * 3_600_000,
  endMs: asOf - daysAgo * DAY,
  distanceM: km * 1000,
  behaviour: { ...TYPICAL, ...b },
});

describe('rating window smoothing', () => {
  test('no trips in the window gives no profile and zero exposure (neutral price)', () => {
    const r = smoothBehaviour([trip(120, 50, 1, {})], asOf, { windowDays: 90, halfLifeDays: 30 });
    assert.deepEqual(r, { profile: null, exposureKm: 0, rawDistanceKm: 0, trips: 0 });
  });

  test('a plain window weights per-km rates by distance and per-hour rates by time', () => {
    const trips = [
      trip(1, 100, 1, { harshBrakingPer100Km: 1, phoneUseSecPerHour: 0 }),
      trip(2, 300, 4, { harshBrakingPer100Km: 5, phoneUseSecPerHour: 100 }),
      trip(-1, 999, 1, { harshBrakingPer100Km: 99 }), // in the future: ignored
      trip(91, 999, 1, { harshBrakingPer100Km: 99 }), // before the window: ignored
    ];
    const r = smoothBehaviour(trips, asOf, { windowDays: 90, halfLifeDays: null });
    assert.equal(r.trips, 2);
    assert.equal(r.exposureKm, 400);
    assert.equal(r.profile!.harshBrakingPer100Km, (100 * 1 + 300 * 5) / 400);
    assert.equal(r.profile!.phoneUseSecPerHour, (4 * 100) / 5);
  });

  test('exponential decay halves the weight of a trip one half-life older', () => {
    const trips = [trip(0, 100, 1, { nightShare: 0 }), trip(30, 100, 1, { nightShare: 1 })];
    const r = smoothBehaviour(trips, asOf, { windowDays: 90, halfLifeDays: 30 });
    assert.ok(Math.abs(r.profile!.nightShare - 1 / 3) < 1e-12);
    assert.ok(Math.abs(r.exposureKm - 150) < 1e-9);
    assert.equal(r.rawDistanceKm, 200);
  });

  test("takes the window from the plan's telematics section", () => {
    const plan = examplePhydPlan();
    plan.telematics = { ...plan.telematics!, windowDays: 60, halfLifeDays: null };
    assert.deepEqual(smoothingFor(mustValidate(plan)), { windowDays: 60, halfLifeDays: null });
    assert.deepEqual(smoothingFor(mustValidate(examplePerMilePlan())), { windowDays: 90, halfLifeDays: 30 });
  });
});
