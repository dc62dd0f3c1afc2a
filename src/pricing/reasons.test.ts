import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type Quote, quote } from './quote.ts';
import { explainChange } from './reasons.ts';
import { MODEL, phydInputArb } from './test-arbitraries.ts';
import { examplePhydPlan, mustValidate, TYPICAL } from './test-support.ts';
import type { QuoteInput } from './types.ts';
import type { PricingPlan } from './plan.ts';
import { applyChanges } from './whatif.ts';

const plan = mustValidate(examplePhydPlan());
const must = (input: QuoteInput, p: PricingPlan = plan, explain = true): Quote => {
  const r = quote(p, input, { model: MODEL, explain });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const base: QuoteInput = {
  driverId: 'd1',
  ratingLevels: { ageBand: '25-39', territory: 'B', vehiclePower: 'mid' },
  risk: { classicFrequency: 0.1, behaviourFrequency: 0.1, exposureKm: 6000, behaviour: TYPICAL },
  projectedMonthlyKm: 800,
  enrolled: true,
};

describe('explaining a change from the previous quote', () => {
  test('step effects add up exactly to the premium change, under any two quotes', () => {
    fc.assert(
      fc.property(phydInputArb, phydInputArb, fc.boolean(), fc.boolean(), (a, b, ea, eb) => {
        const prev = must(a, plan, ea);
        const curr = must(b, plan, eb);
        const e = explainChange(prev, curr);
        assert.equal(e.changeCents, curr.premiumCents - prev.premiumCents);
        assert.equal(
          e.items.reduce((s, i) => s + i.cents, 0),
          e.changeCents,
        );
        assert.ok(e.reasons.length <= 4 && e.reasons.every((r) => r.cents > 0));
      }),
      { numRuns: 300 },
    );
  });

  test('a territory move is the only reason when nothing else changed', () => {
    const prev = must(base);
    const curr = must({ ...base, ratingLevels: { ...base.ratingLevels, territory: 'C' } });
    const e = explainChange(prev, curr);
    assert.deepEqual(
      e.items.filter((i) => i.cents !== 0).map((i) => i.key),
      ['territory'],
    );
    assert.equal(e.reasons.length, 1);
    assert.match(
      e.reasons[0]!.text,
      /^Territory: C \(urban\) \(was B \(suburban\)\) — adds €\d+\.\d\d a month$/,
    );
  });

  test('worse braking and a higher base rate in a new plan version are both named, largest first', () => {
    const v2 = mustValidate({ ...examplePhydPlan(), version: 2, baseMonthlyCents: 4400 });
    const prev = must(base);
    const worse = applyChanges(base, [{ kind: 'set', behaviour: 'harshBrakingPer100Km', value: 6 }], MODEL);
    const curr = must(worse, v2);
    const e = explainChange(prev, curr);
    assert.deepEqual(e.reasons.map((r) => r.key).sort(), ['base', 'harshBrakingPer100Km']);
    const braking = e.reasons.find((r) => r.key === 'harshBrakingPer100Km')!;
    assert.match(braking.text, /^Harsh braking: 6\.0 per 100 km \(was 1\.2\) — adds €/);
    assert.match(
      e.reasons.find((r) => r.key === 'base')!.text,
      /^Base rate: €44\.00 a month \(was €40\.00\)/,
    );
  });

  test('losing the enrollment discount is a reason', () => {
    const e = explainChange(must(base), must({ ...base, enrolled: false }));
    assert.ok(e.reasons.some((r) => r.key === 'enrollment' && /no longer applies/.test(r.text)));
  });
});
