// Safety score 0–100 for coaching, shown beside the pricing factor and never used to price.
// score = 100 · s₀^r, r = the driver's behaviour relativity (behaviourFrequency / classicFrequency)
// divided by the portfolio's mean relativity, s₀ = scoreAtPortfolioMean / 100. So a portfolio-average
// driver scores s₀·100 (e.g. 70), a driver with no predicted driving risk 100, twice the average 49: a
// strictly decreasing transform of predicted frequency relative to the portfolio, before rounding.
// The classic part (age, territory) is divided out because a driver cannot coach it away.
import type { RatingPlan } from './schema.ts';
import type { DriverRiskInput } from './types.ts';

export type SafetyScore =
  | { score: number; relativity: number; reason: null }
  | { score: null; relativity: null; reason: string };

export function safetyScore(config: RatingPlan['safetyScore'], risk: DriverRiskInput): SafetyScore {
  if (!(risk.exposureKm >= config.minDistanceKm)) {
    const driven = Math.floor(Math.max(0, risk.exposureKm));
    return {
      score: null,
      relativity: null,
      reason: `Drive at least ${config.minDistanceKm} km to get a safety score (${driven} km so far).`,
    };
  }
  const relativity = risk.behaviourFrequency / risk.classicFrequency / config.portfolioMeanRelativity;
  const score = Math.round(100 * (config.scoreAtPortfolioMean / 100) ** relativity);
  return { score, relativity, reason: null };
}
