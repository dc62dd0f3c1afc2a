import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { safetyScore } from './score.ts';
import { examplePhydPlan, TYPICAL } from './test-support.ts';

const config = examplePhydPlan().safetyScore;
const risk = (rel: number, exposureKm = 1000) => ({
  classicFrequency: 0.1,
  behaviourFrequency: 0.1 * rel,
  exposureKm,
  behaviour: TYPICAL,
});

describe('safety score', () => {
  test('is null with a reason before the minimum distance', () => {
    const s = safetyScore(config, risk(1, 120.7));
    assert.equal(s.score, null);
    assert.equal(s.reason, 'Drive at least 500 km to get a safety score (120 km so far).');
  });

  test('scores 70 at the portfolio mean, 100 for no predicted driving risk, 49 at twice the mean', () => {
    assert.equal(safetyScore(config, risk(1)).score, 70);
    assert.equal(safetyScore(config, risk(1e-9)).score, 100);
    assert.equal(safetyScore(config, risk(2)).score, 49);
  });

  test('never rises as predicted frequency rises, and stays within 0–100', () => {
    const rel = fc.double({ min: 0.01, max: 20, noNaN: true });
    fc.assert(
      fc.property(rel, rel, (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const sLo = safetyScore(config, risk(lo)).score!;
        const sHi = safetyScore(config, risk(hi)).score!;
        assert.ok(sHi <= sLo);
        assert.ok(sLo <= 100 && sHi >= 0);
      }),
    );
  });
});
