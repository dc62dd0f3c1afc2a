// Renewal rate capping: a term's premium moves at most +maxIncrease / −maxDecrease from the previous
// term's. Bounds are computed in integers so a cap is never exceeded by a rounding cent: the ceiling is
// rounded down and the floor rounded up.
import type { RatingPlan } from './schema.ts';

export interface CapBounds {
  lowerCents: number;
  upperCents: number;
}

export function renewalBounds(previousCents: number, cap: RatingPlan['renewalCap']): CapBounds {
  return {
    lowerCents: Math.ceil((previousCents * (10_000 - cap.maxDecreaseBp)) / 10_000),
    upperCents: Math.floor((previousCents * (10_000 + cap.maxIncreaseBp)) / 10_000),
  };
}

/** The capped premium; equals `ratedCents` when it is already within the bounds. */
export function capRenewal(previousCents: number, ratedCents: number, cap: RatingPlan['renewalCap']): number {
  const { lowerCents, upperCents } = renewalBounds(previousCents, cap);
  return Math.min(upperCents, Math.max(lowerCents, ratedCents));
}
