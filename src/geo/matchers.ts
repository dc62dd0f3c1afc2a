// The two faces of the HMM matcher: whole traces (batch) and fix by fix with bounded lag (streaming).
import { type GpsFix, type MatchEngineState, type MatchOptions, createMatchEngine } from './match.ts';
import type { RoadNetwork } from './network.ts';
import type { MatchedFix } from './types.ts';

export interface Matcher {
  /** One MatchedFix per input fix, in order (edgeId null where no road is near or the input is invalid). */
  matchTrace(fixes: readonly GpsFix[]): MatchedFix[];
}

export interface StreamingMatcher {
  /** Feeds one fix; returns the fixes decided so far (in input order, each exactly once). */
  push(fix: GpsFix): MatchedFix[];
  /** Decides every held fix (end of trip). */
  flush(): MatchedFix[];
  /** JSON-safe state for checkpoints; pass it back as `resumeFrom` to continue. */
  state(): MatchEngineState;
}

export function createMatcher(net: RoadNetwork, opts: MatchOptions = {}): Matcher {
  return {
    matchTrace(fixes) {
      const engine = createMatchEngine(net, opts, Number.POSITIVE_INFINITY);
      const out: MatchedFix[] = [];
      for (const f of fixes) for (const m of engine.push(f)) out.push(m);
      for (const m of engine.flush()) out.push(m);
      return out;
    },
  };
}

/**
 * Decides a fix as soon as all surviving Viterbi paths agree on it (the batch decision, exactly), or at the
 * latest (maxLagFixes − refineNeighbours) fixes later (then the currently best path's choice, and paths that
 * disagree are dropped); emits it once refineNeighbours more fixes are decided. A fix is never held for more
 * than maxLagFixes later fixes (default 10).
 */
export function createStreamingMatcher(
  net: RoadNetwork,
  opts: MatchOptions & { resumeFrom?: MatchEngineState } = {},
): StreamingMatcher {
  const { resumeFrom, ...options } = opts;
  return createMatchEngine(net, options, Math.max(1, options.maxLagFixes ?? 10), resumeFrom);
}
