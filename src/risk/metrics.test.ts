import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  dSquared,
  gini,
  liftTable,
  lorenzCurve,
  meanDeviance,
  poissonDevianceX100,
  psi,
  unitDeviance,
} from './metrics.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('deviances', () => {
  test('Poisson unit deviance matches the formula, including y = 0', () => {
    close(unitDeviance({ name: 'poisson' }, 2, 1), 2 * (2 * Math.log(2) - 1));
    close(unitDeviance({ name: 'poisson' }, 0, 0.3), 0.6);
  });
  test('Gamma and Tweedie reduce to known values', () => {
    close(unitDeviance({ name: 'gamma' }, 2, 1), 2 * (-Math.log(2) + 1));
    // Tweedie p → 1 and p = 2 coincide with Poisson and Gamma.
    close(unitDeviance({ name: 'tweedie', power: 1 }, 3, 2), unitDeviance({ name: 'poisson' }, 3, 2));
    close(
      unitDeviance({ name: 'tweedie', power: 1.000001 }, 3, 2),
      unitDeviance({ name: 'poisson' }, 3, 2),
      1e-5,
    );
    close(unitDeviance({ name: 'tweedie', power: 1.5 }, 1, 1), 0);
    // p = 1.5, y = 0: 2·μ^0.5/0.5
    close(unitDeviance({ name: 'tweedie', power: 1.5 }, 0, 4), 8);
  });
  test('mean Poisson deviance ×100 is the literature figure', () => {
    const obs = [0, 1, 0, 2];
    const pred = [0.1, 0.5, 0.2, 1];
    const byHand = (200 * (0.1 + (0.5 - 1 + Math.log(2)) + 0.2 + (1 - 2 + 2 * Math.log(2)))) / 4;
    close(poissonDevianceX100(obs, pred), byHand, 1e-10);
    close(meanDeviance({ name: 'poisson' }, obs, pred, [1, 1, 1, 1]), byHand / 100, 1e-12);
  });
  test('D² is 0 for the constant-rate model and 1 for a perfect one', () => {
    const obs = [0, 1, 0, 3];
    const exposure = [1, 1, 2, 4];
    const rate = 4 / 8;
    close(
      dSquared(
        { name: 'poisson' },
        obs,
        exposure.map((e) => e * rate),
        exposure,
      ),
      0,
      1e-12,
    );
    close(dSquared({ name: 'poisson' }, [1, 2, 3], [1, 2, 3]), 1, 1e-12);
  });
});

describe('Lorenz curve and Gini', () => {
  test('a perfect ordering of 2 claimants among 4 equal policies gives Gini 0.5', () => {
    // Riskiest half holds all claims: curve (0,0) → (0.5,1) → (1,1); area 0.75 → Gini 0.5.
    close(gini([0, 1, 0, 1], [0, 1, 0, 1]), 0.5);
    const c = lorenzCurve([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]);
    assert.deepEqual(Array.from(c.exposureShare), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(Array.from(c.claimShare), [0, 0.5, 1, 1, 1]);
  });
  test('a reversed ordering is negative and a constant prediction is 0', () => {
    close(gini([0, 1, 0, 1], [1, 0, 1, 0]), -0.5);
    close(gini([0, 1, 0, 1], [3, 3, 3, 3]), 0);
  });
  test('exposure weights the curve', () => {
    // Policy A: exposure 3, 1 claim, rate .9; B: exposure 1, 0 claims, rate .1.
    // Curve (0,0) → (0.75,1) → (1,1): area 0.375 + 0.25 = 0.625 → Gini 0.25.
    close(gini([1, 0], [0.9, 0.1], [3, 1]), 0.25);
  });
});

describe('lift and A/E', () => {
  test('bands have equal exposure, ascend in predicted rate and add up', () => {
    const n = 1000;
    const rate = Array.from({ length: n }, (_, i) => 0.01 + i / 10000);
    const obs = rate.map((_, i) => (i % 7 === 0 ? 1 : 0));
    const bands = liftTable(obs, rate, undefined, 10);
    assert.equal(bands.length, 10);
    for (const b of bands) close(b.exposure, 100);
    for (let i = 1; i < 10; i++) assert.ok(bands[i]!.predictedFrequency > bands[i - 1]!.predictedFrequency);
    close(
      bands.reduce((s, b) => s + b.observed, 0),
      obs.reduce((s: number, v) => s + v, 0),
    );
    const b1 = bands[0]!;
    close(b1.actualToExpected, b1.observed / b1.expected);
  });
});

describe('PSI', () => {
  test('identical samples have PSI 0', () => {
    const xs = Array.from({ length: 500 }, (_, i) => Math.sin(i) * 10);
    assert.equal(psi(xs, xs), 0);
  });
  test('a shifted sample matches the hand-computed index', () => {
    // Reference 0..99 → deciles of 10 values. Current: all 20 values in the lowest decile.
    const ref = Array.from({ length: 100 }, (_, i) => i);
    const cur = Array.from({ length: 20 }, () => 0);
    const e = 0.1;
    const floor = 1e-6;
    const expected = (1 - e) * Math.log(1 / e) + 9 * (floor - e) * Math.log(floor / e);
    close(psi(ref, cur), expected, 1e-9);
    assert.ok(psi(ref, cur) > 0.25);
  });
});
