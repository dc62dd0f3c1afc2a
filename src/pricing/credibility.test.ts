import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { credibility, estimateBuhlmannStraub, estimatePoissonK, type RatedPeriod } from './credibility.ts';
import { gamma, normal, poisson, prng } from './test-support.ts';

describe('credibility', () => {
  test('Z = m / (m + k): zero for no distance, one half at m = k, towards one with more driving', () => {
    assert.equal(credibility(0, 3000), 0);
    assert.equal(credibility(-5, 3000), 0);
    assert.equal(credibility(3000, 3000), 0.5);
    assert.ok(credibility(300_000, 3000) > 0.99);
  });

  test('Bühlmann–Straub recovers a known k from simulated per-driver periods', () => {
    // θ_i ~ N(1, a), X_ij = θ_i + ε_ij with Var(ε_ij) = σ²/m_ij: true k = σ²/a = 400 / 0.04 = 10,000 km.
    const rand = prng(7);
    const a = 0.04;
    const sigma2 = 400;
    const drivers: RatedPeriod[][] = [];
    for (let i = 0; i < 10_000; i++) {
      const theta = 1 + Math.sqrt(a) * normal(rand);
      const n = 3 + Math.floor(rand() * 10);
      const periods: RatedPeriod[] = [];
      for (let j = 0; j < n; j++) {
        const exposure = 100 + rand() * 1900;
        periods.push({ exposure, rate: theta + Math.sqrt(sigma2 / exposure) * normal(rand) });
      }
      drivers.push(periods);
    }
    const r = estimateBuhlmannStraub(drivers);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.ok(Math.abs(r.value.sigma2 / sigma2 - 1) < 0.05, `σ² ${r.value.sigma2}`);
    assert.ok(Math.abs(r.value.a / a - 1) < 0.15, `a ${r.value.a}`);
    // 10,000 drivers: the standard error of k̂ is about 5%, so ±15% is three of them.
    assert.ok(Math.abs(r.value.k / 10_000 - 1) < 0.15, `k ${r.value.k}`);
    assert.ok(Math.abs(r.value.mean - 1) < 0.02);
  });

  test('the Poisson estimator recovers k = β under a Gamma(α, β) mix of claim frequencies', () => {
    // λ_i ~ Gamma(4, 40): mean 0.1 a year, a = 4/1600; N_i ~ Poisson(λ_i m_i); true k = 40 years.
    const rand = prng(11);
    const drivers = Array.from({ length: 40_000 }, () => {
      const lambda = gamma(rand, 4, 40);
      const exposure = 2 + rand() * 8;
      return { claims: poisson(rand, lambda * exposure), exposure };
    });
    const r = estimatePoissonK(drivers);
    assert.ok(r.ok);
    // Standard error of k̂ here is about 6%: ±20% is over three of them.
    if (r.ok) assert.ok(Math.abs(r.value.k / 40 - 1) < 0.2, `k ${r.value.k}`);
  });

  test('says so when the portfolio shows no differences between drivers', () => {
    // Every driver's periods average exactly 1: all the variation is within drivers.
    const same = Array.from({ length: 50 }, () =>
      [0.5, 1.5, 0.8, 1.2].map((rate) => ({ exposure: 500, rate })),
    );
    const r = estimateBuhlmannStraub(same);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'k_not_estimable');
    assert.equal(estimateBuhlmannStraub([[{ rate: 1, exposure: 1 }]]).ok, false);
  });
});
