import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fairnessReport, monotonicityReport } from './fairness.ts';
import { quoteBatch } from './quote.ts';
import {
  examplePhydPlan,
  logLinearModel,
  mustValidate,
  prng,
  simulatedDriver,
  TEST_BETA,
} from './test-support.ts';

const plan = mustValidate(examplePhydPlan());
const model = logLinearModel();
const rand = prng(42);
const inputs = Array.from({ length: 400 }, (_, i) => simulatedDriver(rand, i, model));

describe('fairness report', () => {
  test('groups premiums by caller-supplied labels with ratios to the portfolio and impact ratios', () => {
    const { quotes, errors } = quoteBatch(plan, inputs, { model });
    assert.deepEqual(errors, []);
    const rows = quotes.map((q) => ({
      quote: q,
      groups: { ageBand: q.input.ratingLevels['ageBand']!, territory: q.input.ratingLevels['territory']! },
    }));
    const r = fairnessReport(rows, ['ageBand', 'territory']);
    assert.equal(r.drivers, 400);
    const age = r.dimensions[0]!;
    assert.deepEqual(
      age.groups.map((g) => g.group),
      ['18-24', '25-39', '40-64', '65+'],
    );
    assert.equal(
      age.groups.reduce((s, g) => s + g.drivers, 0),
      400,
    );
    // The young pay the 1.8 relativity: their mean premium is well above the portfolio's.
    const young = age.groups[0]!;
    assert.ok(young.premiumRatio > 1.3);
    const weighted = age.groups.reduce((s, g) => s + g.meanPremiumCents * g.drivers, 0) / 400;
    assert.ok(Math.abs(weighted - r.meanPremiumCents) < 1e-6);
    assert.equal(Math.max(...age.groups.map((g) => g.impactRatio ?? 0)), 1);
    for (const g of age.groups) assert.equal(g.flagged, g.impactRatio !== null && g.impactRatio < 0.8);
  });

  test('flags a group that telematics favours much less often (four-fifths rule)', () => {
    const { quotes } = quoteBatch(plan, inputs, { model });
    // Label drivers by whether they got a discount: an extreme proxy that must be flagged.
    const rows = quotes.map((q) => ({
      quote: q,
      groups: { proxy: q.premiumCents < q.nonTelematicsPremiumCents ? 'x' : 'y' },
    }));
    const r = fairnessReport(rows, ['proxy']);
    assert.deepEqual(r.dimensions[0]!.flaggedGroups, ['y']);
  });
});

describe('monotonicity report', () => {
  test('finds no violation for a model that is monotone in every behaviour', () => {
    const r = monotonicityReport(plan, inputs.slice(0, 40), model, 11);
    assert.equal(r.checks, 40 * 6 * 10);
    assert.equal(r.violationCount, 0);
  });

  test('reports where a model rewards worse behaviour', () => {
    const bad = logLinearModel({ ...TEST_BETA, nightShare: -1.5 });
    const sample = inputs
      .slice(0, 20)
      .map((i) => ({ ...i, enrolled: true, risk: { ...i.risk, exposureKm: 5000 } }));
    const r = monotonicityReport(plan, sample, bad, 11);
    assert.ok(r.violationCount > 0);
    assert.ok(r.violations.every((v) => v.behaviour === 'nightShare' && v.to > v.from));
    assert.ok(r.violations.every((v) => v.premiumToCents <= v.premiumFromCents));
  });
});
