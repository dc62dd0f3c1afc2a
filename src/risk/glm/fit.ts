// Iteratively reweighted least squares for log-link GLMs on a sparse design, with optional elastic net.
import {
  aic as familyAic,
  type Family,
  deviance as familyDeviance,
  variance,
  workingWeight,
} from './families.ts';
import { cholesky, choleskyInverse, choleskySolve } from './linalg.ts';
import type { Design } from './design.ts';

export interface IrlsOptions {
  family: Family;
  /** Added to the linear predictor, e.g. log(exposure) for claim counts. */
  offset?: Float64Array;
  /** Prior weights. */
  weight?: Float64Array;
  /** Penalty λ on the scale of mean deviance / 2; the intercept is never penalised. Default 0. */
  lambda?: number;
  /** Elastic-net mix: 0 = ridge (L2), 1 = lasso (L1). Default 0. */
  alpha?: number;
  maxIterations?: number;
  /** Relative change of the (penalised) deviance that ends the iterations, as R's glm.control epsilon. */
  tolerance?: number;
}

export interface IrlsFit {
  coefficients: Float64Array;
  /** From the inverse Fisher information × dispersion; NaN for coefficients a lasso set to zero. */
  standardErrors: Float64Array;
  deviance: number;
  aic: number;
  dispersion: number;
  iterations: number;
  converged: boolean;
  dfResidual: number;
  /** Fitted means μ (on the response scale, offset included). */
  fitted: Float64Array;
}

export function linearPredictor(d: Design, beta: Float64Array, offset?: Float64Array): Float64Array {
  const eta = new Float64Array(d.nRows);
  const m = d.slots;
  for (let i = 0; i < d.nRows; i++) {
    let s = offset ? offset[i]! : 0;
    for (let a = 0; a < m; a++) {
      const c = d.cols[i * m + a]!;
      if (c >= 0) s += d.vals[i * m + a]! * beta[c]!;
    }
    eta[i] = s;
  }
  return eta;
}

/** X'WX (full symmetric) and X'Wz. Slots hold increasing column indices, so one triangle is accumulated. */
function normalEquations(d: Design, w: Float64Array, z: Float64Array): { g: Float64Array; b: Float64Array } {
  const p = d.nCols;
  const m = d.slots;
  const g = new Float64Array(p * p);
  const b = new Float64Array(p);
  const { cols, vals } = d;
  for (let i = 0; i < d.nRows; i++) {
    const base = i * m;
    const wi = w[i]!;
    const zi = z[i]!;
    for (let a = 0; a < m; a++) {
      const ca = cols[base + a]!;
      if (ca < 0) continue;
      const va = vals[base + a]! * wi;
      b[ca]! += va * zi;
      const row = ca * p;
      for (let c = 0; c <= a; c++) {
        const cc = cols[base + c]!;
        if (cc >= 0) g[row + cc]! += va * vals[base + c]!;
      }
    }
  }
  for (let r = 0; r < p; r++) for (let c = 0; c < r; c++) g[c * p + r] = g[r * p + c]!;
  return { g, b };
}

/** Minimises ½βᵀGβ − bᵀβ + l1·Σ|βⱼ| + ½·l2·Σβⱼ² (j ≥ 1) by coordinate descent, warm-started at `beta`. */
function elasticNetQuadratic(
  g: Float64Array,
  b: Float64Array,
  p: number,
  l1: number,
  l2: number,
  beta: Float64Array,
) {
  const x = Float64Array.from(beta);
  for (let sweep = 0; sweep < 10_000; sweep++) {
    let maxDelta = 0;
    for (let j = 0; j < p; j++) {
      let r = b[j]!;
      for (let k = 0; k < p; k++) if (k !== j) r -= g[j * p + k]! * x[k]!;
      const gjj = g[j * p + j]!;
      let next: number;
      if (j === 0) next = r / gjj;
      else {
        const shrunk = Math.abs(r) - l1;
        next = shrunk > 0 ? (Math.sign(r) * shrunk) / (gjj + l2) : 0;
      }
      maxDelta = Math.max(maxDelta, Math.abs(next - x[j]!) * Math.sqrt(gjj));
      x[j] = next;
    }
    if (maxDelta < 1e-12) break;
  }
  return x;
}

export function irls(d: Design, y: Float64Array, options: IrlsOptions): IrlsFit {
  const { family, offset, weight } = options;
  const n = d.nRows;
  const p = d.nCols;
  const lambda = options.lambda ?? 0;
  const alpha = options.alpha ?? 0;
  const maxIt = options.maxIterations ?? 50;
  const tol = options.tolerance ?? 1e-10;
  let wTotal = 0;
  let wy = 0;
  let wOff = 0;
  for (let i = 0; i < n; i++) {
    const w = weight ? weight[i]! : 1;
    wTotal += w;
    wy += w * y[i]!;
    wOff += w * Math.exp(offset ? offset[i]! : 0);
  }
  const l1 = wTotal * lambda * alpha;
  const l2 = wTotal * lambda * (1 - alpha);
  const penalty = (beta: Float64Array): number => {
    let s = 0;
    for (let j = 1; j < p; j++) s += l1 * Math.abs(beta[j]!) + 0.5 * l2 * beta[j]! ** 2;
    return s;
  };
  const evaluate = (beta: Float64Array) => {
    const eta = linearPredictor(d, beta, offset);
    const mu = eta.map(Math.exp);
    const dev = familyDeviance(family, y, mu, weight);
    return { eta, mu, dev, objective: dev / 2 + penalty(beta) };
  };

  let beta: Float64Array = new Float64Array(p);
  beta[0] = Math.log(wy / wOff);
  let cur = evaluate(beta);
  let converged = false;
  let it = 0;
  let gram: Float64Array = new Float64Array(0);
  const z = new Float64Array(n);
  const wk = new Float64Array(n);
  for (it = 1; it <= maxIt; it++) {
    for (let i = 0; i < n; i++) {
      const mu = cur.mu[i]!;
      wk[i] = workingWeight(family, mu, weight ? weight[i]! : 1);
      z[i] = cur.eta[i]! - (offset ? offset[i]! : 0) + (y[i]! - mu) / mu;
    }
    const { g, b } = normalEquations(d, wk, z);
    gram = g;
    let next: Float64Array;
    if (l1 > 0) next = elasticNetQuadratic(g, b, p, l1, l2, beta);
    else {
      const a = Float64Array.from(g);
      for (let j = 1; j < p; j++) a[j * p + j]! += l2;
      if (!cholesky(a, p))
        throw new Error('GLM design is singular: a term is constant or duplicates another');
      next = choleskySolve(a, p, b);
    }
    let trial = evaluate(next);
    // Step halving, as R's glm.fit, when a full step does not improve the objective.
    for (let h = 0; h < 30 && !(trial.objective <= cur.objective * (1 + 1e-12)); h++) {
      next = next.map((v, j) => (v + beta[j]!) / 2);
      trial = evaluate(next);
    }
    const change = Math.abs(trial.objective - cur.objective) / (Math.abs(trial.objective) + 0.1);
    beta = next;
    cur = trial;
    if (change < tol) {
      converged = true;
      break;
    }
  }

  const active = Array.from(beta, (v, j) => j === 0 || l1 === 0 || v !== 0);
  const nActive = active.filter(Boolean).length;
  let dispersion = 1;
  if (family.name !== 'poisson') {
    let pearson = 0;
    for (let i = 0; i < n; i++) {
      const mu = cur.mu[i]!;
      pearson += ((weight ? weight[i]! : 1) * (y[i]! - mu) ** 2) / variance(family, mu);
    }
    dispersion = pearson / (n - nActive);
  }
  const standardErrors = covarianceDiagonal(gram, p, active, l2).map((v) => Math.sqrt(v * dispersion));
  return {
    coefficients: beta,
    standardErrors,
    deviance: cur.dev,
    aic: familyAic(family, y, cur.mu, weight, nActive),
    dispersion,
    iterations: Math.min(it, maxIt),
    converged,
    dfResidual: n - nActive,
    fitted: cur.mu,
  };
}

/** Diagonal of (X'WX + ridge)⁻¹ restricted to the active coefficients (NaN elsewhere). */
function covarianceDiagonal(g: Float64Array, p: number, active: boolean[], l2: number): Float64Array {
  const idx = active.flatMap((a, j) => (a ? [j] : []));
  const q = idx.length;
  const a = new Float64Array(q * q);
  for (let r = 0; r < q; r++) {
    for (let c = 0; c < q; c++) a[r * q + c] = g[idx[r]! * p + idx[c]!]! + (r === c && idx[r]! > 0 ? l2 : 0);
  }
  const out = new Float64Array(p).fill(Number.NaN);
  if (!cholesky(a, q)) return out;
  const inv = choleskyInverse(a, q);
  idx.forEach((j, r) => {
    out[j] = inv[r * q + r]!;
  });
  return out;
}
