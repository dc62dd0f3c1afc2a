import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gradients, initialMargin, type Objective, rowLoss } from './objectives.ts';

const objectives: Objective[] = [
  { name: 'poisson' },
  { name: 'tweedie', power: 1.5 },
  { name: 'tweedie', power: 1.2 },
  { name: 'gamma' },
  { name: 'squared_error' },
  { name: 'logistic' },
];

function responses(obj: Objective): number[] {
  if (obj.name === 'logistic') return [0, 1];
  if (obj.name === 'gamma') return [0.3, 2.5];
  if (obj.name === 'squared_error') return [-1.5, 0, 2];
  return [0, 1, 3];
}

describe('objective derivatives match finite differences', () => {
  for (const obj of objectives) {
    const label = obj.name === 'tweedie' ? `tweedie p=${obj.power}` : obj.name;
    test(label, () => {
      const h = 1e-5;
      for (const y of responses(obj)) {
        for (const f of [-2.3, -0.4, 0, 0.7, 1.9]) {
          for (const offset of [0, Math.log(0.4)]) {
            for (const w of [1, 2.5]) {
              const gh = new Float64Array(2);
              gradients(
                obj,
                Float64Array.of(y),
                Float64Array.of(f),
                Float64Array.of(offset),
                Float64Array.of(w),
                gh,
              );
              const loss = (m: number) => w * rowLoss(obj, y, m + offset);
              const grad = (loss(f + h) - loss(f - h)) / (2 * h);
              const hess = (loss(f + h) - 2 * loss(f) + loss(f - h)) / (h * h);
              const tol = (x: number) => 1e-6 * Math.max(1, Math.abs(x));
              assert.ok(Math.abs(gh[0]! - grad) < tol(grad), `${label} g y=${y} f=${f}: ${gh[0]} vs ${grad}`);
              assert.ok(
                Math.abs(gh[1]! - hess) < 1e-3 * Math.max(1, Math.abs(hess)),
                `${label} h: ${gh[1]} vs ${hess}`,
              );
            }
          }
        }
      }
    });
  }
});

test('the Poisson starting margin is the log of claims per exposure', () => {
  const y = Float64Array.of(0, 1, 2, 0);
  const exposure = Float64Array.of(0.5, 1, 1, 0.5);
  const m = initialMargin({ name: 'poisson' }, y, exposure.map(Math.log), undefined);
  assert.ok(Math.abs(m - Math.log(3 / 3)) < 1e-15);
  const gh = new Float64Array(8);
  gradients({ name: 'poisson' }, y, new Float64Array(4).fill(m), exposure.map(Math.log), undefined, gh);
  // At the optimum the gradients sum to zero.
  assert.ok(Math.abs(gh[0]! + gh[2]! + gh[4]! + gh[6]!) < 1e-12);
});
