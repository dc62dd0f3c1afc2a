import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { frameFromRows, takeRows } from '../data/frame.ts';
import { poissonDevianceX100 } from '../metrics.ts';
import { createRng } from '../prng.ts';
import { syntheticPortfolio } from '../testing/synthetic.ts';
import { type GbmData, type GbmParams, trainGbm } from './boost.ts';
import { gbmMargin } from './model.ts';

const { frame, trueRate } = syntheticPortfolio(6000, 11);
const col = (name: string) => (frame.columns[name] as { values: Float64Array }).values;
const idx = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const learnFrame = takeRows(frame, idx(0, 5000));
const testFrame = takeRows(frame, idx(5000, 6000));
const data = (f: typeof frame): GbmData => ({
  frame: f,
  y: (f.columns.claims as { values: Float64Array }).values,
  offset: (f.columns.exposure as { values: Float64Array }).values.map(Math.log),
});
const features = [{ column: 'age' }, { column: 'power' }, { column: 'region' }, { column: 'noise' }];
const quick: Partial<GbmParams> = {
  nTrees: 40,
  learningRate: 0.1,
  maxDepth: 3,
  minHessian: 2,
  earlyStoppingRounds: 0,
};

describe('gradient boosting (Poisson with exposure)', () => {
  test('beats the constant-rate model out of sample and tracks the true rate', async () => {
    const model = await trainGbm({ train: data(learnFrame), features }, quick);
    const test = data(testFrame);
    const exposure = col('exposure').subarray(5000);
    const pred = gbmMargin(model, testFrame).map((m, i) => Math.exp(m) * exposure[i]!);
    const rate = test.y.reduce((s, v) => s + v, 0) / exposure.reduce((s, v) => s + v, 0);
    const constant = exposure.map((e) => e * rate);
    assert.ok(poissonDevianceX100(test.y, pred) < poissonDevianceX100(test.y, constant));
    // The fitted rate for the riskiest region (west) exceeds that of the safest (south).
    const rows = frameFromRows(
      ['west', 'south'].map((region) => ({ age: 40, power: 8, region, noise: 0.5 })),
      ['age', 'power', 'region', 'noise'],
    );
    const [west, south] = gbmMargin(model, rows);
    assert.ok(west! > south! + 0.3, `west ${west} south ${south}`);
    assert.equal(trueRate.length, 6000);
  });

  test('early stopping keeps the best validation round', async () => {
    const model = await trainGbm(
      { train: data(takeRows(frame, idx(0, 4000))), valid: data(takeRows(frame, idx(4000, 6000))), features },
      { ...quick, nTrees: 400, learningRate: 0.3, maxDepth: 4, earlyStoppingRounds: 10 },
    );
    assert.ok(model.validHistory.length < 400, 'stopped early');
    assert.equal(model.trees.length, model.bestIteration);
    const best = Math.min(...model.validHistory);
    assert.equal(model.validHistory[model.bestIteration - 1], best);
    assert.equal(model.validHistory.length, model.bestIteration + 10);
  });
});

describe('monotone constraints', () => {
  // Few noisy rows, so an unconstrained model wiggles.
  const small = takeRows(frame, idx(0, 1500));
  const params: Partial<GbmParams> = {
    ...quick,
    nTrees: 60,
    maxDepth: 4,
    minHessian: 0.5,
    learningRate: 0.3,
  };
  const constrained = [
    { column: 'age', monotone: -1 as const },
    { column: 'power', monotone: 1 as const },
    { column: 'region' },
    { column: 'noise' },
  ];
  const grid = (model: Awaited<ReturnType<typeof trainGbm>>, feature: 'age' | 'power', values: number[]) => {
    const rng = createRng(5);
    const curves: number[][] = [];
    for (let k = 0; k < 30; k++) {
      const base = {
        age: 18 + rng.int(62),
        power: 4 + rng.int(10),
        region: ['north', 'east', 'south', 'west'][rng.int(4)]!,
        noise: rng.next(),
      };
      const rows = values.map((v) => ({ ...base, [feature]: v }));
      curves.push(Array.from(gbmMargin(model, frameFromRows(rows, ['age', 'power', 'region', 'noise']))));
    }
    return curves;
  };
  const ages = Array.from({ length: 70 }, (_, i) => 15 + i);
  const powers = Array.from({ length: 14 }, (_, i) => 3 + i);
  const violations = (curves: number[][], sign: 1 | -1) =>
    curves.reduce((s, c) => s + c.slice(1).filter((v, i) => sign * (v - c[i]!) < 0).length, 0);

  test('predictions never decrease along a +1 feature nor increase along a −1 feature', async () => {
    const model = await trainGbm({ train: data(small), features: constrained }, params);
    assert.equal(violations(grid(model, 'power', powers), 1), 0);
    assert.equal(violations(grid(model, 'age', ages), -1), 0);
  });

  test('the same data without constraints is not monotone (so the check above can fail)', async () => {
    const model = await trainGbm({ train: data(small), features }, params);
    assert.ok(violations(grid(model, 'power', powers), 1) + violations(grid(model, 'age', ages), -1) > 0);
  });
});

describe('determinism', () => {
  const sampled: Partial<GbmParams> = { ...quick, nTrees: 25, subsample: 0.7, colsample: 0.75 };
  test('the same seed gives an identical model; another seed a different one', async () => {
    const a = await trainGbm({ train: data(learnFrame), features }, { ...sampled, seed: 42 });
    const b = await trainGbm({ train: data(learnFrame), features }, { ...sampled, seed: 42 });
    const c = await trainGbm({ train: data(learnFrame), features }, { ...sampled, seed: 43 });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.notEqual(JSON.stringify(a.trees), JSON.stringify(c.trees));
  });

  test('one and two threads build identical trees', async () => {
    const one = await trainGbm({ train: data(learnFrame), features }, { ...sampled, seed: 9, threads: 1 });
    const two = await trainGbm({ train: data(learnFrame), features }, { ...sampled, seed: 9, threads: 2 });
    assert.equal(JSON.stringify(one.trees), JSON.stringify(two.trees));
    assert.equal(two.params.threads, 2);
  });
});
