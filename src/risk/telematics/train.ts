// The telematics frequency model: a Poisson GLM with exposure on classic factors and driving behaviour in the
// pricing engine's units, with every behaviour effect constrained to be ≥ 0 (a worse behaviour never lowers
// the frequency), fitted beside a classic-only GLM so the gain of driving features is measured on held-out data.
import { BEHAVIOUR_KEYS, type BehaviourKey } from '../../pricing/behaviour.ts';
import type { ModelArtifact } from '../artifact.ts';
import { predict } from '../artifact.ts';
import { type Frame, frameFromRows, type RawRow, takeRows } from '../data/frame.ts';
import type { ModelMetrics } from '../evaluate.ts';
import type { TermSpec } from '../glm/terms.ts';
import { createRng, permutation } from '../prng.ts';
import { trainModel } from '../train.ts';
import { type Behaviour, CLASSIC_KEYS, type TelematicsRow, TELEMATICS_MODEL_NAME } from './features.ts';

/** Knots of the natural spline on driver age: dense where young-driver risk falls off, one past 70. */
export const AGE_KNOTS = [19, 22, 26, 32, 45, 70, 82];

/** log1p for event rates (heavy-tailed, often 0); shares and seconds per hour enter linearly. */
const BEHAVIOUR_TRANSFORM: Readonly<Record<BehaviourKey, 'log1p' | 'identity'>> = {
  harshBrakingPer100Km: 'log1p',
  harshAccelerationPer100Km: 'log1p',
  harshCorneringPer100Km: 'log1p',
  speedingShare: 'identity',
  phoneUseSecPerHour: 'identity',
  nightShare: 'identity',
};

export function classicTerms(): TermSpec[] {
  return [
    { kind: 'spline', column: 'driverAge', knots: AGE_KNOTS },
    { kind: 'numeric', column: 'vehiclePowerKw', transform: 'log', min: 10 },
    { kind: 'numeric', column: 'vehicleAgeYears', min: 0, max: 40 },
    { kind: 'categorical', column: 'territory', reference: 'A' },
    { kind: 'numeric', column: 'annualKm', transform: 'log', min: 100 },
  ];
}

/** Behaviour terms, capped at the training maximum so scoring never extrapolates past the data. */
export function behaviourTerms(keys: readonly BehaviourKey[], maxima: Behaviour): TermSpec[] {
  return keys.map((k) => ({
    kind: 'numeric',
    column: k,
    transform: BEHAVIOUR_TRANSFORM[k],
    min: 0,
    max: maxima[k],
  }));
}

export interface TelematicsTrainOptions {
  name?: string;
  /** Seeds the learn/test split. */
  seed?: number;
  /** Held-out share (default 0.2). */
  testFraction?: number;
  onProgress?: (message: string) => void;
}

export interface TelematicsTrainResult {
  /** Classic factors + behaviour (what pricing uses). */
  artifact: ModelArtifact;
  /** Classic factors only: the baseline of the Gini gain. */
  classic: ModelArtifact;
  learn: ModelMetrics;
  test: ModelMetrics;
  classicTest: ModelMetrics;
  /** Test Gini with driving features minus without. */
  giniGain: number;
  droppedBehaviours: BehaviourKey[];
  learnRows: number;
  testRows: number;
}

const INPUTS = [...CLASSIC_KEYS, ...BEHAVIOUR_KEYS];

function weightedMedian(values: number[], w: number[]): number {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const tot = w.reduce((s, x) => s + x, 0);
  let cum = 0;
  for (const i of order) {
    cum += w[i]!;
    if (cum >= tot / 2) return values[i]!;
  }
  return values[order[order.length - 1]!]!;
}

/** Neutral behaviour, classic defaults and behaviour maxima of a portfolio. */
export function portfolioReference(rows: readonly TelematicsRow[]) {
  const w = rows.map((r) => r.exposureYears);
  const tot = w.reduce((s, x) => s + x, 0);
  const behaviourReference = {} as Behaviour;
  const maxima = {} as Behaviour;
  for (const k of BEHAVIOUR_KEYS) {
    behaviourReference[k] = rows.reduce((s, r, i) => s + r[k] * w[i]!, 0) / tot;
    maxima[k] = rows.reduce((m, r) => Math.max(m, r[k]), 0);
  }
  const terr = new Map<string, number>();
  for (const [i, r] of rows.entries()) terr.set(r.territory, (terr.get(r.territory) ?? 0) + w[i]!);
  const territory = [...terr].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? 'A';
  const classicDefaults: Record<string, number | string> = { territory };
  for (const k of ['driverAge', 'vehiclePowerKw', 'vehicleAgeYears', 'annualKm'] as const) {
    classicDefaults[k] = weightedMedian(
      rows.map((r) => r[k]),
      w,
    );
  }
  return { behaviourReference, maxima, classicDefaults };
}

/** The model's input columns plus exposureYears and claims, as a frame. */
export function telematicsFrame(rows: readonly TelematicsRow[]): Frame {
  return frameFromRows(rows as unknown as RawRow[], [...INPUTS, 'exposureYears', 'claims']);
}

/** The seeded learn/test split trainTelematicsModel uses (row indices, ascending). */
export function telematicsSplit(n: number, seed: number, testFraction: number) {
  const perm = permutation(n, createRng(seed));
  const nTest = Math.round(n * testFraction);
  const sorted = (a: Uint32Array) => Uint32Array.from(a).sort();
  return { learn: sorted(perm.slice(nTest)), test: sorted(perm.slice(0, nTest)) };
}

async function fit(learn: Frame, test: Frame, terms: TermSpec[], name: string, log: (m: string) => void) {
  const r = await trainModel(learn, test, {
    model: 'glm',
    name,
    target: 'claims',
    exposure: 'exposureYears',
    family: { name: 'poisson' },
    glmTerms: terms,
    onProgress: log,
  });
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  if (r.value.artifact.kind !== 'glm') throw new Error('expected a GLM');
  return r.value;
}

/**
 * Fits the telematics frequency GLM on a portfolio. Non-negativity of behaviour effects is an active-set fit:
 * while a behaviour coefficient is negative, the most negative term is removed (its effect fixed at 0) and
 * the model refitted — the constrained maximum-likelihood solution when one constraint binds at a time.
 */
export async function trainTelematicsModel(
  rows: readonly TelematicsRow[],
  opts: TelematicsTrainOptions = {},
): Promise<TelematicsTrainResult> {
  const log = opts.onProgress ?? (() => {});
  const split = telematicsSplit(rows.length, opts.seed ?? 1, opts.testFraction ?? 0.2);
  if (split.test.length < 1 || split.learn.length < 50)
    throw new Error(`portfolio too small: ${rows.length} policies`);
  const all = telematicsFrame(rows);
  const learn = takeRows(all, split.learn);
  const test = takeRows(all, split.test);
  const learnRows = Array.from(split.learn, (i) => rows[i]!);
  const ref = portfolioReference(learnRows);
  const name = opts.name ?? TELEMATICS_MODEL_NAME;

  log(`classic-only GLM on ${learn.nRows} policies (${test.nRows} held out)`);
  const classic = await fit(learn, test, classicTerms(), `${name}-classic`, log);

  // A behaviour nobody in the portfolio shows cannot be estimated: no term (zero effect).
  let keys: BehaviourKey[] = BEHAVIOUR_KEYS.filter((k) => ref.maxima[k] > 0);
  const dropped: BehaviourKey[] = BEHAVIOUR_KEYS.filter((k) => !(ref.maxima[k] > 0));
  if (dropped.length > 0) log(`no variation in ${dropped.join(', ')}: no term`);
  for (;;) {
    log(`classic + behaviour GLM with ${keys.join(', ')}`);
    const full = await fit(learn, test, [...classicTerms(), ...behaviourTerms(keys, ref.maxima)], name, log);
    const a = full.artifact;
    if (a.kind !== 'glm') throw new Error('expected a GLM');
    const coef = new Map(a.glm.coefficients.map((c) => [c.name, c.estimate]));
    let worst: BehaviourKey | null = null;
    for (const k of keys)
      if (coef.get(k)! < 0 && (worst === null || coef.get(k)! < coef.get(worst)!)) worst = k;
    if (worst !== null) {
      log(`behaviour ${worst} has a negative effect (${coef.get(worst)!.toFixed(4)}): fixed at 0, refitting`);
      dropped.push(worst);
      keys = keys.filter((k) => k !== worst);
      continue;
    }
    const test1 = full.metrics.test!;
    const classicTest = classic.metrics.test!;
    const learnScores = predict(a, learn).sort();
    const quantiles = Array.from(
      { length: 201 },
      (_, i) => learnScores[Math.min(learnScores.length - 1, Math.floor((i * learnScores.length) / 200))]!,
    );
    const giniGain = test1.gini - classicTest.gini;
    a.telematics = {
      behaviourKeys: keys,
      behaviourReference: ref.behaviourReference,
      classicDefaults: ref.classicDefaults,
      droppedBehaviours: dropped,
    };
    // Scoring inputs are every classic and behaviour key, so a dropped term still accepts its column.
    a.inputs = [...INPUTS];
    a.metrics = {
      ...a.metrics,
      classicOnlyTest: { gini: classicTest.gini, poissonDevianceX100: classicTest.poissonDevianceX100 },
      giniGain,
      scoreQuantiles: quantiles,
    };
    return {
      artifact: a,
      classic: classic.artifact,
      learn: full.metrics.learn,
      test: test1,
      classicTest,
      giniGain,
      droppedBehaviours: dropped,
      learnRows: learn.nRows,
      testRows: test.nRows,
    };
  }
}
