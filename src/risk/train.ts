// Training a frequency (or severity) model end to end from frames: response and exposure handling, the
// validation split for early stopping, metrics on learn and test, and the artifact.
import type { Result } from '../domain/index.ts';
import { err, ok } from '../domain/index.ts';
import { FORMAT_VERSION, type ModelArtifact, predict } from './artifact.ts';
import { type Frame, hashColumns, takeRows } from './data/frame.ts';
import type { GbmFeatureSpec } from './gbm/binning.ts';
import { type GbmModel, type GbmParams, trainGbm } from './gbm/boost.ts';
import type { Objective } from './gbm/objectives.ts';
import { fitGlm, type GlmModel } from './glm/model.ts';
import type { TermSpec } from './glm/terms.ts';
import { evaluateModel, type ModelMetrics } from './evaluate.ts';
import type { Family } from './metrics.ts';
import { createRng, permutation } from './prng.ts';

export interface TrainOptions {
  model: 'glm' | 'gbm';
  name?: string;
  target: string;
  /** Exposure column; without one every row is one unit. */
  exposure?: string;
  family: Family;
  glmTerms?: TermSpec[];
  gbmFeatures?: GbmFeatureSpec[];
  glm?: { lambda?: number; alpha?: number };
  gbm?: Partial<GbmParams>;
  /** Share of learn held out (seeded shuffle) for boosting's early stopping. Default 0.1. */
  validFraction?: number;
  /** After early stopping, refit boosting on all of learn with the best number of rounds. Default true. */
  refit?: boolean;
  seed?: number;
  onProgress?: (message: string) => void;
}

export interface TrainResult {
  artifact: ModelArtifact;
  metrics: { learn: ModelMetrics; test: ModelMetrics | null; trees?: number; durationMs: number };
}

interface Response {
  obs: Float64Array;
  exposure: Float64Array;
  y: Float64Array;
  offset?: Float64Array;
  weight?: Float64Array;
}

/** Poisson: counts with offset log(exposure). Gamma/Tweedie: value per exposure with exposure as weight. */
function response(frame: Frame, o: TrainOptions): Result<Response> {
  const t = frame.columns[o.target];
  if (!t) return err('unknown_column', `target column '${o.target}' is not in the data`, 'target');
  if (t.kind !== 'numeric') return err('bad_target', `target column '${o.target}' is not numeric`, 'target');
  let exposure: Float64Array = new Float64Array(frame.nRows).fill(1);
  if (o.exposure !== undefined) {
    const e = frame.columns[o.exposure];
    if (!e) return err('unknown_column', `exposure column '${o.exposure}' is not in the data`, 'exposure');
    if (e.kind !== 'numeric')
      return err('bad_exposure', `exposure column '${o.exposure}' is not numeric`, 'exposure');
    exposure = e.values;
  }
  const obs = t.values;
  for (let i = 0; i < frame.nRows; i++) {
    const y = obs[i]!;
    if (!Number.isFinite(y) || y < 0 || (o.family.name === 'gamma' && y <= 0)) {
      return err(
        'bad_target',
        `target '${o.target}' row ${i + 1}: ${y} is not a valid ${o.family.name} response`,
        'target',
      );
    }
    if (!(exposure[i]! > 0) || !Number.isFinite(exposure[i]!)) {
      return err(
        'bad_exposure',
        `exposure '${o.exposure}' row ${i + 1}: ${exposure[i]} is not positive`,
        'exposure',
      );
    }
  }
  if (o.family.name === 'poisson') return ok({ obs, exposure, y: obs, offset: exposure.map(Math.log) });
  return ok({ obs, exposure, y: obs.map((v, i) => v / exposure[i]!), weight: exposure });
}

function objectiveOf(f: Family): Objective {
  return f.name === 'tweedie' ? { name: 'tweedie', power: f.power } : { name: f.name };
}

function gbmData(frame: Frame, r: Response) {
  return {
    frame,
    y: r.y,
    ...(r.offset ? { offset: r.offset } : {}),
    ...(r.weight ? { weight: r.weight } : {}),
  };
}

function fitLinear(learn: Frame, r: Response, o: TrainOptions, log: (m: string) => void): GlmModel {
  const terms = o.glmTerms ?? [];
  log(`fitting GLM (${o.family.name}) with ${terms.length} terms on ${learn.nRows} rows`);
  const { model } = fitGlm(learn, {
    family: o.family,
    terms,
    y: r.y,
    ...(r.offset ? { offset: r.offset } : {}),
    ...(r.weight ? { weight: r.weight } : {}),
    referenceWeight: r.exposure,
    lambda: o.glm?.lambda ?? 0,
    alpha: o.glm?.alpha ?? 0,
  });
  log(`GLM converged=${model.converged} after ${model.iterations} iterations`);
  return model;
}

const progress =
  (log: (m: string) => void, phase: string) =>
  (p: { round: number; trainMetric?: number; validMetric?: number; elapsedMs: number }) => {
    const valid = p.validMetric === undefined ? '' : ` valid ${p.validMetric.toFixed(5)}`;
    log(
      `${phase} round ${p.round}: train ${p.trainMetric?.toFixed(5)}${valid} (${(p.elapsedMs / 1000).toFixed(1)} s)`,
    );
  };

/** Early stopping on a seeded share of learn, then (by default) a refit on all of learn. */
async function fitBoosting(
  learn: Frame,
  r: Response,
  o: TrainOptions,
  seed: number,
  log: (m: string) => void,
): Promise<GbmModel> {
  const features = o.gbmFeatures ?? [];
  const params: Partial<GbmParams> = { seed, ...o.gbm, objective: objectiveOf(o.family) };
  const frac = o.validFraction ?? 0.1;
  const all = { train: gbmData(learn, r), features };
  if (frac <= 0) return trainGbm({ ...all, onProgress: progress(log, 'fit') }, params);
  const perm = permutation(learn.nRows, createRng(seed));
  const nValid = Math.round(learn.nRows * frac);
  const fitFrame = takeRows(learn, perm.slice(0, learn.nRows - nValid).sort());
  const validFrame = takeRows(learn, perm.slice(learn.nRows - nValid).sort());
  const rf = response(fitFrame, o);
  const rv = response(validFrame, o);
  if (!rf.ok || !rv.ok) throw new Error('validation split failed');
  log(
    `boosting on ${fitFrame.nRows} rows, early stopping on ${nValid} (${frac * 100}% of learn, seed ${seed})`,
  );
  const model = await trainGbm(
    {
      train: gbmData(fitFrame, rf.value),
      valid: gbmData(validFrame, rv.value),
      features,
      onProgress: progress(log, 'fit'),
    },
    params,
  );
  log(`best round ${model.bestIteration}`);
  if (!(o.refit ?? true)) return model;
  log(`refitting on all ${learn.nRows} learn rows with ${model.bestIteration} rounds`);
  return trainGbm(
    { ...all, onProgress: progress(log, 'refit') },
    { ...params, nTrees: Math.max(1, model.bestIteration), earlyStoppingRounds: 0 },
  );
}

export async function trainModel(
  learn: Frame,
  test: Frame | null,
  o: TrainOptions,
): Promise<Result<TrainResult>> {
  const t0 = performance.now();
  const log = o.onProgress ?? (() => {});
  const r = response(learn, o);
  if (!r.ok) return r;
  const rt = test ? response(test, o) : null;
  if (rt && !rt.ok) return rt;
  const seed = o.seed ?? 1;
  let artifactBody: { kind: 'glm'; glm: GlmModel } | { kind: 'gbm'; gbm: GbmModel };
  const inputs =
    o.model === 'glm'
      ? [...new Set((o.glmTerms ?? []).map((t) => t.column))]
      : (o.gbmFeatures ?? []).map((f) => f.column);
  try {
    artifactBody =
      o.model === 'glm'
        ? { kind: 'glm', glm: fitLinear(learn, r.value, o, log) }
        : { kind: 'gbm', gbm: await fitBoosting(learn, r.value, o, seed, log) };
  } catch (e) {
    return err('fit_failed', (e as Error).message);
  }
  const durationMs = performance.now() - t0;
  const hashCols = [o.target, ...(o.exposure ? [o.exposure] : []), ...inputs];
  const artifact = {
    formatVersion: FORMAT_VERSION,
    name: o.name ?? `${o.model}-${o.family.name}`,
    createdAt: new Date().toISOString(),
    target: {
      column: o.target,
      exposure: o.exposure ?? null,
      exposureUse: o.exposure === undefined ? 'none' : o.family.name === 'poisson' ? 'offset' : 'weight',
    },
    inputs,
    metrics: {},
    training: {
      dataSha256: hashColumns(learn, hashCols),
      rows: learn.nRows,
      seed: o.model === 'gbm' ? seed : null,
      durationMs,
    },
    ...artifactBody,
  } as ModelArtifact;
  log('scoring learn and test');
  const learnMetrics = evaluateModel(o.family, r.value.obs, predict(artifact, learn), r.value.exposure);
  const testMetrics =
    test && rt?.ok ? evaluateModel(o.family, rt.value.obs, predict(artifact, test), rt.value.exposure) : null;
  const metrics = {
    learn: learnMetrics,
    test: testMetrics,
    ...(artifact.kind === 'gbm' ? { trees: artifact.gbm.trees.length } : {}),
    durationMs,
  };
  artifact.metrics = metrics as unknown as Record<string, unknown>;
  return ok({ artifact, metrics });
}
