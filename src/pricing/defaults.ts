// The default rating plans a tenant starts with (one per jurisdiction and product), until it publishes its own.
//
// Classic relativities are exp(β) of a Poisson GLM fitted on the freMTPL2 learn split (610,212 policies, the
// Noll et al. 2018 split; claims capped at 4, exposure at 1 year) with banded driver age, vehicle power,
// vehicle age and area:
//   openubi train --data freMTPL2freq.csv --target ClaimNb --exposure Exposure --model glm
//     --split split-noll2018.csv --target-max 4 --exposure-max 1
//     --features DrivAge:bins=25/40/65,VehPower:bins=6/8/10,VehAge:bins=3/10,Area:cat
// rounded to three decimals (docs/pricing.md, "The default plan"). freMTPL2's vehicle power is the French
// fiscal rating; the kW bands below are an approximate equivalence, to be refitted on the insurer's own data.
// Base: intercept frequency 0.0908/year × mean claim €2,278.54 (freMTPL2sev) / 0.70 (30% expenses and
// profit) / 12 = €24.63 a month, rounded to €25. PAYD splits the same €25 for 1,000 km a month into €10
// base + 1.5¢/km, daily cap 400 km (250 mi at 2.4¢/mi on mile plans).
import { resolveRules } from './jurisdictions.ts';
import type { PlanBands } from './bands.ts';
import type { BehaviourProfile } from './behaviour.ts';
import type { RatingPlan } from './schema.ts';

export type Product = 'payd' | 'phyd' | 'classic';
export const PRODUCTS: readonly Product[] = ['payd', 'phyd', 'classic'];

const CLASSIC_FACTORS: RatingPlan['classicFactors'] = [
  {
    name: 'ageBand',
    label: 'Driver age',
    levels: [
      { code: '18-24', relativity: 1.992 },
      { code: '25-39', relativity: 0.96 },
      { code: '40-64', relativity: 1 },
      { code: '65+', relativity: 0.964 },
    ],
  },
  {
    name: 'vehiclePower',
    label: 'Vehicle power',
    levels: [
      { code: 'under-55kw', label: 'under 55 kW', relativity: 0.956 },
      { code: '55-80kw', label: '55–80 kW', relativity: 1 },
      { code: '80-110kw', label: '80–110 kW', relativity: 0.926 },
      { code: '110kw-plus', label: '110 kW and more', relativity: 1.03 },
    ],
  },
  {
    name: 'vehicleAge',
    label: 'Vehicle age',
    levels: [
      { code: 'under-3', label: 'under 3 years', relativity: 1.42 },
      { code: '3-9', label: '3–9 years', relativity: 1 },
      { code: '10-plus', label: '10 years and more', relativity: 0.863 },
    ],
  },
  {
    name: 'territory',
    label: 'Territory',
    levels: [
      { code: 'A', label: 'A (most rural)', relativity: 0.893 },
      { code: 'B', relativity: 0.953 },
      { code: 'C', relativity: 1 },
      { code: 'D', relativity: 1.141 },
      { code: 'E', relativity: 1.263 },
      { code: 'F', label: 'F (most urban)', relativity: 1.355 },
    ],
  },
];

/** Which policy rating_factors feed which factor (keys as in migration 009's example). */
export const DEFAULT_BANDS: PlanBands = {
  factors: [
    {
      factor: 'ageBand',
      input: 'driverAge',
      kind: 'ranges',
      ranges: [
        { below: 25, code: '18-24' },
        { below: 40, code: '25-39' },
        { below: 65, code: '40-64' },
        { below: null, code: '65+' },
      ],
    },
    {
      factor: 'vehiclePower',
      input: 'vehiclePowerKw',
      kind: 'ranges',
      ranges: [
        { below: 55, code: 'under-55kw' },
        { below: 80, code: '55-80kw' },
        { below: 110, code: '80-110kw' },
        { below: null, code: '110kw-plus' },
      ],
    },
    {
      factor: 'vehicleAge',
      input: 'vehicleAgeYears',
      kind: 'ranges',
      ranges: [
        { below: 3, code: 'under-3' },
        { below: 10, code: '3-9' },
        { below: null, code: '10-plus' },
      ],
    },
    { factor: 'territory', input: 'territory', kind: 'codes' },
  ],
  annualKmInput: 'annualKm',
};

/** Credibility k in km of decay-weighted driving: a steady 1,000 km a month (≈1,250 km weighted over the
 * 90-day window with a 30-day half-life) counts ≈45%. A starting value: re-estimate it from the portfolio
 * with estimateBuhlmannStraub on monthly behaviour relativities. */
export const DEFAULT_CREDIBILITY_KM = 1500;

/** The safety-score settings of every default plan (also used for a driver without a policy). */
export const DEFAULT_SAFETY_SCORE: RatingPlan['safetyScore'] = {
  minDistanceKm: 300,
  scoreAtPortfolioMean: 70,
  portfolioMeanRelativity: 1,
};

/** The reference profile of the default plans; also a new driver's placeholder (credibility 0: neutral). */
export const DEFAULT_TYPICAL_BEHAVIOUR: BehaviourProfile = {
  harshBrakingPer100Km: 1.2,
  harshAccelerationPer100Km: 1,
  harshCorneringPer100Km: 0.8,
  speedingShare: 0.05,
  phoneUseSecPerHour: 30,
  nightShare: 0.05,
};

const TELEMATICS: NonNullable<RatingPlan['telematics']> = {
  maxDiscountBp: 3000,
  maxSurchargeBp: 2000,
  credibilityKm: DEFAULT_CREDIBILITY_KM,
  windowDays: 90,
  halfLifeDays: 30,
  typicalBehaviour: { ...DEFAULT_TYPICAL_BEHAVIOUR },
};

function money(jurisdiction: string): { currency: string; unit: 'km' | 'mile' } {
  if (jurisdiction === 'US' || jurisdiction.startsWith('US-')) return { currency: 'USD', unit: 'mile' };
  if (jurisdiction === 'GB') return { currency: 'GBP', unit: 'mile' };
  return { currency: 'EUR', unit: 'km' };
}

export const defaultPlanId = (jurisdiction: string, product: Product): string =>
  `default-${jurisdiction.toLowerCase()}-${product}`;

/**
 * The default plan for a jurisdiction and product, or null when the jurisdiction has no rule pack. Where
 * behaviour may not be priced (mileage-only, e.g. US-CA) the PHYD plan has no telematics section and prices
 * like the classic one.
 */
export function defaultPlan(
  jurisdiction: string,
  product: Product,
): { plan: RatingPlan; bands: PlanBands } | null {
  const rules = resolveRules(jurisdiction);
  if (rules === null) return null;
  const { currency, unit } = money(jurisdiction);
  const plan: RatingPlan = {
    schemaVersion: 1,
    id: defaultPlanId(jurisdiction, product),
    version: 1,
    name: `Default ${product.toUpperCase()} plan (${jurisdiction})`,
    jurisdiction,
    currency,
    distanceUnit: unit,
    effectiveFrom: '2000-01-01',
    baseMonthlyCents: product === 'payd' ? 1000 : 2500,
    classicFactors: structuredClone(CLASSIC_FACTORS),
    enrollmentDiscountBp: product === 'phyd' ? 500 : 0,
    renewalCap: { maxIncreaseBp: 1500, maxDecreaseBp: 2500 },
    safetyScore: { ...DEFAULT_SAFETY_SCORE },
  };
  if (product === 'payd') {
    plan.distance =
      unit === 'km'
        ? { ratePerUnitMillicents: 1500, dailyCapUnits: 400 }
        : { ratePerUnitMillicents: 2400, dailyCapUnits: 250 };
  }
  if (product === 'phyd' && rules.behaviourAllowed) plan.telematics = structuredClone(TELEMATICS);
  return { plan, bands: structuredClone(DEFAULT_BANDS) };
}
