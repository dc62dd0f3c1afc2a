import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveRules } from './jurisdictions.ts';
import { RatingPlanSchema } from './schema.ts';
import { examplePerMilePlan, examplePhydPlan, mustValidate } from './test-support.ts';
import { planFor, validatePlan, validatePlanSet } from './validate.ts';

const codes = (r: ReturnType<typeof validatePlan>) =>
  r.ok ? [] : r.error.violations.map((v) => v.code).sort();

describe('rating plan validation', () => {
  test('accepts the example plans and freezes them', () => {
    const plan = mustValidate(examplePhydPlan());
    assert.equal(plan.key, 'fr-motor-phyd@1');
    assert.equal(plan.factorMin, 0.7);
    assert.equal(plan.factorMax, 1.2);
    assert.ok(Object.isFrozen(plan.plan.classicFactors[0]!.levels));
    assert.ok(mustValidate(examplePerMilePlan()));
  });

  test('loads a plan from JSON text (files and the API)', () => {
    const r = validatePlan(JSON.parse(JSON.stringify(examplePhydPlan())));
    assert.ok(r.ok);
    assert.equal(RatingPlanSchema.type, 'object');
  });

  test('reports every violation at once', () => {
    const plan = examplePhydPlan() as Record<string, unknown> & ReturnType<typeof examplePhydPlan>;
    plan.jurisdiction = 'US-CA';
    plan.baseMonthlyCents = -5; // schema
    plan.effectiveTo = '2024-06-31'; // not a date
    plan.classicFactors.push(
      { name: 'driverGender', label: 'Gender', levels: [{ code: 'f', relativity: 1 }] },
      { name: 'ins_score', label: 'Credit-based insurance score', levels: [{ code: 'x', relativity: 1 }] },
      {
        name: 'territory',
        label: 'Territory again',
        levels: [
          { code: 'A', relativity: 1 },
          { code: 'A', relativity: 2 },
        ],
      },
    );
    plan.telematics!.typicalBehaviour.nightShare = 1.5;
    const r = validatePlan(plan);
    assert.equal(r.ok, false);
    assert.deepEqual(codes(r), [
      'banned_factor',
      'banned_factor',
      'behaviour_not_allowed',
      'duplicate_factor',
      'duplicate_level',
      'invalid_date',
      'schema',
      'share_above_one',
    ]);
    if (!r.ok) {
      assert.match(r.error.message, /^8 problems in plan/);
      const gender = r.error.violations.find((v) => v.field === '/classicFactors/3');
      assert.match(gender!.message, /gender, which may not be a rating factor in US-CA/);
    }
  });

  test('gender is banned in the EU but a credit score is not; both are banned in California', () => {
    const withFactor = (jurisdiction: string, name: string, label: string) => {
      const plan = examplePhydPlan();
      plan.jurisdiction = jurisdiction;
      if (jurisdiction.startsWith('US')) delete (plan as { telematics?: unknown }).telematics;
      plan.classicFactors.push({ name, label, levels: [{ code: 'a', relativity: 1 }] });
      return codes(validatePlan(plan));
    };
    assert.deepEqual(withFactor('FR', 'sex', 'Sex'), ['banned_factor']);
    assert.deepEqual(withFactor('FR', 'creditScore', 'Credit score'), []);
    assert.deepEqual(withFactor('US-TX', 'creditScore', 'Credit score'), []);
    assert.deepEqual(withFactor('US-CA', 'creditScore', 'Credit score'), ['banned_factor']);
    assert.deepEqual(withFactor('US-TX', 'driverGender', 'Driver'), []);
    assert.deepEqual(withFactor('US-MA', 'driverGender', 'Driver'), ['banned_factor']);
  });

  test('protected attributes are banned everywhere, matched by word, not by substring', () => {
    const plan = examplePhydPlan();
    plan.jurisdiction = 'AD';
    plan.classicFactors.push(
      { name: 'ethnicGroup', label: 'Group', levels: [{ code: 'a', relativity: 1 }] },
      { name: 'sexualOrientation', label: 'x', levels: [{ code: 'a', relativity: 1 }] },
      { name: 'essexZone', label: 'Essex zone', levels: [{ code: 'a', relativity: 1 }] },
    );
    const r = validatePlan(plan);
    assert.deepEqual(codes(r), ['banned_factor', 'banned_factor']);
    if (!r.ok) assert.match(r.error.violations[1]!.message, /sexualOrientation/);
    assert.deepEqual(resolveRules('AD')!.banned.includes('race'), true);
  });

  test('refuses an unknown jurisdiction and behaviour pricing in a mileage-only one', () => {
    const unknown = examplePhydPlan();
    unknown.jurisdiction = 'ZZ';
    assert.deepEqual(codes(validatePlan(unknown)), ['unknown_jurisdiction']);
    const ca = examplePhydPlan();
    ca.jurisdiction = 'US-CA';
    assert.deepEqual(codes(validatePlan(ca)), ['behaviour_not_allowed']);
  });

  test('rejects input that is not a plan at all with schema violations', () => {
    const r = validatePlan('nope');
    assert.equal(r.ok, false);
    assert.ok(codes(r).every((c) => c === 'schema'));
  });
});

describe('plan selection', () => {
  const v1 = mustValidate({ ...examplePhydPlan(), effectiveTo: '2026-01-01' });
  const v2 = mustValidate({ ...examplePhydPlan(), version: 2, effectiveFrom: '2025-07-01' });
  const us = mustValidate(examplePerMilePlan());
  const plans = [v1, v2, us];

  test('picks the plan in force for the jurisdiction and date, latest start first', () => {
    const at = (d: string) => planFor(plans, 'FR', Date.parse(`${d}T12:00:00Z`));
    assert.equal((at('2025-03-01') as { value: { key: string } }).value.key, 'fr-motor-phyd@1');
    assert.equal((at('2025-07-01') as { value: { key: string } }).value.key, 'fr-motor-phyd@2');
    assert.equal((at('2027-01-01') as { value: { key: string } }).value.key, 'fr-motor-phyd@2');
    const none = at('2024-12-31');
    assert.equal(none.ok, false);
    if (!none.ok) assert.match(none.error.message, /no rating plan in force for FR on 2024-12-31/);
    const ca = planFor(plans, 'US-CA', Date.parse('2025-05-05'));
    assert.ok(ca.ok && ca.value.key === 'us-ca-per-mile@1');
  });

  test('flags two plans that would be chosen on equal terms', () => {
    const twin = mustValidate({ ...examplePhydPlan(), id: 'fr-other' });
    assert.deepEqual(validatePlanSet(plans), []);
    assert.deepEqual(
      validatePlanSet([v1, twin]).map((v) => v.code),
      ['ambiguous_plans'],
    );
  });
});
