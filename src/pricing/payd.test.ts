import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { driverTerms, monthlyStatement, planTerms, statementSummary, type PaydTerms } from './payd.ts';
import { quote } from './quote.ts';
import { MODEL } from './test-arbitraries.ts';
import { examplePerMilePlan, examplePhydPlan, mustValidate, TYPICAL } from './test-support.ts';
import type { DailyDistance } from './types.ts';

const MILE = 1609.344;
const perMile = mustValidate(examplePerMilePlan());
const usd = planTerms(perMile)!;
const kmTerms: PaydTerms = {
  currency: 'EUR',
  distanceUnit: 'km',
  monthlyBaseCents: 2500,
  ratePerUnitMillicents: 2000,
  dailyCapUnits: 400,
};
const statement = (days: DailyDistance[], terms = usd, month = '2025-03') => {
  const r = monthlyStatement({ policyId: 'pol-1', planKey: perMile.key, month, terms, days });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('PAYD monthly statements', () => {
  test('the published example: $30 base + 500 miles × 3.2¢ = $46', () => {
    const days = Array.from({ length: 20 }, (_, i) => ({
      date: `2025-03-${String(i + 1).padStart(2, '0')}`,
      distanceM: 25 * MILE,
    }));
    const s = statement(days);
    assert.equal(s.totalCents, 4600);
    assert.deepEqual(
      s.lines.map((l) => [l.kind, l.amountCents]),
      [
        ['base', 3000],
        ['distance', 1600],
      ],
    );
    assert.equal(s.billedUnits, 500);
    assert.equal(s.distanceM, 804_672);
    assert.equal(s.daysInMonth, 31);
    assert.equal(s.drivingDays, 20);
    assert.equal(statementSummary(s), '$46.00: $30.00 base + $16.00 for 500.000 mi');
  });

  test('caps each day at 250 miles and says how much went unbilled', () => {
    const s = statement([
      { date: '2025-03-01', distanceM: 300 * MILE },
      { date: '2025-03-02', distanceM: 200 * MILE },
    ]);
    assert.equal(s.cappedDays, 1);
    assert.equal(s.billedUnits, 450);
    assert.equal(s.totalCents, 3000 + 1440);
    assert.equal(s.lines[2]!.kind, 'overCap');
    assert.match(s.lines[2]!.description, /^50\.000 mi above the daily cap of 250 mi/);
    assert.equal(s.days[0]!.billedDistanceM, 250 * MILE);
  });

  test('a km plan bills miles converted exactly (1 mi = 1609.344 m)', () => {
    // 500 mi = 804.672 km × 2¢ = 1609.344¢ → 1609¢; 400 km daily cap = 248.5 mi.
    const s = statement([{ date: '2025-03-05', distanceM: 500 * MILE }], kmTerms);
    assert.equal(s.billedDistanceM, 400_000);
    const t = statement(
      Array.from({ length: 5 }, (_, i) => ({ date: `2025-03-1${i}`, distanceM: 100 * MILE })),
      kmTerms,
    );
    assert.equal(t.billedDistanceM, 804_672);
    assert.equal(t.lines[1]!.amountCents, 1609);
  });

  test('rounds the distance charge half to even, once', () => {
    // 0.5 km × 1¢ = 0.5¢ → 0; 1.5 km → 2¢; 2.5 km → 2¢.
    const t = { ...kmTerms, ratePerUnitMillicents: 1000 };
    const cents = (m: number) => statement([{ date: '2025-03-01', distanceM: m }], t).lines[1]!.amountCents;
    assert.deepEqual([cents(500), cents(1500), cents(2500)], [0, 2, 2]);
  });

  test('same inputs in any order or split give the same statement and id; other inputs another id', () => {
    const entry = fc.record({
      day: fc.integer({ min: 1, max: 28 }),
      m: fc.integer({ min: 0, max: 600_000 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), fc.integer(), (entries, seed) => {
        const days = entries.map((e) => ({
          date: `2025-03-${String(e.day).padStart(2, '0')}`,
          distanceM: e.m,
        }));
        const shuffled = [...days].sort(
          (a, b) => ((a.distanceM * 31 + seed) % 7) - ((b.distanceM * 31 + seed) % 7),
        );
        const split = shuffled.flatMap((d) => [
          { date: d.date, distanceM: Math.floor(d.distanceM / 2) },
          { date: d.date, distanceM: d.distanceM - Math.floor(d.distanceM / 2) },
        ]);
        const a = statement(days);
        assert.deepEqual(statement(shuffled), a);
        assert.deepEqual(statement(split), a);
        const more = statement([...days, { date: '2025-03-30', distanceM: 1 }]);
        assert.notEqual(more.id, a.id);
      }),
      { numRuns: 200 },
    );
  });

  test('ignores days outside the month and rejects malformed entries', () => {
    const s = statement([
      { date: '2025-02-28', distanceM: 5000 },
      { date: '2025-04-01', distanceM: 5000 },
    ]);
    assert.equal(s.distanceM, 0);
    assert.equal(s.totalCents, 3000);
    const bad = monthlyStatement({ policyId: 'p', planKey: 'k', month: '2025-13', terms: usd, days: [] });
    assert.ok(!bad.ok && bad.error.field === 'month');
    const neg = monthlyStatement({
      policyId: 'p',
      planKey: 'k',
      month: '2025-03',
      terms: usd,
      days: [{ date: '2025-03-01', distanceM: -1 }],
    });
    assert.ok(!neg.ok && neg.error.field === 'days.0.distanceM');
  });

  test("a rated driver's terms scale base and rate by the quote's multiplier", () => {
    const plan = mustValidate({
      ...examplePhydPlan(),
      distance: { ratePerUnitMillicents: 2000, dailyCapUnits: 400 },
    });
    const q = quote(
      plan,
      {
        driverId: 'd',
        ratingLevels: { ageBand: '18-24', territory: 'B', vehiclePower: 'mid' },
        risk: { classicFrequency: 0.1, behaviourFrequency: 0.1, exposureKm: 0, behaviour: TYPICAL },
        projectedMonthlyKm: 0,
        enrolled: true,
      },
      { model: MODEL },
    );
    assert.ok(q.ok);
    if (!q.ok) return;
    // 1.8 (age) × 1 × 0.95 (enrollment) = 1.71
    assert.deepEqual(driverTerms(plan, q.value), {
      currency: 'EUR',
      distanceUnit: 'km',
      monthlyBaseCents: 6840,
      ratePerUnitMillicents: 3420,
      dailyCapUnits: 400,
    });
    assert.equal(planTerms(mustValidate(examplePhydPlan())), null);
  });
});
