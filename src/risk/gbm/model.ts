// Scoring a trained boosting model on new data.
import type { Frame } from '../data/frame.ts';
import { binFrame } from './binning.ts';
import type { GbmModel } from './boost.ts';
import { addTreeToMargin, compileTree } from './predict.ts';
import { treeExpectedValue, treeShap } from './shap.ts';

/** Margin (log of the expected value per unit exposure for log-link objectives), offset not included. */
export function gbmMargin(model: GbmModel, frame: Frame, nTrees = model.trees.length): Float64Array {
  const bins = binFrame(frame, model.features);
  const margin = new Float64Array(frame.nRows).fill(model.baseScore);
  for (let t = 0; t < nTrees; t++)
    addTreeToMargin(compileTree(model.trees[t]!), bins, model.features.length, margin);
  return margin;
}

/** Columns a boosting model reads. */
export function gbmInputColumns(model: GbmModel): string[] {
  return model.features.map((f) => f.name);
}

export interface GbmExplanation {
  /** baseScore + Σ E[tree]: the margin of an average training row. */
  expectedValue: number;
  /** SHAP value per feature (same order as model.features), on the margin scale. */
  contributions: Float64Array;
  /** expectedValue + Σ contributions. */
  margin: number;
}

/** Exact TreeSHAP for each requested row of `frame`. */
export function explainGbm(model: GbmModel, frame: Frame, rows: readonly number[]): GbmExplanation[] {
  const F = model.features.length;
  const bins = binFrame(frame, model.features);
  const compiled = model.trees.map(compileTree);
  let expected = model.baseScore;
  for (const t of model.trees) expected += treeExpectedValue(t);
  return rows.map((r) => {
    const x = bins.subarray(r * F, r * F + F);
    const phi = new Float64Array(F);
    for (const [k, t] of model.trees.entries()) treeShap(t, compiled[k]!, x, phi);
    let margin = expected;
    for (const v of phi) margin += v;
    return { expectedValue: expected, contributions: phi, margin };
  });
}
