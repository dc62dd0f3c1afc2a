import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLAIM_MODEL, claimFrequency, drawClaims, type RatingFactors, severityMeanCents } from './claims.ts';
import { createRng } from './rng.ts';

const BASE: RatingFactors = {
  driverAge: 40,
  vehiclePowerKw: 80,
  vehicleAgeYears: 6,
  territory: 'C',
  annualKm: 12_000,
  harshBrakingPer100Km: 3,
  speedingShare: 0.01,
  phoneMinPerHour: 0.5,
  nightShare: 0.05,
};

describe('claim-generating process', () => {
  test('claim counts reproduce the documented Poisson mean (within 3 standard errors)', () => {
    const rng = createRng('claims');
    for (const f of [
      BASE,
      { ...BASE, driverAge: 19, speedingShare: 0.1, phoneMinPerHour: 4, territory: 'E' as const },
    ]) {
      const n = 60_000;
      const exposure = 0.75;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const c = drawClaims(f, exposure, rng).count;
        sum += c;
        sumSq += c * c;
      }
      const mu = claimFrequency(f) * exposure;
      const mean = sum / n;
      const se = Math.sqrt(mu / n);
      assert.ok(
        Math.abs(mean - mu) < 3 * se,
        `mean ${mean.toFixed(4)} vs ${mu.toFixed(4)} (se ${se.toFixed(4)})`,
      );
      const variance = sumSq / n - mean * mean;
      assert.ok(Math.abs(variance / mean - 1) < 0.05, `dispersion ${variance / mean}`);
    }
  });

  test('each driving factor multiplies the frequency by exp(β · change), recovered from a large sample', () => {
    const rng = createRng('effects');
    const n = 150_000;
    const rate = (f: RatingFactors): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s += drawClaims(f, 1, rng).count;
      return s / n;
    };
    const low = rate(BASE);
    const phone = rate({ ...BASE, phoneMinPerHour: BASE.phoneMinPerHour + 4 });
    const observed = Math.log(phone / low);
    const expected = 4 * CLAIM_MODEL.phone;
    // Standard error of a log rate ratio ≈ sqrt(1/claims₁ + 1/claims₂).
    const se = Math.sqrt(1 / (low * n) + 1 / (phone * n));
    assert.ok(
      Math.abs(observed - expected) < 3 * se,
      `log ratio ${observed.toFixed(3)} vs ${expected.toFixed(3)}`,
    );
    const far = claimFrequency({ ...BASE, annualKm: 24_000 }) / claimFrequency(BASE);
    assert.ok(Math.abs(far - 2 ** CLAIM_MODEL.distance) < 1e-9, 'distance elasticity');
    assert.ok(
      claimFrequency({ ...BASE, driverAge: 18 }) > 2 * claimFrequency(BASE),
      'young drivers claim more',
    );
  });

  test('severities are Gamma with the documented mean and spread', () => {
    const rng = createRng('severity');
    const f = { ...BASE, speedingShare: 0.2 };
    const amounts: number[] = [];
    while (amounts.length < 40_000) amounts.push(...drawClaims(f, 30, rng).amountsCents);
    const mean = amounts.reduce((a, b) => a + b, 0) / amounts.length;
    const sd = Math.sqrt(amounts.reduce((a, b) => a + (b - mean) ** 2, 0) / (amounts.length - 1));
    const mu = severityMeanCents(f);
    const cv = 1 / Math.sqrt(CLAIM_MODEL.severity.shape);
    assert.ok(Math.abs(mean / mu - 1) < 3 * (cv / Math.sqrt(amounts.length)), `mean ${mean} vs ${mu}`);
    assert.ok(Math.abs(sd / mean - cv) < 0.03, `cv ${sd / mean} vs ${cv}`);
    assert.ok(
      amounts.every((a) => Number.isInteger(a) && a > 0),
      'integer cents',
    );
    assert.ok(mu > severityMeanCents(BASE), 'faster crashes cost more');
  });
});
