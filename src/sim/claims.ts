// The documented claim-generating process (docs/simulator.md §Claims). Frequency is Poisson with a log-linear
// mean in classic rating factors and in driving; severity is Gamma. The coefficients are the answer key the
// risk models are tested against: a well-specified GLM fitted on a large portfolio should recover them.
import type { Rng } from './rng.ts';

export const TERRITORIES = ['A', 'B', 'C', 'D', 'E'] as const;
export type Territory = (typeof TERRITORIES)[number];

export interface RatingFactors {
  driverAge: number;
  vehiclePowerKw: number;
  vehicleAgeYears: number;
  territory: Territory;
  annualKm: number;
  harshBrakingPer100Km: number;
  /** Share of moving time above 1.10 × the limit (0..1). */
  speedingShare: number;
  /** Hand-held phone minutes per driving hour. */
  phoneMinPerHour: number;
  /** Share of distance driven 22:00–05:00 (0..1). */
  nightShare: number;
}

/**
 * log λ = intercept + ageEffect(age) + power·ln(kW/80) + vehicleAge·years + territory[t]
 *         + distance·ln(km/12000) + hardBraking·ln(1 + events per 100 km) + speeding·share + phone·(min/h)
 *         + night·share
 * λ is the expected number of claims per policy-year; a policy's mean is λ × exposure.
 */
export const CLAIM_MODEL = {
  /** Sets the portfolio's mean frequency near 0.08 claims per policy-year (docs/simulator.md). */
  intercept: Math.log(0.0232),
  /** Young drivers: ×(1 + youngExtra) at 18, fading with scale youngScaleYears; +oldSlope per year past 70. */
  youngExtra: 1.2,
  youngScaleYears: 5,
  oldSlope: 0.015,
  power: 0.25,
  vehicleAge: -0.01,
  territory: { A: 0, B: 0.08, C: 0.16, D: 0.28, E: 0.42 } as Readonly<Record<Territory, number>>,
  /** Close to proportional to distance (Boucher & Turcotte 2020). */
  distance: 0.9,
  /** Per unit of ln(1 + harsh brakings per 100 km): the rate is heavy-tailed, its effect is not linear. */
  hardBraking: 0.1,
  speeding: 10,
  phone: 0.25,
  night: 0.6,
  severity: {
    meanCents: 320_000,
    /** Gamma shape (coefficient of variation 1/√shape ≈ 0.9). */
    shape: 1.25,
    power: 0.2,
    /** Faster crashes cost more. */
    speeding: 1.5,
  },
} as const;

export function ageEffect(age: number): number {
  const m = CLAIM_MODEL;
  return (
    Math.log(1 + m.youngExtra * Math.exp(-(age - 18) / m.youngScaleYears)) +
    m.oldSlope * Math.max(0, age - 70)
  );
}

/** Expected claims per policy-year. */
export function claimFrequency(f: RatingFactors): number {
  const m = CLAIM_MODEL;
  const eta =
    m.intercept +
    ageEffect(f.driverAge) +
    m.power * Math.log(f.vehiclePowerKw / 80) +
    m.vehicleAge * f.vehicleAgeYears +
    m.territory[f.territory] +
    m.distance * Math.log(Math.max(f.annualKm, 100) / 12_000) +
    m.hardBraking * Math.log1p(f.harshBrakingPer100Km) +
    m.speeding * f.speedingShare +
    m.phone * f.phoneMinPerHour +
    m.night * f.nightShare;
  return Math.exp(eta);
}

export function severityMeanCents(f: RatingFactors): number {
  const s = CLAIM_MODEL.severity;
  return s.meanCents * Math.exp(s.power * Math.log(f.vehiclePowerKw / 80) + s.speeding * f.speedingShare);
}

export interface ClaimDraw {
  expected: number;
  count: number;
  amountsCents: number[];
}

export function drawClaims(f: RatingFactors, exposureYears: number, rng: Rng): ClaimDraw {
  const expected = claimFrequency(f) * exposureYears;
  const count = rng.poisson(expected);
  const mean = severityMeanCents(f);
  const shape = CLAIM_MODEL.severity.shape;
  const amountsCents: number[] = [];
  for (let k = 0; k < count; k++) amountsCents.push(Math.max(1, Math.round(rng.gamma(shape, mean / shape))));
  return { expected, count, amountsCents };
}
