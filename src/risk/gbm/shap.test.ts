import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { syntheticPortfolio } from '../testing/synthetic.ts';
import { trainGbm } from './boost.ts';
import { explainGbm, gbmMargin } from './model.ts';
import { compileTree, leafOf } from './predict.ts';
import { treeConditionalExpectation, treeExpectedValue, treeShap } from './shap.ts';
import type { Tree } from './tree.ts';

// Feature 0 is split twice on one path; node 1 is a categorical split.
const tree: Tree = {
  feature: [0, 1, 0, -1, 2, -1, -1, -1, -1],
  bin: [1, -1, 3, -1, 2, -1, -1, -1, -1],
  categories: [null, [0, 2], null, null, null, null, null, null, null],
  left: [1, 3, 5, -1, 7, -1, -1, -1, -1],
  right: [2, 4, 6, -1, 8, -1, -1, -1, -1],
  value: [0, 0, 0, 1, 0, -0.5, 2, 0.3, -1.2],
  cover: [45, 20, 25, 10, 10, 20, 5, 7, 3],
  gain: [1, 1, 1, 0, 1, 0, 0, 0, 0],
};
const compiled = compileTree(tree);

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** Shapley values by enumerating all coalitions, with the same path-dependent value function. */
function bruteForce(x: Uint8Array, M: number): number[] {
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      const s = new Set<number>();
      for (let j = 0; j < M; j++) if (mask & (1 << j)) s.add(j);
      const weight = (factorial(s.size) * factorial(M - s.size - 1)) / factorial(M);
      const without = treeConditionalExpectation(tree, compiled, x, s);
      s.add(i);
      phi[i]! += weight * (treeConditionalExpectation(tree, compiled, x, s) - without);
    }
  }
  return phi;
}

describe('TreeSHAP', () => {
  test('equals brute-force Shapley values on a small tree with a repeated feature and a categorical split', () => {
    let checked = 0;
    for (let a = 0; a < 6; a++) {
      for (let b = 0; b < 3; b++) {
        for (let c = 0; c < 5; c++) {
          const x = Uint8Array.of(a, b, c);
          const phi = new Float64Array(3);
          treeShap(tree, compiled, x, phi);
          const exact = bruteForce(x, 3);
          for (let i = 0; i < 3; i++)
            assert.ok(Math.abs(phi[i]! - exact[i]!) < 1e-12, `x=${x} φ${i} ${phi[i]} vs ${exact[i]}`);
          // Local accuracy: E[f] + Σφ = f(x).
          const fx = tree.value[leafOf(compiled, x, 3, 0)]!;
          assert.ok(Math.abs(treeExpectedValue(tree) + phi.reduce((s, v) => s + v, 0) - fx) < 1e-12);
          checked++;
        }
      }
    }
    assert.equal(checked, 90);
  });

  test('contributions plus the expected value add up to the margin of a trained model', async () => {
    const { frame } = syntheticPortfolio(3000, 21);
    const model = await trainGbm(
      {
        train: {
          frame,
          y: (frame.columns.claims as { values: Float64Array }).values,
          offset: (frame.columns.exposure as { values: Float64Array }).values.map(Math.log),
        },
        features: [
          { column: 'age', monotone: -1 },
          { column: 'power' },
          { column: 'region' },
          { column: 'noise' },
        ],
      },
      { nTrees: 30, maxDepth: 5, learningRate: 0.2, minHessian: 1, subsample: 0.8, earlyStoppingRounds: 0 },
    );
    const rows = Array.from({ length: 50 }, (_, i) => i * 37);
    const margins = gbmMargin(model, frame);
    const explained = explainGbm(model, frame, rows);
    explained.forEach((e, k) => {
      const sum = e.expectedValue + e.contributions.reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sum - margins[rows[k]!]!) < 1e-9, `${sum} vs ${margins[rows[k]!]}`);
    });
    // The feature with no effect gets less attribution than age, on average.
    const mean = (f: number) => explained.reduce((s, e) => s + Math.abs(e.contributions[f]!), 0);
    assert.ok(mean(3) < mean(0));
  });
});
