// The telematics frequency model recovers the simulator's documented claim process (src/sim/claims.ts) from a
// seeded portfolio on the real Andorra network, and is monotone in every behaviour.
//
// Portfolio: 2,000 simulated drivers (2 sampled trips each), claims observed over 40 policy-years per driver
// (≈ 6,900 claims). Tolerance for each coefficient: within 3 of its own standard errors of the true value, and
// the standard error itself below a stated ceiling (so "within 3 SE" cannot pass by being vague). The age curve
// (a natural spline) must be within 0.15 on the log scale of the true ageEffect, relative to age 45.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { importOsmPbf } from '../src/geo/index.ts';
import { BEHAVIOUR_KEYS } from '../src/pricing/index.ts';
import { relativities } from '../src/risk/glm/model.ts';
import {
  type TelematicsTrainResult,
  telematicsScorer,
  trainTelematicsModel,
} from '../src/risk/telematics/index.ts';
import { DEFAULT_OSM_FILE, simulatePortfolioRows } from '../src/services/models.ts';
import { ageEffect, CLAIM_MODEL } from '../src/sim/claims.ts';

let fit: TelematicsTrainResult;
const coef = new Map<string, { estimate: number; standardError: number }>();

before(async () => {
  const { network } = await importOsmPbf(DEFAULT_OSM_FILE, { countryCode: 'AD' });
  const rows = simulatePortfolioRows({
    network,
    policies: 2000,
    seed: 7,
    years: 40,
    tripsPerDriver: 2,
    routePoolSize: 100,
  });
  fit = await trainTelematicsModel(rows, { seed: 1 });
  if (fit.artifact.kind !== 'glm') throw new Error('expected a GLM');
  for (const c of fit.artifact.glm.coefficients) coef.set(c.name, c);
});

const m = CLAIM_MODEL;
/** [coefficient, true value, standard-error ceiling] in the model's units. */
const EXPECTED: Array<[string, number, number]> = [
  ['vehiclePowerKw', m.power, 0.06],
  ['vehicleAgeYears', m.vehicleAge, 0.005],
  ['territory=B', m.territory.B, 0.07],
  ['territory=C', m.territory.C, 0.07],
  ['territory=D', m.territory.D, 0.07],
  ['territory=E', m.territory.E, 0.08],
  ['annualKm', m.distance, 0.04],
  ['harshBrakingPer100Km', m.hardBraking, 0.02],
  ['speedingShare', m.speeding, 0.3],
  // The process is per phone minute per hour; the model reads seconds per hour.
  ['phoneUseSecPerHour', m.phone / 60, 0.0002],
  ['nightShare', m.night, 0.12],
];

describe('telematics frequency model on the simulated portfolio', () => {
  test('recovers every coefficient of the claim process within 3 standard errors', () => {
    const misses: string[] = [];
    for (const [name, truth, seCeiling] of EXPECTED) {
      const c = coef.get(name);
      if (!c) {
        misses.push(`${name}: no coefficient (dropped?)`);
        continue;
      }
      const z = (c.estimate - truth) / c.standardError;
      if (Math.abs(z) > 3 || c.standardError > seCeiling)
        misses.push(
          `${name}: ${c.estimate.toFixed(5)} ± ${c.standardError.toFixed(5)} vs ${truth} (z ${z.toFixed(2)})`,
        );
    }
    assert.deepEqual(misses, []);
  });

  test('behaviours the process ignores (acceleration, cornering) get no real effect', () => {
    for (const k of ['harshAccelerationPer100Km', 'harshCorneringPer100Km']) {
      const c = coef.get(k);
      assert.ok(
        !c || c.estimate < 3 * c.standardError,
        `${k}: ${c?.estimate} ± ${c?.standardError} should be dropped or insignificant`,
      );
    }
  });

  test('recovers the age curve within 0.15 on the log scale (relative to age 45)', () => {
    if (fit.artifact.kind !== 'glm') throw new Error('expected a GLM');
    const ages = [45, 18, 20, 25, 30, 40, 60, 75, 85];
    const rel = relativities(fit.artifact.glm, 'driverAge', ages);
    const off = ages.flatMap((a, i) => {
      const got = Math.log(rel[i]!.relativity);
      const want = ageEffect(a) - ageEffect(45);
      return Math.abs(got - want) > 0.15 ? [`age ${a}: ${got.toFixed(3)} vs ${want.toFixed(3)}`] : [];
    });
    assert.deepEqual(off, []);
  });

  test('driving features add discrimination on held-out policies, and the model is calibrated there', () => {
    assert.ok(fit.giniGain > 0.1, `Gini gain ${fit.giniGain}`);
    assert.ok(Math.abs(fit.test.actualToExpected - 1) < 0.08, `test A/E ${fit.test.actualToExpected}`);
  });

  test('a worse behaviour never lowers the frequency, whatever the classic factors', () => {
    const s = telematicsScorer(fit.artifact);
    const grid = { ...s.reference };
    for (const age of [18, 45, 80]) {
      const f = s.behaviourFunction({ ...s.classicDefaults, driverAge: age });
      for (const k of BEHAVIOUR_KEYS) {
        let prev = 0;
        for (let i = 0; i <= 50; i++) {
          const top = k.endsWith('Share') ? 1 : k === 'phoneUseSecPerHour' ? 3600 : 100;
          const v = f({ ...grid, [k]: (top * i) / 50 });
          assert.ok(v >= prev && v > 0, `${k} step ${i} at age ${age}`);
          prev = v;
        }
      }
    }
  });
});
