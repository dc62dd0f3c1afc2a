// Boosting objectives: per-row loss, gradient and hessian with respect to the margin F (log / logit scale).
import { unitDeviance } from '../metrics.ts';

// The model's mean is link⁻¹(F + offset); for claim counts the offset is log(exposure).

export type Objective =
  | { name: 'poisson' }
  | { name: 'tweedie'; power: number }
  | { name: 'gamma' }
  | { name: 'squared_error' }
  | { name: 'logistic' };

/** Per-row loss (up to terms free of F), whose derivatives `gradients` returns. */
export function rowLoss(obj: Objective, y: number, margin: number): number {
  switch (obj.name) {
    case 'poisson':
      return Math.exp(margin) - y * margin;
    case 'tweedie': {
      const p = obj.power;
      return (-y * Math.exp((1 - p) * margin)) / (1 - p) + Math.exp((2 - p) * margin) / (2 - p);
    }
    case 'gamma':
      return y * Math.exp(-margin) + margin;
    case 'squared_error':
      return 0.5 * (margin - y) ** 2;
    case 'logistic':
      // log(1 + e^F) − yF, written to stay finite for large |F|.
      return Math.max(margin, 0) + Math.log1p(Math.exp(-Math.abs(margin))) - y * margin;
  }
}

/** Fills gradients and hessians for rows [from, to): margin is the full linear predictor (offset included). */
export function gradients(
  obj: Objective,
  y: Float64Array,
  margin: Float64Array,
  offset: Float64Array | undefined,
  weight: Float64Array | undefined,
  /** Gradient and hessian interleaved: gh[2i], gh[2i + 1]. */
  gh: Float64Array,
  from = 0,
  to = y.length,
): void {
  if (obj.name === 'poisson' && !weight) {
    // The common case (claim counts with exposure), as a tight loop.
    for (let i = from; i < to; i++) {
      const mu = Math.exp(margin[i]! + (offset ? offset[i]! : 0));
      gh[2 * i] = mu - y[i]!;
      gh[2 * i + 1] = mu;
    }
    return;
  }
  const name = obj.name;
  const p = obj.name === 'tweedie' ? obj.power : 0;
  for (let i = from; i < to; i++) {
    const f = margin[i]! + (offset ? offset[i]! : 0);
    const yi = y[i]!;
    let g: number;
    let h: number;
    if (name === 'poisson') {
      const mu = Math.exp(f);
      g = mu - yi;
      h = mu;
    } else if (name === 'tweedie') {
      const a = Math.exp((1 - p) * f);
      const b = Math.exp((2 - p) * f);
      g = -yi * a + b;
      h = -yi * (1 - p) * a + (2 - p) * b;
    } else if (name === 'gamma') {
      const r = yi * Math.exp(-f);
      g = 1 - r;
      h = r;
    } else if (name === 'squared_error') {
      g = f - yi;
      h = 1;
    } else {
      const s = 1 / (1 + Math.exp(-f));
      g = s - yi;
      h = Math.max(s * (1 - s), 1e-16);
    }
    const w = weight ? weight[i]! : 1;
    gh[2 * i] = g * w;
    gh[2 * i + 1] = h * w;
  }
}

/** Mean on the response scale for a margin (offset already added). */
export function inverseLink(obj: Objective, f: number): number {
  if (obj.name === 'squared_error') return f;
  if (obj.name === 'logistic') return 1 / (1 + Math.exp(-f));
  return Math.exp(f);
}

/** The constant margin that minimises the loss: the starting point of boosting. */
export function initialMargin(
  obj: Objective,
  y: Float64Array,
  offset: Float64Array | undefined,
  weight: Float64Array | undefined,
): number {
  let sy = 0;
  let sw = 0;
  let se = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weight ? weight[i]! : 1;
    const o = offset ? offset[i]! : 0;
    sy += w * y[i]!;
    sw += w;
    se += w * Math.exp(o);
  }
  switch (obj.name) {
    case 'poisson':
    case 'gamma':
    case 'tweedie':
      // Exact for Poisson; for the others the ratio estimator is the minimiser when offsets are equal.
      return Math.log(sy / se);
    case 'squared_error': {
      let so = 0;
      for (let i = 0; i < y.length; i++) so += (weight ? weight[i]! : 1) * (offset ? offset[i]! : 0);
      return (sy - so) / sw;
    }
    case 'logistic': {
      const m = Math.min(Math.max(sy / sw, 1e-12), 1 - 1e-12);
      return Math.log(m / (1 - m));
    }
  }
}

/** Validation metric, lower is better: mean deviance (Poisson, Gamma, Tweedie), log loss, or squared error. */
export function evaluate(
  obj: Objective,
  y: Float64Array,
  margin: Float64Array,
  offset: Float64Array | undefined,
  weight: Float64Array | undefined,
): number {
  const family = obj.name === 'poisson' || obj.name === 'gamma' || obj.name === 'tweedie' ? obj : null;
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weight ? weight[i]! : 1;
    const f = margin[i]! + (offset ? offset[i]! : 0);
    const d = family ? unitDeviance(family, y[i]!, Math.exp(f)) : rowLoss(obj, y[i]!, f);
    s += w * d;
    sw += w;
  }
  return s / sw;
}
