// Types and parameters of the HMM map matcher (see match.ts).

export interface GpsFix {
  /** Epoch milliseconds. */
  t: number;
  lat: number;
  lon: number;
  speedMps?: number | null;
  headingDeg?: number | null;
  /** Horizontal accuracy, metres; used as the emission σ. */
  accuracyM?: number | null;
}

export interface MatchOptions {
  /** Candidate search radius, metres (default 50). */
  radiusM?: number;
  /** Candidates kept per fix, nearest first (default 5). */
  maxCandidates?: number;
  /** Emission σ when a fix has no accuracyM, metres (default 5). */
  sigmaM?: number;
  /** Transition β, metres. Default: 1.4 × the fixes' mean σ, Newson & Krumm's median/ln 2 estimate under
   *  that noise (|route − great-circle| between noisy fixes has a median of about σ). */
  betaM?: number;
  /** Break the match at time gaps longer than this, seconds (default 60). */
  maxGapS?: number;
  /** Use the fix heading as a prior above this speed, m/s (default 2). */
  headingMinSpeedMps?: number;
  /** Weight of the heading prior: log-prior = κ(cos Δ − 1) (default 4). */
  headingKappa?: number;
  /** Use the fixes' speeds (Doppler, far less noisy than positions) as an odometer in the transition. */
  useSpeed?: boolean;
  /** β of the odometer term, metres, plus 5% of the distance (default 4). */
  speedBetaM?: number;
  /** Neighbours on each side used to refine positions near junctions (default 3; 0 turns it off). */
  refineNeighbours?: number;
  /** Streaming only: most fixes held back before a decision is forced (default 10). */
  maxLagFixes?: number;
}

export interface Candidate {
  edgeId: number;
  offsetM: number;
  distanceM: number;
  /** Best log-probability of a path ending here (normalised so the step's best is 0). */
  score: number;
  /** Index of the previous step's candidate on that path, -1 at a path start. */
  back: number;
}

export interface Step {
  index: number;
  fix: GpsFix;
  sigmaM: number;
  cands: Candidate[];
}

export const resolveMatchOptions = (o: MatchOptions): Required<MatchOptions> => ({
  radiusM: o.radiusM ?? 50,
  maxCandidates: o.maxCandidates ?? 5,
  sigmaM: o.sigmaM ?? 5,
  betaM: o.betaM ?? Number.NaN,
  maxGapS: o.maxGapS ?? 60,
  headingMinSpeedMps: o.headingMinSpeedMps ?? 2,
  headingKappa: o.headingKappa ?? 4,
  useSpeed: o.useSpeed ?? true,
  speedBetaM: o.speedBetaM ?? 4,
  refineNeighbours: o.refineNeighbours ?? 3,
  maxLagFixes: o.maxLagFixes ?? 10,
});

/** Longest interval over which the mean of two speeds is trusted as distance travelled, seconds. */
const MAX_ODOMETRY_S = 15;

/** Distance travelled between two fixes from their speeds (trapezoid), or -1 when unknown. */
export function odometryM(a: GpsFix, b: GpsFix): number {
  const va = a.speedMps;
  const vb = b.speedMps;
  const dt = (b.t - a.t) / 1000;
  if (va == null || vb == null || !(va >= 0) || !(vb >= 0) || !(dt > 0) || dt > MAX_ODOMETRY_S) return -1;
  return ((va + vb) / 2) * dt;
}
