// Exponential-dispersion families with the log link, as IRLS needs them.
import { type Family, unitDeviance } from '../metrics.ts';
import { lgamma } from './linalg.ts';

export type { Family };

/** Variance function V(μ). */
export function variance(family: Family, mu: number): number {
  switch (family.name) {
    case 'poisson':
      return mu;
    case 'gamma':
      return mu * mu;
    case 'tweedie':
      return mu ** family.power;
  }
}

/** IRLS working weight for the log link: w·(dμ/dη)²/V(μ) = w·μ²/V(μ). */
export function workingWeight(family: Family, mu: number, w: number): number {
  switch (family.name) {
    case 'poisson':
      return w * mu;
    case 'gamma':
      return w;
    case 'tweedie':
      return w * mu ** (2 - family.power);
  }
}

export function deviance(
  family: Family,
  y: ArrayLike<number>,
  mu: ArrayLike<number>,
  w: ArrayLike<number> | undefined,
): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (w ? w[i]! : 1) * unitDeviance(family, y[i]!, mu[i]!);
  return s;
}

/**
 * AIC as R's glm reports it: −2·loglik + 2·(parameters), with the Gamma dispersion estimated as deviance/n
 * (one more parameter). Undefined (NaN) for Tweedie, whose density has no closed form.
 */
export function aic(
  family: Family,
  y: ArrayLike<number>,
  mu: ArrayLike<number>,
  w: ArrayLike<number> | undefined,
  nParams: number,
): number {
  const n = y.length;
  if (family.name === 'poisson') {
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      ll += (w ? w[i]! : 1) * ((yi > 0 ? yi * Math.log(mu[i]!) : 0) - mu[i]! - lgamma(yi + 1));
    }
    return -2 * ll + 2 * nParams;
  }
  if (family.name === 'gamma') {
    let wsum = 0;
    for (let i = 0; i < n; i++) wsum += w ? w[i]! : 1;
    const disp = deviance(family, y, mu, w) / wsum;
    const shape = 1 / disp;
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const scale = mu[i]! * disp;
      const yi = y[i]!;
      ll +=
        (w ? w[i]! : 1) * ((shape - 1) * Math.log(yi) - yi / scale - lgamma(shape) - shape * Math.log(scale));
    }
    return -2 * ll + 2 * (nParams + 1);
  }
  return Number.NaN;
}
