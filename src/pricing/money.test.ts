import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { allocateCents, formatMoney, roundHalfEven, roundHalfEvenRatio } from './money.ts';

describe('money', () => {
  test('rounds exact halves to the even neighbour and everything else to nearest', () => {
    assert.deepEqual(
      [0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001, 4600.000000000001].map(roundHalfEven),
      [0, 2, 2, 0, -2, 2, 3, 4600],
    );
    // 0.1 + 0.2 style noise around a half still counts as the half
    assert.equal(roundHalfEven(2469 * 0.5 + 1e-12), 1234);
  });

  test('rounds integer ratios half to even exactly, including negatives', () => {
    assert.equal(roundHalfEvenRatio(5n, 2n), 2n);
    assert.equal(roundHalfEvenRatio(7n, 2n), 4n);
    assert.equal(roundHalfEvenRatio(-5n, 2n), -2n);
    assert.equal(roundHalfEvenRatio(-7n, 2n), -4n);
    assert.equal(roundHalfEvenRatio(10n, 3n), 3n);
    assert.equal(roundHalfEvenRatio(11n, 3n), 4n);
  });

  test('largest remainder: parts sum exactly to the target and stay within a cent of their value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (vs) => {
          const target = roundHalfEven(vs.reduce((a, b) => a + b, 0));
          const parts = allocateCents(vs, target);
          assert.equal(
            parts.reduce((a, b) => a + b, 0),
            target,
          );
          parts.forEach((p, i) => {
            assert.ok(Number.isInteger(p));
            assert.ok(Math.abs(p - vs[i]!) < 1 + 1e-6, `part ${p} vs ${vs[i]}`);
          });
        },
      ),
    );
  });

  test('largest remainder gives the spare cent to the largest fraction, ties to the first part', () => {
    assert.deepEqual(allocateCents([1.4, 1.3, 1.3], 4), [2, 1, 1]);
    assert.deepEqual(allocateCents([1 / 3, 1 / 3, 1 / 3], 1), [1, 0, 0]);
    assert.deepEqual(allocateCents([10.6, -3.6], 7), [11, -4]);
  });

  test('a part worth exactly zero gets no cent, even when rounding leaves a spare one', () => {
    assert.deepEqual(allocateCents([0, 1, 0], 2), [0, 2, 0]);
    assert.deepEqual(allocateCents([0, 0.5, 0.5, 0], 2), [0, 1, 1, 0]);
    assert.deepEqual(
      allocateCents([0, 0], 3).reduce((a, b) => a + b, 0),
      3,
    );
    assert.deepEqual(allocateCents([], 0), []);
    assert.throws(() => allocateCents([], 1), RangeError);
  });

  test('still sums exactly when the target is far from the values', () => {
    const parts = allocateCents([0.2, 0.2], 9);
    assert.equal(parts[0]! + parts[1]!, 9);
    assert.deepEqual(
      allocateCents([5, 5], -3).reduce((a, b) => a + b, 0),
      -3,
    );
  });

  test('formats money with the currency symbol', () => {
    assert.equal(formatMoney(320, 'EUR'), '€3.20');
    assert.equal(formatMoney(-104600, 'USD'), '-$1,046.00');
    assert.equal(formatMoney(5, 'CHF'), 'CHF 0.05');
  });
});
