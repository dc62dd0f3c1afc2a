// The metrics a pricing actuary reads off a frequency model, computed once for learn and once for test.
import {
  dSquared,
  type Family,
  gini,
  type LiftBand,
  liftTable,
  meanDeviance,
  poissonDevianceX100,
} from './metrics.ts';

export interface ModelMetrics {
  rows: number;
  exposure: number;
  observed: number;
  expected: number;
  /** Observed / expected in total (calibration-in-the-large). */
  actualToExpected: number;
  /** Mean unit deviance of the family (for Gamma/Tweedie on value per exposure, exposure-weighted). */
  meanDeviance: number;
  /** Mean Poisson deviance × 100 on counts: the freMTPL2 literature's "×10⁻²" figure (Poisson only). */
  poissonDevianceX100?: number;
  /** Exposure-weighted Gini of the predicted rate. */
  gini: number;
  d2: number;
  liftByDecile: LiftBand[];
}

/** obs: target values; rate: predicted value per exposure unit; exposure: units per row. */
export function evaluateModel(
  family: Family,
  obs: Float64Array,
  rate: Float64Array,
  exposure: Float64Array,
): ModelMetrics {
  const n = obs.length;
  const expectedCounts = new Float64Array(n);
  let observed = 0;
  let expected = 0;
  let totalExposure = 0;
  for (let i = 0; i < n; i++) {
    expectedCounts[i] = rate[i]! * exposure[i]!;
    observed += obs[i]!;
    expected += expectedCounts[i]!;
    totalExposure += exposure[i]!;
  }
  let dev: number;
  let d2: number;
  if (family.name === 'poisson') {
    dev = meanDeviance(family, obs, expectedCounts);
    d2 = dSquared(family, obs, expectedCounts, exposure);
  } else {
    const perUnit = obs.map((v, i) => v / exposure[i]!);
    dev = meanDeviance(family, perUnit, rate, exposure);
    const overall = new Float64Array(n).fill(observed / totalExposure);
    d2 = 1 - dev / meanDeviance(family, perUnit, overall, exposure);
  }
  return {
    rows: n,
    exposure: totalExposure,
    observed,
    expected,
    actualToExpected: observed / expected,
    meanDeviance: dev,
    ...(family.name === 'poisson' ? { poissonDevianceX100: poissonDevianceX100(obs, expectedCounts) } : {}),
    gini: gini(obs, rate, exposure),
    d2,
    liftByDecile: liftTable(obs, rate, exposure, 10),
  };
}
