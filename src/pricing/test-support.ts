// Test and benchmark support only (not exported from index.ts): a seeded PRNG, samplers, example plans
// and a small log-linear frequency model. None of this is product data: the real plans load from files
// and the real frequency model is the risk library's champion, injected by the composition root.
import type { BehaviourKey, BehaviourProfile } from './behaviour.ts';
import type { RatingPlan } from './schema.ts';
import type { PricingPlan } from './plan.ts';
import type { FrequencyModel, QuoteInput } from './types.ts';
import { validatePlan } from './validate.ts';

/** mulberry32: small, fast, good enough for simulation; same seed → same stream. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Gamma(shape, rate) by Marsaglia–Tsang (shape ≥ 1). */
export function gamma(rand: () => number, shape: number, rate: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rand);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/** Poisson by inversion (fine for the small means used here). */
export function poisson(rand: () => number, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  const u = rand();
  while (u > cdf) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

export const TYPICAL: BehaviourProfile = {
  harshBrakingPer100Km: 1.2,
  harshAccelerationPer100Km: 1.0,
  harshCorneringPer100Km: 0.8,
  speedingShare: 0.05,
  phoneUseSecPerHour: 30,
  nightShare: 0.05,
};

/**
 * A documented log-linear test model: f(b) = f₀ · exp(Σ β_k · b_k), β ≥ 0 so it is monotone in every
 * behaviour. β per unit: harsh braking 0.08 / (event per 100 km), acceleration 0.05, cornering 0.04,
 * speeding share 1.2, phone use 0.002 / (s per hour), night share 0.8. Chosen only to be plausible.
 */
export const TEST_BETA: Readonly<Record<BehaviourKey, number>> = {
  harshBrakingPer100Km: 0.08,
  harshAccelerationPer100Km: 0.05,
  harshCorneringPer100Km: 0.04,
  speedingShare: 1.2,
  phoneUseSecPerHour: 0.002,
  nightShare: 0.8,
};

export function logLinearModel(
  beta: Readonly<Record<BehaviourKey, number>> = TEST_BETA,
  f0 = 0.07,
): FrequencyModel {
  return (b) =>
    f0 *
    Math.exp(
      beta.harshBrakingPer100Km * b.harshBrakingPer100Km +
        beta.harshAccelerationPer100Km * b.harshAccelerationPer100Km +
        beta.harshCorneringPer100Km * b.harshCorneringPer100Km +
        beta.speedingShare * b.speedingShare +
        beta.phoneUseSecPerHour * b.phoneUseSecPerHour +
        beta.nightShare * b.nightShare,
    );
}

/** An example EUR/km PHYD plan for France (classic GLM-style relativities, behaviour factor −30%…+20%). */
export function examplePhydPlan(): RatingPlan {
  return {
    schemaVersion: 1,
    id: 'fr-motor-phyd',
    version: 1,
    name: 'France motor, pay how you drive',
    jurisdiction: 'FR',
    currency: 'EUR',
    distanceUnit: 'km',
    effectiveFrom: '2025-01-01',
    baseMonthlyCents: 4000,
    classicFactors: [
      {
        name: 'ageBand',
        label: 'Driver age',
        levels: [
          { code: '18-24', relativity: 1.8 },
          { code: '25-39', relativity: 1.1 },
          { code: '40-64', relativity: 1.0 },
          { code: '65+', relativity: 1.15 },
        ],
      },
      {
        name: 'territory',
        label: 'Territory',
        levels: [
          { code: 'A', label: 'A (rural)', relativity: 0.85 },
          { code: 'B', label: 'B (suburban)', relativity: 1.0 },
          { code: 'C', label: 'C (urban)', relativity: 1.25 },
        ],
      },
      {
        name: 'vehiclePower',
        label: 'Vehicle power',
        levels: [
          { code: 'low', relativity: 0.95 },
          { code: 'mid', relativity: 1.0 },
          { code: 'high', relativity: 1.2 },
        ],
      },
    ],
    telematics: {
      maxDiscountBp: 3000,
      maxSurchargeBp: 2000,
      credibilityKm: 3000,
      windowDays: 90,
      halfLifeDays: 30,
      typicalBehaviour: { ...TYPICAL },
    },
    enrollmentDiscountBp: 500,
    renewalCap: { maxIncreaseBp: 1500, maxDecreaseBp: 2500 },
    safetyScore: { minDistanceKm: 500, scoreAtPortfolioMean: 70, portfolioMeanRelativity: 1 },
  };
}

/** The published pay-per-mile example: $30 a month + 3.2¢ a mile, daily cap 250 mi (mileage only). */
export function examplePerMilePlan(): RatingPlan {
  return {
    schemaVersion: 1,
    id: 'us-ca-per-mile',
    version: 1,
    name: 'California pay per mile',
    jurisdiction: 'US-CA',
    currency: 'USD',
    distanceUnit: 'mile',
    effectiveFrom: '2025-01-01',
    baseMonthlyCents: 3000,
    classicFactors: [],
    distance: { ratePerUnitMillicents: 3200, dailyCapUnits: 250 },
    enrollmentDiscountBp: 0,
    renewalCap: { maxIncreaseBp: 1500, maxDecreaseBp: 2500 },
    safetyScore: { minDistanceKm: 500, scoreAtPortfolioMean: 70, portfolioMeanRelativity: 1 },
  };
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/**
 * A simulated driver for the example PHYD plan: behaviour log-normal around typical, classic frequency
 * from the relativities, behaviour frequency = classic · model(b)/model(typical) · other-features noise.
 */
export function simulatedDriver(rand: () => number, id: number, model: FrequencyModel): QuoteInput {
  const ln = (m: number, s: number) => m * Math.exp(s * normal(rand) - (s * s) / 2);
  const behaviour: BehaviourProfile = {
    harshBrakingPer100Km: ln(TYPICAL.harshBrakingPer100Km, 0.7),
    harshAccelerationPer100Km: ln(TYPICAL.harshAccelerationPer100Km, 0.7),
    harshCorneringPer100Km: ln(TYPICAL.harshCorneringPer100Km, 0.7),
    speedingShare: Math.min(1, ln(TYPICAL.speedingShare, 0.8)),
    phoneUseSecPerHour: rand() < 0.3 ? 0 : ln(TYPICAL.phoneUseSecPerHour * 1.4, 1),
    nightShare: Math.min(1, ln(TYPICAL.nightShare, 0.9)),
  };
  const ageBand = pick(rand, ['18-24', '25-39', '40-64', '40-64', '65+']);
  const territory = pick(rand, ['A', 'B', 'B', 'C']);
  const vehiclePower = pick(rand, ['low', 'mid', 'mid', 'high']);
  const classicFrequency = 0.07 * (ageBand === '18-24' ? 1.8 : 1) * (territory === 'C' ? 1.25 : 1);
  const behaviourFrequency = (classicFrequency * model(behaviour) * ln(1, 0.1)) / model(TYPICAL);
  return {
    driverId: `d${id}`,
    ratingLevels: { ageBand, territory, vehiclePower },
    risk: { classicFrequency, behaviourFrequency, exposureKm: rand() * 6000, behaviour },
    projectedMonthlyKm: 200 + rand() * 1800,
    enrolled: rand() < 0.9,
  };
}

/** Validates a plan for a test, failing loudly with every violation. */
export function mustValidate(plan: unknown): PricingPlan {
  const r = validatePlan(plan);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
