// A fitted GLM as plain data (what the artifact stores), its scoring and its relativity tables.
import type { Frame } from '../data/frame.ts';
import type { Family } from './families.ts';
import { irls, linearPredictor } from './fit.ts';
import { buildDesign } from './design.ts';
import { clampTransform, fitTerms, splineBasis, type TermEncoding, type TermSpec } from './terms.ts';

export interface GlmOptions {
  family: Family;
  terms: readonly TermSpec[];
  /** Column-free inputs: response, optional offset (log exposure) and prior weights, one per frame row. */
  y: Float64Array;
  offset?: Float64Array;
  weight?: Float64Array;
  /** Weights that choose reference levels and spline knots (default: exp(offset), i.e. exposure). */
  referenceWeight?: Float64Array;
  lambda?: number;
  alpha?: number;
}

export interface GlmCoefficient {
  name: string;
  estimate: number;
  standardError: number;
}

export interface GlmModel {
  family: Family;
  terms: TermEncoding[];
  coefficients: GlmCoefficient[];
  lambda: number;
  alpha: number;
  deviance: number;
  nullDeviance: number;
  aic: number;
  dispersion: number;
  iterations: number;
  converged: boolean;
  nObs: number;
  dfResidual: number;
}

export function fitGlm(frame: Frame, o: GlmOptions): { model: GlmModel; fitted: Float64Array } {
  const refW = o.referenceWeight ?? (o.offset ? o.offset.map(Math.exp) : undefined);
  const terms = fitTerms(frame, o.terms, refW);
  const design = buildDesign(frame, terms);
  const opts = {
    family: o.family,
    ...(o.offset ? { offset: o.offset } : {}),
    ...(o.weight ? { weight: o.weight } : {}),
  };
  const fit = irls(design, o.y, { ...opts, lambda: o.lambda ?? 0, alpha: o.alpha ?? 0 });
  const nullFit = irls(buildDesign(frame, []), o.y, opts);
  const model: GlmModel = {
    family: o.family,
    terms,
    coefficients: design.names.map((name, j) => ({
      name,
      estimate: fit.coefficients[j]!,
      standardError: fit.standardErrors[j]!,
    })),
    lambda: o.lambda ?? 0,
    alpha: o.alpha ?? 0,
    deviance: fit.deviance,
    nullDeviance: nullFit.deviance,
    aic: fit.aic,
    dispersion: fit.dispersion,
    iterations: fit.iterations,
    converged: fit.converged,
    nObs: frame.nRows,
    dfResidual: fit.dfResidual,
  };
  return { model, fitted: fit.fitted };
}

/** Linear predictor without offset: log of the expected value per unit of exposure. */
export function glmMargin(model: GlmModel, frame: Frame): Float64Array {
  const design = buildDesign(frame, model.terms);
  return linearPredictor(
    design,
    Float64Array.from(model.coefficients, (c) => c.estimate),
  );
}

export interface TermContribution {
  term: string;
  /** Contribution to the log of the prediction. */
  logContribution: number;
  /** exp(logContribution): the factor this term multiplies the base rate by. */
  relativity: number;
}

/** Per-term multiplicative breakdown of one row: exp(intercept) × Π relativities = prediction. */
export function glmContributions(model: GlmModel, frame: Frame, row: number): TermContribution[] {
  const design = buildDesign(frame, model.terms);
  const m = design.slots;
  const beta = model.coefficients.map((c) => c.estimate);
  const out: TermContribution[] = [];
  let slot = 1;
  for (const t of model.terms) {
    const width = t.kind === 'spline' ? t.columns.length : 1;
    let s = 0;
    for (let a = slot; a < slot + width; a++) {
      const c = design.cols[row * m + a]!;
      if (c >= 0) s += design.vals[row * m + a]! * beta[c]!;
    }
    out.push({ term: t.name, logContribution: s, relativity: Math.exp(s) });
    slot += width;
  }
  return out;
}

export interface RelativityRow {
  level: string;
  relativity: number;
  /** 95% interval from the coefficient's standard error (categorical and binned terms). */
  lower?: number;
  upper?: number;
}

/**
 * Relativity table of a term: per level against the reference for categorical and binned terms; for numeric
 * and spline terms, at points over the training range relative to its first point.
 */
export function relativities(
  model: GlmModel,
  termName: string,
  points: readonly number[] = [],
): RelativityRow[] {
  const t = model.terms.find((x) => x.name === termName);
  if (!t) throw new Error(`no term '${termName}'`);
  const coef = new Map(model.coefficients.map((c) => [c.name, c]));
  const interval = (name: string): RelativityRow => {
    const c = coef.get(name)!;
    const r = { level: '', relativity: Math.exp(c.estimate) };
    if (!Number.isFinite(c.standardError)) return r;
    return {
      ...r,
      lower: Math.exp(c.estimate - 1.96 * c.standardError),
      upper: Math.exp(c.estimate + 1.96 * c.standardError),
    };
  };
  if (t.kind === 'categorical') {
    return t.levels.map((l) =>
      l === t.reference ? { level: l, relativity: 1 } : { ...interval(`${t.name}=${l}`), level: l },
    );
  }
  if (t.kind === 'binned') {
    return t.labels.map((l, b) =>
      b === t.reference ? { level: l, relativity: 1 } : { ...interval(`${t.name}${l}`), level: l },
    );
  }
  const beta = t.columns.map((c) => coef.get(c)!.estimate);
  const f = (x: number): number => {
    if (t.kind === 'numeric') {
      return beta[0]! * clampTransform(x, t);
    }
    const basis = new Float64Array(t.columns.length);
    splineBasis(x, t.knots, basis, 0);
    return basis.reduce((s, b, j) => s + b * beta[j]!, 0);
  };
  const xs = points.length ? points : t.kind === 'spline' ? t.knots : [];
  if (xs.length === 0) return [{ level: 'per unit', relativity: Math.exp(beta[0]!) }];
  const f0 = f(xs[0]!);
  return xs.map((x) => ({ level: String(x), relativity: Math.exp(f(x) - f0) }));
}

/** Columns a GLM reads from the input rows. */
export function glmInputColumns(model: GlmModel): string[] {
  return [...new Set(model.terms.map((t) => t.column))];
}
