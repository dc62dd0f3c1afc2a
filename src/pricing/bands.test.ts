import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { declaredAnnualKm, ratingLevels, validateBands } from './bands.ts';
import { DEFAULT_BANDS, defaultPlan, PRODUCTS } from './defaults.ts';
import { DEFAULT_RULE_PACKS } from './jurisdictions.ts';
import { planTerms } from './payd.ts';
import { quote } from './quote.ts';
import { validatePlan } from './validate.ts';

const compiled = (jurisdiction: string, product: 'payd' | 'phyd' | 'classic') => {
  const d = defaultPlan(jurisdiction, product)!;
  const p = validatePlan(d.plan);
  assert.ok(p.ok, p.ok ? '' : p.error.message);
  return { plan: p.value, bands: d.bands };
};

const POLICY = { driverAge: 34, vehiclePowerKw: 80, vehicleAgeYears: 5, territory: 'C', annualKm: 12000 };

describe('default plans', () => {
  test('every default plan of every rule-pack jurisdiction validates, with valid bands', () => {
    for (const pack of DEFAULT_RULE_PACKS) {
      if (pack.code === 'GLOBAL' || pack.code === 'EU') continue;
      for (const product of PRODUCTS) {
        const { plan, bands } = compiled(pack.code, product);
        const b = validateBands(plan, bands);
        assert.ok(b.ok, `${pack.code}/${product}: ${b.ok ? '' : b.error.message}`);
      }
    }
  });

  test('a mileage-only jurisdiction gets no behaviour section even for PHYD', () => {
    assert.equal(defaultPlan('US-CA', 'phyd')!.plan.telematics, undefined);
    assert.ok(defaultPlan('US-TX', 'phyd')!.plan.telematics);
    assert.equal(defaultPlan('XX', 'phyd'), null);
  });

  test('products: PAYD bills distance with a daily cap, PHYD prices behaviour with an enrollment discount', () => {
    const payd = compiled('AD', 'payd').plan;
    assert.deepEqual(planTerms(payd), {
      currency: 'EUR',
      distanceUnit: 'km',
      monthlyBaseCents: 1000,
      ratePerUnitMillicents: 1500,
      dailyCapUnits: 400,
    });
    assert.equal(compiled('US-TX', 'payd').plan.plan.distance?.dailyCapUnits, 250);
    const phyd = compiled('FR', 'phyd').plan.plan;
    assert.equal(phyd.telematics?.maxDiscountBp, 3000);
    assert.equal(phyd.telematics?.maxSurchargeBp, 2000);
    assert.equal(phyd.enrollmentDiscountBp, 500);
    assert.equal(compiled('FR', 'classic').plan.plan.enrollmentDiscountBp, 0);
  });

  test('PAYD at the declared 1,000 km a month costs what the classic plan costs: €25 at reference levels', () => {
    const reference = { driverAge: 50, vehiclePowerKw: 60, vehicleAgeYears: 5, territory: 'C' };
    for (const product of ['payd', 'classic'] as const) {
      const { plan, bands } = compiled('AD', product);
      const levels = ratingLevels(plan, bands, reference);
      assert.ok(levels.ok);
      const risk = {
        classicFrequency: 0.1,
        behaviourFrequency: 0.1,
        exposureKm: 0,
        behaviour: plan.plan.telematics?.typicalBehaviour ?? {
          harshBrakingPer100Km: 0,
          harshAccelerationPer100Km: 0,
          harshCorneringPer100Km: 0,
          speedingShare: 0,
          phoneUseSecPerHour: 0,
          nightShare: 0,
        },
      };
      const q = quote(
        plan,
        { driverId: 'd', ratingLevels: levels.value, risk, projectedMonthlyKm: 1000, enrolled: false },
        { model: () => 1 },
      );
      assert.ok(q.ok);
      assert.equal(q.value.premiumCents, 2500, product);
    }
  });
});

describe('rating levels from policy factors', () => {
  const { plan, bands } = compiled('FR', 'phyd');

  test('bands numbers into ranges (upper bounds exclusive) and passes codes through', () => {
    const r = ratingLevels(plan, bands, POLICY);
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      ageBand: '25-39',
      vehiclePower: '80-110kw',
      vehicleAge: '3-9',
      territory: 'C',
    });
    const edge = ratingLevels(plan, bands, {
      ...POLICY,
      driverAge: 25,
      vehiclePowerKw: 79.9,
      vehicleAgeYears: 10,
    });
    assert.ok(edge.ok);
    assert.equal(edge.value.ageBand, '25-39');
    assert.equal(edge.value.vehiclePower, '55-80kw');
    assert.equal(edge.value.vehicleAge, '10-plus');
    const young = ratingLevels(plan, bands, { ...POLICY, driverAge: 17 });
    assert.ok(young.ok);
    assert.equal(young.value.ageBand, '18-24');
  });

  test('refuses a protected attribute, by any spelling, even when the plan does not use it', () => {
    for (const key of ['gender', 'driverSex', 'ethnicity', 'religion', 'creditScore']) {
      const r = ratingLevels(plan, bands, { ...POLICY, [key]: 'x' });
      if (key === 'creditScore') {
        assert.ok(r.ok, 'credit score is not banned in FR');
        continue;
      }
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'protected_attribute');
      assert.equal(r.error.field, `ratingFactors.${key}`);
    }
    const ca = compiled('US-CA', 'payd');
    const credit = ratingLevels(ca.plan, ca.bands, { ...POLICY, creditScore: 700 });
    assert.ok(!credit.ok && credit.error.code === 'protected_attribute');
  });

  test('names a missing, ill-typed or unknown input', () => {
    const { driverAge: _, ...noAge } = POLICY;
    const missing = ratingLevels(plan, bands, noAge);
    assert.ok(!missing.ok && missing.error.code === 'missing_rating_factor');
    const typed = ratingLevels(plan, bands, { ...POLICY, driverAge: 'old' });
    assert.ok(!typed.ok && typed.error.field === 'ratingFactors.driverAge');
    const unknown = ratingLevels(plan, bands, { ...POLICY, territory: 'Z' });
    assert.ok(!unknown.ok && unknown.error.code === 'invalid_rating_factor');
    assert.match(unknown.error.message, /A, B, C, D, E, F/);
  });

  test('the declared annual km is read only when the bands name it', () => {
    assert.equal(declaredAnnualKm(bands, POLICY), 12000);
    assert.equal(declaredAnnualKm({ ...bands, annualKmInput: undefined } as never, POLICY), null);
    assert.equal(declaredAnnualKm(bands, { ...POLICY, annualKm: -1 }), null);
  });
});

describe('band validation', () => {
  const { plan } = compiled('FR', 'phyd');

  test('lists every problem at once', () => {
    const bad = {
      factors: [
        DEFAULT_BANDS.factors[0],
        DEFAULT_BANDS.factors[0],
        {
          factor: 'vehiclePower',
          input: 'vehicleSex',
          kind: 'ranges',
          ranges: [
            { below: 100, code: 'nope' },
            { below: 50, code: '55-80kw' },
            { below: null, code: '110kw-plus' },
          ],
        },
        { factor: 'colour', input: 'colour', kind: 'codes' },
      ],
    };
    const r = validateBands(plan, bad);
    assert.ok(!r.ok);
    const codes = r.error.violations.map((v) => v.code).sort();
    assert.deepEqual(codes, [
      'banned_factor',
      'duplicate_factor',
      'factor_not_banded',
      'factor_not_banded',
      'ranges_not_increasing',
      'unknown_factor',
      'unknown_level',
    ]);
  });

  test('rejects a shape that is not bands', () => {
    const r = validateBands(plan, { factors: [{ factor: 'ageBand', kind: 'ranges' }] });
    assert.ok(!r.ok && r.error.violations.every((v) => v.code === 'schema'));
  });
});
