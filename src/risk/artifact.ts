// The versioned model artifact: everything needed to score new rows (feature encodings, coefficients or
// trees), how the model was trained (parameters, data hash) and how well it did (metrics). Plain JSON.
import type { Result } from '../domain/index.ts';
import { err, ok } from '../domain/index.ts';
import { type Frame, frameFromRows, type RawRow } from './data/frame.ts';
import type { GbmModel } from './gbm/boost.ts';
import { explainGbm, gbmInputColumns, gbmMargin } from './gbm/model.ts';
import { inverseLink } from './gbm/objectives.ts';
import { glmContributions, glmInputColumns, glmMargin, type GlmModel } from './glm/model.ts';

export const FORMAT_VERSION = 1;

export interface TargetSpec {
  /** Response column (claim count, or an amount for Gamma/Tweedie). */
  column: string;
  /** Exposure column (years), or null when every row counts as one unit. */
  exposure: string | null;
  /**
   * How exposure entered the fit: as an offset log(exposure) on counts (Poisson), or as a weight on
   * target/exposure (Gamma, Tweedie). Either way the model predicts the value per unit of exposure.
   */
  exposureUse: 'offset' | 'weight' | 'none';
}

export interface TrainingInfo {
  /** sha256 of the training rows' target, exposure and feature columns (see hashColumns). */
  dataSha256: string;
  rows: number;
  seed: number | null;
  durationMs: number;
}

interface ArtifactBase {
  formatVersion: typeof FORMAT_VERSION;
  name: string;
  createdAt: string;
  target: TargetSpec;
  /** Input columns the model reads. */
  inputs: string[];
  metrics: Record<string, unknown>;
  training: TrainingInfo;
  /** Telematics frequency models only: how the driver-risk service fills and neutralises inputs. */
  telematics?: TelematicsInfo;
}

export interface TelematicsInfo {
  /** Behaviour inputs (BehaviourProfile keys) the model has a term for. */
  behaviourKeys: string[];
  /** Exposure-weighted mean behaviour of the training portfolio: the neutral profile of classicFrequency. */
  behaviourReference: Record<string, number>;
  /** Values for classic factors a policy does not state: exposure-weighted medians, the modal territory. */
  classicDefaults: Record<string, number | string>;
  /** Behaviour terms the non-negativity constraint removed (their effect is fixed at zero). */
  droppedBehaviours: string[];
}

export type ModelArtifact =
  | (ArtifactBase & { kind: 'glm'; glm: GlmModel })
  | (ArtifactBase & { kind: 'gbm'; gbm: GbmModel });

/** Row objects become a frame; a missing input is an error rather than a silent reference level. */
function asFrame(rows: Frame | readonly RawRow[], inputs: readonly string[]): Frame {
  if (!Array.isArray(rows)) return rows as Frame;
  (rows as readonly RawRow[]).forEach((r, i) => {
    for (const c of inputs) {
      if (r[c] === undefined || r[c] === null) throw new Error(`row ${i}: input '${c}' is missing`);
    }
  });
  return frameFromRows(rows as readonly RawRow[], inputs);
}

/** Model margin per row (log of the expected value per exposure unit for log-link models). */
export function margins(artifact: ModelArtifact, rows: Frame | readonly RawRow[]): Float64Array {
  const frame = asFrame(rows, artifact.inputs);
  return artifact.kind === 'glm' ? glmMargin(artifact.glm, frame) : gbmMargin(artifact.gbm, frame);
}

/** Expected value per unit of exposure for each row, e.g. claim frequency per exposure-year. */
export function predict(artifact: ModelArtifact, rows: Frame | readonly RawRow[]): Float64Array {
  const m = margins(artifact, rows);
  if (artifact.kind === 'gbm') return m.map((v) => inverseLink(artifact.gbm.objective, v));
  return m.map(Math.exp);
}

export interface Contribution {
  feature: string;
  /** Additive contribution on the margin (log) scale. */
  value: number;
  /** exp(value): the factor this feature multiplies the base prediction by. */
  factor: number;
}

export interface Explanation {
  /** Margin before any feature: the GLM intercept, or the boosting model's expected margin. */
  baseMargin: number;
  margin: number;
  prediction: number;
  /** Sum of values + baseMargin = margin. */
  contributions: Contribution[];
}

/** Why one row gets its prediction: GLM term relativities, or exact TreeSHAP values for boosting. */
export function explain(artifact: ModelArtifact, row: RawRow | Frame): Explanation {
  const frame =
    'nRows' in row && 'columns' in row ? (row as Frame) : frameFromRows([row as RawRow], artifact.inputs);
  if (artifact.kind === 'glm') {
    const terms = glmContributions(artifact.glm, frame, 0);
    const base = artifact.glm.coefficients[0]!.estimate;
    const margin = terms.reduce((s, t) => s + t.logContribution, base);
    return {
      baseMargin: base,
      margin,
      prediction: Math.exp(margin),
      contributions: terms.map((t) => ({ feature: t.term, value: t.logContribution, factor: t.relativity })),
    };
  }
  const [e] = explainGbm(artifact.gbm, frame, [0]);
  return {
    baseMargin: e!.expectedValue,
    margin: e!.margin,
    prediction: inverseLink(artifact.gbm.objective, e!.margin),
    contributions: artifact.gbm.features.map((f, i) => ({
      feature: f.name,
      value: e!.contributions[i]!,
      factor: Math.exp(e!.contributions[i]!),
    })),
  };
}

export function serializeArtifact(a: ModelArtifact): string {
  return `${JSON.stringify(a, null, 1)}\n`;
}

/** Parses and checks an artifact; names the first problem found. */
export function parseArtifact(text: string): Result<ModelArtifact> {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return err('bad_json', `model artifact is not JSON: ${(e as Error).message}`);
  }
  const a = j as Partial<ModelArtifact> & Record<string, unknown>;
  if (typeof a !== 'object' || a === null) return err('bad_artifact', 'model artifact must be an object');
  if (a.formatVersion !== FORMAT_VERSION) {
    return err(
      'bad_version',
      `unsupported formatVersion ${String(a.formatVersion)} (this build reads ${FORMAT_VERSION})`,
      'formatVersion',
    );
  }
  if (a.kind !== 'glm' && a.kind !== 'gbm')
    return err('bad_artifact', `kind must be glm or gbm, got ${String(a.kind)}`, 'kind');
  for (const k of ['name', 'createdAt'] as const) {
    if (typeof a[k] !== 'string') return err('bad_artifact', `${k} must be a string`, k);
  }
  if (!Array.isArray(a.inputs)) return err('bad_artifact', 'inputs must be a list of columns', 'inputs');
  if (typeof a.training?.dataSha256 !== 'string')
    return err('bad_artifact', 'training.dataSha256 missing', 'training');
  if (a.kind === 'glm' && !Array.isArray((a as { glm?: GlmModel }).glm?.coefficients)) {
    return err('bad_artifact', 'glm.coefficients missing', 'glm');
  }
  if (a.kind === 'gbm' && !Array.isArray((a as { gbm?: GbmModel }).gbm?.trees)) {
    return err('bad_artifact', 'gbm.trees missing', 'gbm');
  }
  return ok(a as ModelArtifact);
}

export function inputColumns(a: ModelArtifact): string[] {
  return a.kind === 'glm' ? glmInputColumns(a.glm) : gbmInputColumns(a.gbm);
}
