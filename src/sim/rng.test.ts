import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRng, logGamma } from './rng.ts';

const meanSd = (xs: number[]): { mean: number; sd: number } => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, sd: Math.sqrt(v) };
};

describe('seeded random numbers', () => {
  test('the same seed gives the same stream and a different seed a different one', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xa = Array.from({ length: 5 }, () => a.uint32());
    const xb = Array.from({ length: 5 }, () => b.uint32());
    const xc = Array.from({ length: 5 }, () => c.uint32());
    assert.deepEqual(xa, xb);
    assert.notDeepEqual(xa, xc);
  });

  test('a fork depends on its label and the seed, not on how much was drawn before', () => {
    const a = createRng('s');
    const b = createRng('s');
    for (let i = 0; i < 100; i++) b.next();
    assert.equal(a.fork('driver:3').next(), b.fork('driver:3').next());
    assert.notEqual(a.fork('driver:3').next(), a.fork('driver:4').next());
  });

  test('uniform, normal, exponential and gamma have their textbook moments', () => {
    const r = createRng(1);
    const n = 40_000;
    const u = meanSd(Array.from({ length: n }, () => r.next()));
    assert.ok(Math.abs(u.mean - 0.5) < 0.01);
    const g = meanSd(Array.from({ length: n }, () => r.normal(3, 2)));
    assert.ok(Math.abs(g.mean - 3) < 0.05, `normal mean ${g.mean}`);
    assert.ok(Math.abs(g.sd - 2) < 0.05, `normal sd ${g.sd}`);
    const e = meanSd(Array.from({ length: n }, () => r.exponential(4)));
    assert.ok(Math.abs(e.mean - 4) < 0.15);
    const ga = meanSd(Array.from({ length: n }, () => r.gamma(1.25, 1000)));
    assert.ok(Math.abs(ga.mean - 1250) < 40, `gamma mean ${ga.mean}`);
    assert.ok(Math.abs(ga.sd - Math.sqrt(1.25) * 1000) < 40, `gamma sd ${ga.sd}`);
    const small = meanSd(Array.from({ length: n }, () => r.gamma(0.5, 2)));
    assert.ok(Math.abs(small.mean - 1) < 0.04, `gamma(0.5) mean ${small.mean}`);
  });

  test('Poisson draws have mean and variance λ for small and large λ', () => {
    const r = createRng(2);
    for (const lam of [0.08, 3, 45, 400]) {
      const xs = Array.from({ length: 20_000 }, () => r.poisson(lam));
      const { mean, sd } = meanSd(xs);
      const se = Math.sqrt(lam / xs.length);
      assert.ok(Math.abs(mean - lam) < 4 * se, `λ=${lam}: mean ${mean}`);
      assert.ok(Math.abs(sd * sd - lam) / lam < 0.06, `λ=${lam}: variance ${sd * sd}`);
      assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0));
    }
  });

  test('logGamma matches factorials', () => {
    assert.ok(Math.abs(logGamma(1)) < 1e-10);
    assert.ok(Math.abs(logGamma(6) - Math.log(120)) < 1e-10);
    assert.ok(Math.abs(logGamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-10);
  });
});
