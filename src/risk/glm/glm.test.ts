import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { frameFromRows } from '../data/frame.ts';
import { syntheticPortfolio } from '../testing/synthetic.ts';
import {
  buildDesign,
  fitGlm,
  fitTerms,
  glmContributions,
  glmMargin,
  lgamma,
  relativities,
  splineBasis,
} from './index.ts';

const close = (a: number, b: number, tol: number) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`);

// Three groups; claims and exposure chosen so the rates are 1, 1/4 and 5/2 per year.
const rows = [
  { g: 'A', n: 1, e: 1 },
  { g: 'A', n: 0, e: 0.5 },
  { g: 'A', n: 2, e: 1.5 },
  { g: 'B', n: 0, e: 2 },
  { g: 'B', n: 1, e: 2 },
  { g: 'C', n: 4, e: 1 },
  { g: 'C', n: 1, e: 1 },
];
const frame = frameFromRows(rows, ['g', 'n', 'e']);
const y = Float64Array.from(rows, (r) => r.n);
const exposure = Float64Array.from(rows, (r) => r.e);
const offset = exposure.map(Math.log);

describe('Poisson GLM', () => {
  const { model, fitted } = fitGlm(frame, {
    family: { name: 'poisson' },
    terms: [{ kind: 'categorical', column: 'g', reference: 'A' }],
    y,
    offset,
  });
  const coef = Object.fromEntries(model.coefficients.map((c) => [c.name, c]));

  test('a saturated one-factor model reproduces the observed rate ratios', () => {
    close(Math.exp(coef['(Intercept)']!.estimate), 1, 1e-10);
    close(Math.exp(coef['g=B']!.estimate), 0.25, 1e-10);
    close(Math.exp(coef['g=C']!.estimate), 2.5, 1e-10);
    close(fitted[0]!, 1, 1e-10);
    assert.equal(model.converged, true);
  });

  test('standard errors are sqrt(1/claims) per log rate, summed for differences', () => {
    close(coef['(Intercept)']!.standardError, Math.sqrt(1 / 3), 1e-8);
    close(coef['g=B']!.standardError, Math.sqrt(1 / 3 + 1 / 1), 1e-8);
    close(coef['g=C']!.standardError, Math.sqrt(1 / 3 + 1 / 5), 1e-8);
  });

  test('deviance and AIC match the hand computation', () => {
    const mu = [1, 0.5, 1.5, 0.5, 0.5, 2.5, 2.5];
    let dev = 0;
    let ll = 0;
    mu.forEach((m, i) => {
      const yi = y[i]!;
      dev += 2 * (yi > 0 ? yi * Math.log(yi / m) : 0) - 2 * (yi - m);
      ll += (yi > 0 ? yi * Math.log(m) : 0) - m - lgamma(yi + 1);
    });
    close(model.deviance, dev, 1e-9);
    close(model.aic, -2 * ll + 2 * 3, 1e-8);
    close(model.dispersion, 1, 0);
  });

  test('relativity table reads against the reference level with 95% bounds', () => {
    const table = relativities(model, 'g');
    assert.deepEqual(
      table.map((r) => r.level),
      ['A', 'B', 'C'],
    );
    assert.equal(table[0]!.relativity, 1);
    close(table[2]!.relativity, 2.5, 1e-9);
    close(table[2]!.lower!, Math.exp(Math.log(2.5) - 1.96 * Math.sqrt(1 / 3 + 1 / 5)), 1e-8);
  });

  test('the default reference is the level with the most exposure; fits are unchanged', () => {
    const other = fitGlm(frame, {
      family: { name: 'poisson' },
      terms: [{ kind: 'categorical', column: 'g' }],
      y,
      offset,
    });
    assert.equal(other.model.terms[0]!.kind === 'categorical' && other.model.terms[0]!.reference, 'B');
    for (let i = 0; i < y.length; i++) close(other.fitted[i]!, fitted[i]!, 1e-9);
  });

  test('term contributions and the intercept add up to the margin; unseen levels score as the reference', () => {
    const newRows = frameFromRows(
      [
        { g: 'C', n: 0, e: 1 },
        { g: 'Z', n: 0, e: 1 },
      ],
      ['g', 'n', 'e'],
    );
    const m = glmMargin(model, newRows);
    close(Math.exp(m[0]!), 2.5, 1e-9);
    close(Math.exp(m[1]!), 1, 1e-9);
    const parts = glmContributions(model, newRows, 0);
    close(coef['(Intercept)']!.estimate + parts[0]!.logContribution, m[0]!, 1e-12);
  });

  test('with a numeric term the score equations X′(y − μ) = 0 hold at the solution', () => {
    const { frame: f } = syntheticPortfolio(3000, 7);
    const yy = (f.columns.claims as { values: Float64Array }).values;
    const off = (f.columns.exposure as { values: Float64Array }).values.map(Math.log);
    const terms = [
      { kind: 'numeric', column: 'age' },
      { kind: 'categorical', column: 'region' },
    ] as const;
    const fit = fitGlm(f, { family: { name: 'poisson' }, terms: [...terms], y: yy, offset: off });
    const d = buildDesign(f, fit.model.terms);
    const score = new Float64Array(d.nCols);
    for (let i = 0; i < d.nRows; i++) {
      for (let a = 0; a < d.slots; a++) {
        const c = d.cols[i * d.slots + a]!;
        if (c >= 0) score[c]! += d.vals[i * d.slots + a]! * (yy[i]! - fit.fitted[i]!);
      }
    }
    for (const s of score) close(s, 0, 1e-6);
    // The synthetic truth has age slope −0.02.
    close(fit.model.coefficients[1]!.estimate, -0.02, 0.01);
  });
});

describe('Gamma GLM', () => {
  test('a one-factor Gamma model fits group means; dispersion is Pearson χ²/(n − p)', () => {
    const amounts = frameFromRows(
      [
        { g: 'x', a: 100 },
        { g: 'x', a: 300 },
        { g: 'y', a: 1000 },
        { g: 'y', a: 500 },
        { g: 'y', a: 1500 },
      ],
      ['g', 'a'],
    );
    const a = Float64Array.from([100, 300, 1000, 500, 1500]);
    const { model, fitted } = fitGlm(amounts, {
      family: { name: 'gamma' },
      terms: [{ kind: 'categorical', column: 'g', reference: 'x' }],
      y: a,
    });
    close(fitted[0]!, 200, 1e-8);
    close(fitted[2]!, 1000, 1e-8);
    close(Math.exp(model.coefficients[1]!.estimate), 5, 1e-9);
    const pearson =
      [100, 300].reduce((s, v) => s + (v - 200) ** 2 / 200 ** 2, 0) +
      [1000, 500, 1500].reduce((s, v) => s + (v - 1000) ** 2 / 1000 ** 2, 0);
    close(model.dispersion, pearson / 3, 1e-9);
    // SE of log mean of a group = sqrt(φ / n_group).
    close(model.coefficients[0]!.standardError, Math.sqrt(model.dispersion / 2), 1e-8);
  });
});

describe('Tweedie GLM', () => {
  test('solves the quasi-score equations Σ x·(y − μ)·μ^(1−p) = 0 on data with exact zeros', () => {
    const { frame: f } = syntheticPortfolio(2000, 9);
    const claims = (f.columns.claims as { values: Float64Array }).values;
    // A compound amount: zero without claims, else claims × a size that varies with power.
    const power = (f.columns.power as { values: Float64Array }).values;
    const y = claims.map((c, i) => c * (800 + 40 * power[i]!));
    const p = 1.6;
    const fit = fitGlm(f, {
      family: { name: 'tweedie', power: p },
      terms: [
        { kind: 'numeric', column: 'power' },
        { kind: 'categorical', column: 'region' },
      ],
      y,
    });
    assert.equal(fit.model.converged, true);
    assert.ok(Number.isNaN(fit.model.aic));
    const d = buildDesign(f, fit.model.terms);
    const score = new Float64Array(d.nCols);
    const scale = new Float64Array(d.nCols);
    for (let i = 0; i < d.nRows; i++) {
      const mu = fit.fitted[i]!;
      for (let a = 0; a < d.slots; a++) {
        const c = d.cols[i * d.slots + a]!;
        const term = d.vals[i * d.slots + a]! * (y[i]! - mu) * mu ** (1 - p);
        if (c >= 0) {
          score[c]! += term;
          scale[c]! += Math.abs(term);
        }
      }
    }
    // Fisher scoring converges linearly for this non-canonical link: 1e-6 of the terms' size.
    for (const [c, s] of score.entries()) close(s / scale[c]!, 0, 1e-6);
    assert.ok(fit.model.dispersion > 0);
  });
});

describe('penalties', () => {
  const { frame: f } = syntheticPortfolio(2000, 3);
  const yy = (f.columns.claims as { values: Float64Array }).values;
  const off = (f.columns.exposure as { values: Float64Array }).values.map(Math.log);
  const terms = [
    { kind: 'categorical', column: 'region', reference: 'north' },
    { kind: 'numeric', column: 'noise' },
  ] as const;
  const fit = (lambda: number, alpha: number) =>
    fitGlm(f, { family: { name: 'poisson' }, terms: [...terms], y: yy, offset: off, lambda, alpha }).model;
  const size = (m: ReturnType<typeof fit>) =>
    m.coefficients.slice(1).reduce((s, c) => s + Math.abs(c.estimate), 0);

  test('ridge shrinks coefficients monotonically towards zero', () => {
    const sizes = [0, 0.001, 0.01, 0.1].map((l) => size(fit(l, 0)));
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i]! < sizes[i - 1]!, `${sizes}`);
  });

  test('lasso sets weak coefficients exactly to zero and reports no standard error for them', () => {
    const m = fit(0.004, 1);
    const noise = m.coefficients.find((c) => c.name === 'noise')!;
    assert.equal(noise.estimate, 0);
    assert.ok(Number.isNaN(noise.standardError));
    const west = m.coefficients.find((c) => c.name === 'region=west')!;
    assert.ok(west.estimate > 0.3, `strong effect kept: ${west.estimate}`);
  });
});

describe('terms', () => {
  const f = frameFromRows(
    [18, 20, 21, 25, 26, 40, 70, 71, 90].map((age) => ({ age, w: 1 })),
    ['age', 'w'],
  );
  test('binned terms are left-closed intervals with a reference bin', () => {
    const [t] = fitTerms(f, [{ kind: 'binned', column: 'age', breaks: [21, 26, 71], reference: 0 }]);
    assert.ok(t && t.kind === 'binned');
    assert.deepEqual(t.labels, ['[-Inf,21)', '[21,26)', '[26,71)', '[71,Inf)']);
    const d = buildDesign(f, [t]);
    const colOf = (i: number) => d.cols[i * d.slots + 1];
    assert.deepEqual([0, 1, 2, 3, 4, 6, 7].map(colOf), [-1, -1, 1, 1, 2, 2, 3]);
  });

  test('the natural spline basis is linear beyond the boundary knots', () => {
    const knots = [20, 35, 50, 70];
    const at = (x: number) => {
      const out = new Float64Array(3);
      splineBasis(x, knots, out, 0);
      return out;
    };
    for (const [a, b, c] of [
      [70, 80, 90],
      [0, 5, 10],
    ]) {
      const [fa, fb, fc] = [at(a!), at(b!), at(c!)];
      for (let j = 0; j < 3; j++) close(fa[j]! - 2 * fb[j]! + fc[j]!, 0, 1e-9);
    }
    // …but curved inside.
    const [fa, fb, fc] = [at(30), at(40), at(50)];
    assert.ok(Math.abs(fa[1]! - 2 * fb[1]! + fc[1]!) > 1e-6);
  });

  test('a numeric term with cap and log transform', () => {
    const [t] = fitTerms(f, [{ kind: 'numeric', column: 'age', max: 40, transform: 'log' }]);
    const d = buildDesign(f, [t!]);
    close(d.vals[7 * d.slots + 1]!, Math.log(40), 1e-15);
  });
});
