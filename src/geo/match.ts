// Map matching with a hidden Markov model (Newson & Krumm 2009): states are candidate road positions near
// each fix; emission is Gaussian in the fix-to-road distance, transition is exponential in
// |route distance − great-circle distance| between consecutive fixes; Viterbi picks the path.
// One engine serves both the batch and the streaming matcher: it emits a fix as soon as every surviving
// path agrees on it (then the choice is exactly the batch one), or when its lag bound forces a choice.
import { haversineM } from '../domain/units.ts';
import { headingDiffDeg } from './geometry.ts';
import type { RoadNetwork } from './network.ts';
import { type DecidedFix, createRefineStage } from './match-refine.ts';
import {
  type Candidate,
  type GpsFix,
  type MatchOptions,
  type Step,
  odometryM,
  resolveMatchOptions,
} from './match-types.ts';
import { routeDistances } from './route-distance.ts';
import type { MatchedFix } from './types.ts';

export type { Candidate, GpsFix, MatchOptions, Step };

const unmatched = (index: number): MatchedFix => ({
  index,
  edgeId: null,
  speedLimitKmh: null,
  speedLimitSource: null,
  roadClass: null,
  offsetM: null,
  distanceM: null,
});

export interface MatchEngine {
  push(fix: GpsFix): MatchedFix[];
  flush(): MatchedFix[];
  /** Plain-data state (JSON-safe) to checkpoint and later resume with the same decisions. */
  state(): MatchEngineState;
}

export interface MatchEngineState {
  window: Step[];
  seg: DecidedFix[];
  segEmitted: number;
  nextIndex: number;
  lastT: number | null;
}

export function createMatchEngine(
  net: RoadNetwork,
  options: MatchOptions,
  maxLag: number,
  from?: MatchEngineState,
): MatchEngine {
  const o = resolveMatchOptions(options);
  const toRad = Math.PI / 180;
  let window: Step[] = from ? structuredClone(from.window) : [];
  // JSON turns -Infinity (a dead path) into null: restore it.
  for (const st of window) for (const c of st.cands) if (c.score === null) c.score = Number.NEGATIVE_INFINITY;
  let nextIndex = from?.nextIndex ?? 0;
  let lastT = from?.lastT ?? Number.NaN;

  const matched = (step: Step, c: Candidate): DecidedFix => ({
    index: step.index,
    fix: step.fix,
    sigmaM: step.sigmaM,
    edgeId: c.edgeId,
    offsetM: c.offsetM,
    distanceM: c.distanceM,
  });

  const stage = createRefineStage(net, o, from);
  const refined = stage.take;
  const viterbiLag = Number.isFinite(maxLag) ? Math.max(1, maxLag - o.refineNeighbours) : maxLag;
  const odometry = (a: GpsFix, b: GpsFix): number => (o.useSpeed ? odometryM(a, b) : -1);

  const endPath = (): MatchedFix[] => refined(finish(), true);

  const emission = (fix: GpsFix, sigmaM: number, edgeId: number, offsetM: number, distM: number): number => {
    let score = -0.5 * (distM / sigmaM) ** 2;
    const h = fix.headingDeg;
    if (h != null && Number.isFinite(h) && (fix.speedMps ?? 0) > o.headingMinSpeedMps) {
      const e = net.edges[edgeId]!;
      const b = net.pointAt(edgeId, offsetM).bearingDeg;
      let diff = headingDiffDeg(h, b);
      if (!e.oneway) diff = Math.min(diff, 180 - diff);
      score += o.headingKappa * (Math.cos(diff * toRad) - 1);
    }
    return score;
  };

  /** Ends the current window: backtrack from its best final state and emit every held fix. */
  const finish = (): DecidedFix[] => {
    if (window.length === 0) return [];
    const out: DecidedFix[] = new Array(window.length);
    const last = window[window.length - 1]!;
    let best = 0;
    for (let j = 1; j < last.cands.length; j++) if (last.cands[j]!.score > last.cands[best]!.score) best = j;
    for (let s = window.length - 1; s >= 0; s--) {
      const c = window[s]!.cands[best]!;
      out[s] = matched(window[s]!, c);
      best = c.back;
    }
    window = [];
    return out;
  };

  /** Emits the oldest held fixes on which all surviving paths agree, then forces any beyond the lag. */
  const release = (): DecidedFix[] => {
    const out: DecidedFix[] = [];
    if (window.length < 2) return out;
    // Ancestors at each step of the last step's live candidates; sets only shrink going back.
    let alive = new Set<number>();
    const last = window[window.length - 1]!;
    last.cands.forEach((c, j) => {
      if (c.score > Number.NEGATIVE_INFINITY) alive.add(j);
    });
    let agreeUpTo = -1;
    let agreed = -1;
    for (let s = window.length - 1; s >= 1; s--) {
      const prev = new Set<number>();
      for (const j of alive) prev.add(window[s]!.cands[j]!.back);
      alive = prev;
      if (alive.size === 1) {
        agreeUpTo = s - 1;
        agreed = [...alive][0]!;
        break;
      }
    }
    if (agreeUpTo >= 0) {
      // Backtrack from the agreed state to emit steps 0..agreeUpTo.
      const emitted: DecidedFix[] = new Array(agreeUpTo + 1);
      let j = agreed;
      for (let s = agreeUpTo; s >= 0; s--) {
        const c = window[s]!.cands[j]!;
        emitted[s] = matched(window[s]!, c);
        j = c.back;
      }
      out.push(...emitted);
      window = window.slice(agreeUpTo + 1);
      for (const c of window[0]!.cands) c.back = -1;
    }
    while (window.length > viterbiLag) out.push(forceOldest());
    return out;
  };

  /** Fixed-lag decision: follow the currently best path back to the oldest step, drop paths that disagree. */
  const forceOldest = (): DecidedFix => {
    const last = window[window.length - 1]!;
    const keep: boolean[] = last.cands.map((c) => c.score > Number.NEGATIVE_INFINITY);
    let best = 0;
    for (let j = 1; j < last.cands.length; j++) if (last.cands[j]!.score > last.cands[best]!.score) best = j;
    // Ancestor at step 0 of each last-step candidate.
    const rootOf = last.cands.map((_, j) => {
      if (!keep[j]) return -1;
      let k = j;
      for (let s = window.length - 1; s >= 1 && k >= 0; s--) k = window[s]!.cands[k]!.back;
      return k;
    });
    const root = rootOf[best]!;
    last.cands.forEach((c, j) => {
      if (keep[j] && rootOf[j] !== root) c.score = Number.NEGATIVE_INFINITY;
    });
    const first = window[0]!;
    const fix = matched(first, first.cands[root]!);
    window = window.slice(1);
    for (const c of window[0]!.cands) c.back = -1;
    return fix;
  };

  const push = (fix: GpsFix): MatchedFix[] => {
    const index = nextIndex++;
    const out: MatchedFix[] = [];
    if (!Number.isFinite(fix.lat) || !Number.isFinite(fix.lon) || !Number.isFinite(fix.t)) {
      out.push(...endPath(), unmatched(index));
      return out;
    }
    const hits = net.nearestEdges(fix.lat, fix.lon, o.radiusM, o.maxCandidates);
    if (hits.length === 0) {
      out.push(...endPath(), unmatched(index));
      lastT = Number.NaN;
      return out;
    }
    const acc = fix.accuracyM;
    const sigmaM = acc != null && Number.isFinite(acc) && acc > 0 ? Math.min(50, Math.max(1, acc)) : o.sigmaM;
    if (window.length > 0 && !(fix.t - lastT <= o.maxGapS * 1000)) out.push(...endPath());
    lastT = fix.t;
    const cands: Candidate[] = hits.map((h) => ({
      edgeId: h.edge.id,
      offsetM: h.offsetM,
      distanceM: h.distanceM,
      score: emission(fix, sigmaM, h.edge.id, h.offsetM, h.distanceM),
      back: -1,
    }));
    const prev = window[window.length - 1];
    if (prev && !transition(prev, fix, sigmaM, cands)) {
      // No candidate is reachable from any previous one: end the path here and start afresh.
      out.push(...endPath());
    }
    normalise(cands);
    window.push({ index, fix, sigmaM, cands });
    if (Number.isFinite(maxLag)) out.push(...refined(release(), false));
    return out;
  };

  /** Adds the best transition score to each candidate; false when none is reachable. */
  const transition = (prev: Step, fix: GpsFix, sigmaM: number, cands: Candidate[]): boolean => {
    const gc = haversineM(prev.fix.lat, prev.fix.lon, fix.lat, fix.lon);
    const beta = Number.isFinite(o.betaM) ? o.betaM : Math.max(2, 0.7 * (prev.sigmaM + sigmaM));
    const odo = odometry(prev.fix, fix);
    const odoBeta = o.speedBetaM + 0.05 * odo;
    const boundM = Math.max(gc, odo) + Math.max(200, gc);
    const backTol = Math.max(10, 2 * sigmaM);
    const best = new Float64Array(cands.length).fill(Number.NEGATIVE_INFINITY);
    const arg = new Int32Array(cands.length).fill(-1);
    const dist = new Float64Array(cands.length);
    prev.cands.forEach((p, i) => {
      if (p.score === Number.NEGATIVE_INFINITY) return;
      routeDistances(net, p, cands, boundM, backTol, dist);
      for (let j = 0; j < cands.length; j++) {
        const d = dist[j]!;
        if (d === Number.POSITIVE_INFINITY) continue;
        let s = p.score - Math.abs(d - gc) / beta;
        if (odo >= 0) s -= Math.abs(d - odo) / odoBeta;
        if (s > best[j]!) {
          best[j] = s;
          arg[j] = i;
        }
      }
    });
    if (!arg.some((i) => i >= 0)) return false;
    cands.forEach((c, j) => {
      c.score += best[j]!;
      c.back = arg[j]!;
    });
    return true;
  };

  return {
    push,
    flush: () => {
      lastT = Number.NaN;
      return endPath();
    },
    state: () => ({
      window: structuredClone(window),
      ...stage.state(),
      nextIndex,
      lastT: Number.isFinite(lastT) ? lastT : null,
    }),
  };
}

function normalise(cands: Candidate[]): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const c of cands) if (c.score > max) max = c.score;
  if (max === Number.NEGATIVE_INFINITY) return;
  for (const c of cands) c.score -= max;
}
