import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quote } from './quote.ts';
import { MODEL } from './test-arbitraries.ts';
import { examplePhydPlan, mustValidate, TYPICAL } from './test-support.ts';
import type { QuoteInput } from './types.ts';
import { applyChanges, standardScenarios, whatIf } from './whatif.ts';

const plan = mustValidate({
  ...examplePhydPlan(),
  distance: { ratePerUnitMillicents: 2000, dailyCapUnits: 400 },
});
const behaviour = { ...TYPICAL, harshBrakingPer100Km: 2.5, phoneUseSecPerHour: 90, nightShare: 0.15 };
const input: QuoteInput = {
  driverId: 'd1',
  ratingLevels: { ageBand: '25-39', territory: 'B', vehiclePower: 'mid' },
  risk: {
    classicFrequency: 0.1,
    behaviourFrequency: (0.1 * MODEL(behaviour)) / MODEL(TYPICAL),
    exposureKm: 3000, // Z = 0.5: inside the bounds, so every change shows
    behaviour,
  },
  projectedMonthlyKm: 1000,
  enrolled: true,
};

const current = () => {
  const q = quote(plan, input, { model: MODEL });
  if (!q.ok) throw new Error(q.error.message);
  return q.value;
};

describe('what-if', () => {
  test('moves the frequency by the model ratio and keeps everything else', () => {
    const changed = applyChanges(
      input,
      [{ kind: 'scale', behaviour: 'harshBrakingPer100Km', factor: 0.5 }],
      MODEL,
    );
    assert.equal(changed.risk.behaviour.harshBrakingPer100Km, 1.25);
    assert.equal(current().rating.telematics.credibility, 0.5);
    assert.ok(current().rating.telematics.factor < plan.factorMax);
    assert.ok(
      Math.abs(changed.risk.behaviourFrequency / input.risk.behaviourFrequency - Math.exp(-0.1)) < 1e-12,
    );
    assert.equal(changed.risk.exposureKm, input.risk.exposureKm);
  });

  test('each standard scenario lowers this driver’s premium and says by how much', () => {
    const results = standardScenarios(100).map((s) => whatIf(plan, input, s, MODEL));
    const current = quote(plan, input, { model: MODEL });
    assert.ok(current.ok);
    for (const r of results) {
      assert.ok(r.ok);
      if (!r.ok || !current.ok) continue;
      assert.equal(r.value.currentPremiumCents, current.value.premiumCents);
      assert.ok(r.value.deltaCents < 0, r.value.text);
      assert.match(r.value.text, /: €\d+\.\d\d a month \(saves €\d+\.\d\d\)$/);
    }
    const [, , , distance] = results;
    // 100 km less × 2¢ × (1.1 × 1 × 1 × t × 0.95): the distance scenario is exact arithmetic on the rate.
    if (distance?.ok && current.ok) {
      const m = 1.1 * current.value.rating.telematics.factor * 0.95;
      assert.ok(Math.abs(-distance.value.deltaCents - 200 * m) <= 1);
    }
  });

  test('a combined scenario saves more than any of its parts', () => {
    const [a, b] = standardScenarios();
    const both = whatIf(plan, input, { label: 'Both', changes: [...a!.changes, ...b!.changes] }, MODEL);
    const one = whatIf(plan, input, a!, MODEL);
    assert.ok(both.ok && one.ok && both.value.deltaCents < one.value.deltaCents);
  });
});
