// Pay-how-you-drive. The behaviour factor compares the driver's expected frequency with driving
// features to the classic-factor expectation (ρ = behaviourFrequency / classicFrequency), blends it
// towards neutral with Bühlmann–Straub credibility Z = m / (m + k) (m = km in the rating window), and
// bounds it: t = clamp(1 + Z·(ρ − 1), 1 − maxDiscount, 1 + maxSurcharge).
import { BEHAVIOUR_KEYS, type BehaviourKey, type BehaviourProfile } from './behaviour.ts';
import { credibility } from './credibility.ts';
import type { PricingPlan } from './plan.ts';
import type { DriverRiskInput, FrequencyModel } from './types.ts';

export interface TelematicsFactor {
  /** The bounded factor t applied to the premium. */
  factor: number;
  /** Credibility Z of the driver's own driving. */
  credibility: number;
  /** ρ: expected frequency with driving features relative to classic factors alone. */
  relativity: number;
}

const NEUTRAL: TelematicsFactor = { factor: 1, credibility: 0, relativity: 1 };

export function boundedFactor(plan: PricingPlan, z: number, relativity: number): number {
  const raw = 1 + z * (relativity - 1);
  return Math.min(plan.factorMax, Math.max(plan.factorMin, raw));
}

/** The behaviour factor; neutral when the plan prices no behaviour or the driver is not enrolled. */
export function telematicsFactor(
  plan: PricingPlan,
  risk: DriverRiskInput,
  enrolled: boolean,
): TelematicsFactor {
  const t = plan.plan.telematics;
  if (t === undefined || !enrolled) return NEUTRAL;
  const z = credibility(risk.exposureKm, t.credibilityKm);
  const relativity = risk.behaviourFrequency / risk.classicFrequency;
  return { factor: boundedFactor(plan, z, relativity), credibility: z, relativity };
}

export const SHARE_SLOTS = BEHAVIOUR_KEYS.length + 1;

// Scratch space reused between calls (the engine is single-threaded and never re-entered from the
// model), so the hot path allocates nothing per quote.
const V = new Float64Array(1 << BEHAVIOUR_KEYS.length);
const SLOTS = new Int32Array(BEHAVIOUR_KEYS.length);
const SCRATCH = {} as Record<BehaviourKey, number>;

/**
 * How much of (t − 1) each behaviour accounts for: an exact Shapley split among the behaviours, each
 * "player" moving its value from the plan's typical profile to the driver's (others as in the
 * coalition), with the frequency moved by the injected model's ratio model(b′)/model(b) and passed
 * through credibility and bounds. Symmetric (no behaviour order matters) and exact:
 * Σ shares = t − t(all typical); `other` = t(all typical) − 1 is what the driving data says beyond these
 * behaviours (features the profile does not name). Behaviours at their typical value get exactly 0.
 * Writes each behaviour's share into out[0..5] (BEHAVIOUR_KEYS order) and `other` into out[6]; returns
 * false when the model gives a non-positive or non-finite frequency.
 */
export function behaviourShares(
  plan: PricingPlan,
  risk: DriverRiskInput,
  tf: TelematicsFactor,
  model: FrequencyModel,
  out: number[],
): boolean {
  const n = BEHAVIOUR_KEYS.length;
  for (let i = 0; i < n; i++) out[i] = 0;
  out[n] = tf.factor - 1;
  const typical = plan.plan.telematics?.typicalBehaviour;
  if (typical === undefined || tf.credibility === 0) return true;
  const b = risk.behaviour;
  let p = 0;
  for (let i = 0; i < n; i++) {
    const k = BEHAVIOUR_KEYS[i]!;
    SCRATCH[k] = typical[k];
    if (b[k] !== typical[k]) SLOTS[p++] = i;
  }
  const base = model(b);
  if (!(base > 0 && Number.isFinite(base))) return false;
  const size = 1 << p;
  // Visit coalitions in Gray-code order so each model call changes exactly one behaviour.
  for (let i = 0; i < size; i++) {
    const mask = i ^ (i >> 1);
    if (i > 0) {
      const k = BEHAVIOUR_KEYS[SLOTS[31 - Math.clz32(i & -i)]!]!;
      SCRATCH[k] = SCRATCH[k] === typical[k] ? b[k] : typical[k];
    }
    if (mask === size - 1) {
      V[mask] = tf.factor;
      continue;
    }
    const f = model(SCRATCH);
    if (!(f > 0 && Number.isFinite(f))) return false;
    V[mask] = boundedFactor(plan, tf.credibility, (tf.relativity * f) / base);
  }
  const w = shapleyWeights(p);
  for (let i = 0; i < p; i++) {
    const bit = 1 << i;
    let phi = 0;
    for (let mask = 0; mask < size; mask++) {
      if (mask & bit) continue;
      phi += w[mask]! * (V[mask | bit]! - V[mask]!);
    }
    out[SLOTS[i]!] = phi;
  }
  out[n] = V[0]! - 1;
  return true;
}

const weightCache: Float64Array[] = [];

/**
 * Shapley weight of each coalition (indexed by its bit mask) among p players:
 * w(S) = |S|! (p − |S| − 1)! / p!.
 */
function shapleyWeights(p: number): Float64Array {
  const cached = weightCache[p];
  if (cached !== undefined) return cached;
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const w = new Float64Array(1 << p);
  for (let mask = 0; mask < 1 << p; mask++) {
    let s = 0;
    for (let x = mask; x; x &= x - 1) s++;
    if (s < p) w[mask] = (fact(s) * fact(p - s - 1)) / fact(p);
  }
  weightCache[p] = w;
  return w;
}

/** The frequency of a changed behaviour profile, anchored at the driver's own risk-library estimate. */
export function frequencyFor(
  risk: DriverRiskInput,
  model: FrequencyModel,
  behaviour: BehaviourProfile,
): number {
  return (risk.behaviourFrequency * model(behaviour)) / model(risk.behaviour);
}
