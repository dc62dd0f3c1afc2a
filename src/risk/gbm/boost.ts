// Gradient boosting loop: gradients, row/column subsampling (seeded), one tree per round, early stopping
// on a validation set. Deterministic for a seed and independent of the thread count.
import type { Frame } from '../data/frame.ts';
import { createRng, type Rng } from '../prng.ts';
import { binCount, binFrame, type FeatureBinning, fitBinning, type GbmFeatureSpec } from './binning.ts';
import { MAX_HIST_CHUNKS } from './jobs.ts';
import type { TrainBuffers } from './kernels.ts';
import { evaluate, initialMargin, type Objective } from './objectives.ts';
import { type Parallel, parallel, sharedArray, type Targets } from './parallel.ts';
import { addTreeToMargin, compileTree } from './predict.ts';
import { growTree, type Tree, type TreeParams } from './tree.ts';

export interface GbmParams {
  objective: Objective;
  /** Maximum boosting rounds. */
  nTrees: number;
  learningRate: number;
  maxDepth: number;
  /** Default 2^maxDepth (then growth is effectively depth-wise). */
  maxLeaves?: number;
  /** Minimum hessian sum in a child (XGBoost's min_child_weight). */
  minHessian: number;
  /** L2 penalty on leaf weights. */
  lambda: number;
  minSplitGain: number;
  /** Fraction of rows drawn (without replacement, per tree). */
  subsample: number;
  /** Fraction of features drawn per tree. */
  colsample: number;
  maxBins: number;
  maxDeltaStep: number;
  catSmooth: number;
  /** Stop when the validation metric has not improved for this many rounds (0 = never). */
  earlyStoppingRounds: number;
  seed: number;
  threads: number;
}

export const DEFAULT_GBM_PARAMS: GbmParams = {
  objective: { name: 'poisson' },
  nTrees: 500,
  learningRate: 0.05,
  maxDepth: 6,
  minHessian: 1,
  lambda: 1,
  minSplitGain: 0,
  subsample: 1,
  colsample: 1,
  maxBins: 255,
  maxDeltaStep: 0,
  catSmooth: 10,
  earlyStoppingRounds: 50,
  seed: 1,
  threads: 1,
};

export interface GbmModel {
  objective: Objective;
  /** Initial margin (log scale for log-link objectives), before any tree. */
  baseScore: number;
  features: FeatureBinning[];
  trees: Tree[];
  params: GbmParams;
  /** Rounds kept (the best validation round when early stopping ran). */
  bestIteration: number;
  /** Validation metric after each round (empty without a validation set). */
  validHistory: number[];
}

export interface GbmData {
  frame: Frame;
  y: Float64Array;
  /** Added to the margin: log(exposure) for claim frequency. */
  offset?: Float64Array;
  weight?: Float64Array;
}

export interface GbmProgress {
  round: number;
  trainMetric?: number;
  validMetric?: number;
  elapsedMs: number;
}

export interface GbmTrainInput {
  train: GbmData;
  features: readonly GbmFeatureSpec[];
  valid?: GbmData;
  onProgress?: (p: GbmProgress) => void;
  /** Report progress every this many rounds (default 10). */
  progressEvery?: number;
}

function sampleRows(rows: Uint32Array, n: number, fraction: number, rng: Rng): number {
  if (fraction >= 1) {
    for (let i = 0; i < n; i++) rows[i] = i;
    return n;
  }
  let m = 0;
  for (let i = 0; i < n; i++) if (rng.next() < fraction) rows[m++] = i;
  return m;
}

/** Writes the features drawn for a tree (sorted) to the front of `out`; returns how many. */
function sampleFeatures(out: Int32Array, F: number, fraction: number, rng: Rng): number {
  const all = Int32Array.from({ length: F }, (_, i) => i);
  const k = Math.max(1, Math.min(F, Math.round(F * fraction)));
  if (k < F) {
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(F - i);
      const t = all[i]!;
      all[i] = all[j]!;
      all[j] = t;
    }
  }
  out.set(all.subarray(0, k).sort());
  return k;
}

export async function trainGbm(input: GbmTrainInput, params: Partial<GbmParams> = {}): Promise<GbmModel> {
  const p: GbmParams = { ...DEFAULT_GBM_PARAMS, ...params };
  const t0 = performance.now();
  const { train, valid } = input;
  const n = train.frame.nRows;
  const features = fitBinning(train.frame, input.features, p.maxBins);
  const F = features.length;
  if (F === 0) throw new Error('no features to train on');
  const nBins = Int32Array.from(features, binCount);
  const featOffset = new Int32Array(F + 1);
  for (let f = 0; f < F; f++) featOffset[f + 1] = featOffset[f]! + nBins[f]!;
  const totalBins = featOffset[F]!;
  const maxLeaves = Math.max(2, Math.min(p.maxLeaves ?? 2 ** p.maxDepth, 4096));
  const nSlots = maxLeaves + 1;
  const shared = p.threads > 1;
  const alloc = <T extends Float64Array | Uint32Array | Uint8Array | Int32Array>(
    ctor: (new (len: number) => T) & (new (buf: SharedArrayBuffer) => T),
    bytes: number,
    len: number,
  ): T => (shared ? sharedArray(ctor, bytes, len) : new ctor(len));
  const copy = (a: Float64Array | undefined): Float64Array | null => {
    if (!a) return null;
    const out = alloc(Float64Array, 8, a.length);
    out.set(a);
    return out;
  };
  const bins = binFrame(train.frame, features, alloc(Uint8Array, 1, n * F));
  const columns = alloc(Uint8Array, 1, n * F);
  for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) columns[f * n + r] = bins[r * F + f]!;
  const base = initialMargin(p.objective, train.y, train.offset, train.weight);
  const data: TrainBuffers = {
    nRows: n,
    nFeatures: F,
    bins,
    columns,
    gh: alloc(Float64Array, 8, 2 * n),
    rows: alloc(Uint32Array, 4, n),
    tmp: alloc(Uint32Array, 4, n),
    featOffset,
    totalBins,
    hists: alloc(Float64Array, 8, (nSlots + MAX_HIST_CHUNKS - 1) * 2 * totalBins),
    scratchSlot: nSlots,
    margin: alloc(Float64Array, 8, n).fill(base),
    features: alloc(Int32Array, 4, F),
    goLeft: alloc(Uint8Array, 1, 256),
    leftCounts: alloc(Int32Array, 4, Math.max(1, p.threads)),
    leaves: alloc(Float64Array, 8, 3 * maxLeaves),
  };
  const targets: Targets = {
    objective: p.objective,
    y: copy(train.y)!,
    offset: copy(train.offset),
    weight: copy(train.weight),
  };
  const info = {
    nBins,
    featOffset,
    isCategorical: Uint8Array.from(features, (f) => (f.kind === 'categorical' ? 1 : 0)),
    monotone: Int8Array.from(features, (f) => (f.kind === 'numeric' ? f.monotone : 0)),
  };
  const treeParams: TreeParams = {
    maxDepth: p.maxDepth,
    maxLeaves,
    learningRate: p.learningRate,
    maxDeltaStep: p.maxDeltaStep,
    lambda: p.lambda,
    minHessian: p.minHessian,
    minSplitGain: p.minSplitGain,
    catSmooth: p.catSmooth,
  };
  const par: Parallel = await parallel(data, targets, p.threads);
  try {
    const ctx = { data, par, info, freeSlots: Array.from({ length: nSlots }, (_, i) => nSlots - 1 - i) };
    const margin = data.margin;
    const validBins = valid ? binFrame(valid.frame, features) : null;
    const validMargin = valid ? new Float64Array(valid.frame.nRows).fill(base) : null;
    const rng = createRng(p.seed);
    const trees: Tree[] = [];
    const validHistory: number[] = [];
    let best = Number.POSITIVE_INFINITY;
    let bestIteration = 0;
    const every = input.progressEvery ?? 10;
    for (let round = 1; round <= p.nTrees; round++) {
      par.gradients();
      const m = sampleRows(data.rows, n, p.subsample, rng);
      const nActive = sampleFeatures(data.features, F, p.colsample, rng);
      const { tree, leaves } = growTree(ctx, m, nActive, treeParams);
      trees.push(tree);
      if (m === n) {
        leaves.forEach((l, k) => {
          data.leaves[3 * k] = l.start;
          data.leaves[3 * k + 1] = l.end;
          data.leaves[3 * k + 2] = tree.value[l.node]!;
        });
        par.applyLeaves(leaves.length, m);
      } else addTreeToMargin(compileTree(tree), data.bins, F, margin);
      let validMetric: number | undefined;
      if (valid && validBins && validMargin) {
        addTreeToMargin(compileTree(tree), validBins, F, validMargin);
        validMetric = evaluate(p.objective, valid.y, validMargin, valid.offset, valid.weight);
        validHistory.push(validMetric);
        if (validMetric < best) {
          best = validMetric;
          bestIteration = round;
        }
      } else bestIteration = round;
      if (input.onProgress && (round % every === 0 || round === p.nTrees)) {
        const trainMetric = evaluate(p.objective, train.y, margin, train.offset, train.weight);
        input.onProgress({
          round,
          trainMetric,
          ...(validMetric === undefined ? {} : { validMetric }),
          elapsedMs: performance.now() - t0,
        });
      }
      if (valid && p.earlyStoppingRounds > 0 && round - bestIteration >= p.earlyStoppingRounds) break;
    }
    return {
      objective: p.objective,
      baseScore: base,
      features,
      trees: trees.slice(0, bestIteration),
      params: p,
      bestIteration,
      validHistory,
    };
  } finally {
    await par.close();
  }
}
