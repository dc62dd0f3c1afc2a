// Junction refinement after Viterbi. The HMM's states sit at each fix's own projection, so near a junction
// the along-road GPS error alone decides on which side of the node a fix lands. Here each moving fix's
// position along the decided path is re-estimated from its neighbours (±K fixes) and the distance driven
// between them (speed × time, far less noisy than positions), and relabelled if that moves it across the
// node into the neighbouring decided edge. A pure function of the decided neighbourhood, so the streaming
// matcher (holding K more fixes) makes the same refinements as the batch one.
import { haversineM } from '../domain/units.ts';
import { headingDiffDeg } from './geometry.ts';
import { type GpsFix, type MatchOptions, odometryM } from './match-types.ts';
import type { RoadNetwork } from './network.ts';
import type { MatchedFix } from './types.ts';

export interface DecidedFix {
  index: number;
  fix: GpsFix;
  sigmaM: number;
  edgeId: number;
  offsetM: number;
  distanceM: number;
}

export interface RefineParams {
  /** Neighbours used on each side. */
  k: number;
  /** Below this speed a fix is left as matched (direction of travel unreliable), m/s. */
  minSpeedMps: number;
  /** Distance driven between two fixes from their speeds, or -1 when unknown. */
  odometryM: (a: GpsFix, b: GpsFix) => number;
}

/** Node shared by two edges (the first found), or -1. */
function sharedNode(net: RoadNetwork, a: number, b: number): number {
  const ea = net.edges[a]!;
  const eb = net.edges[b]!;
  if (ea.toNode === eb.fromNode || ea.toNode === eb.toNode) return ea.toNode;
  if (ea.fromNode === eb.fromNode || ea.fromNode === eb.toNode) return ea.fromNode;
  return -1;
}

/** +1 when travelling fromNode → toNode on the fix's edge, -1 the other way, 0 when unknown. */
function direction(net: RoadNetwork, seg: readonly DecidedFix[], i: number, k: number): number {
  const d = seg[i]!;
  const e = net.edges[d.edgeId]!;
  if (e.oneway) return 1;
  for (let j = i + 1; j < seg.length && j <= i + k; j++) {
    if (seg[j]!.edgeId === d.edgeId) continue;
    const n = sharedNode(net, d.edgeId, seg[j]!.edgeId);
    return n < 0 ? 0 : n === e.toNode ? 1 : -1;
  }
  for (let j = i - 1; j >= 0 && j >= i - k; j--) {
    if (seg[j]!.edgeId === d.edgeId) continue;
    const n = sharedNode(net, d.edgeId, seg[j]!.edgeId);
    return n < 0 ? 0 : n === e.fromNode ? 1 : -1;
  }
  const h = d.fix.headingDeg;
  if (h == null) return 0;
  const b = net.pointAt(d.edgeId, d.offsetM).bearingDeg;
  return headingDiffDeg(h, b) < 90 ? 1 : -1;
}

/** The refined match of seg[i], or null to keep it as decided. */
export function refineDecided(
  net: RoadNetwork,
  seg: readonly DecidedFix[],
  i: number,
  p: RefineParams,
): { edgeId: number; offsetM: number } | null {
  const d = seg[i]!;
  if ((d.fix.speedMps ?? 0) < p.minSpeedMps) return null;
  const e = net.edges[d.edgeId]!;
  const dir = direction(net, seg, i, p.k);
  if (dir === 0) return null;
  const ahead = dir === 1 ? e.toNode : e.fromNode;
  const toAheadM = dir === 1 ? e.lengthM - d.offsetM : d.offsetM;
  const toBehindM = e.lengthM - toAheadM;
  // Weighted mean of the neighbours' estimates of this fix's position, relative to its projection.
  let sumW = 1 / d.sigmaM ** 2;
  let sumWX = 0;
  let nextEdge = -1;
  let prevEdge = -1;
  for (const step of [1, -1]) {
    let odo = 0;
    for (let j = i + step, n = 1; j >= 0 && j < seg.length && n <= p.k; j += step, n++) {
      const a = seg[j - step]!;
      const b = seg[j]!;
      const o = step === 1 ? p.odometryM(a.fix, b.fix) : p.odometryM(b.fix, a.fix);
      if (o < 0) break;
      odo += o;
      const rel = relativePosition(net, d, b, dir, ahead, toAheadM, toBehindM);
      if (rel === null) break;
      if (b.edgeId !== d.edgeId) {
        if (step === 1 && nextEdge < 0) nextEdge = b.edgeId;
        if (step === -1 && prevEdge < 0) prevEdge = b.edgeId;
      }
      const w = 1 / (b.sigmaM ** 2 + (0.5 * n) ** 2);
      sumW += w;
      sumWX += w * (rel - step * odo);
    }
  }
  const shift = Math.max(-2 * d.sigmaM, Math.min(2 * d.sigmaM, sumWX / sumW));
  if (shift > toAheadM && nextEdge >= 0 && sharedNode(net, d.edgeId, nextEdge) === ahead) {
    return onNeighbour(net, nextEdge, ahead, shift - toAheadM);
  }
  if (-shift > toBehindM && prevEdge >= 0) {
    const behind = dir === 1 ? e.fromNode : e.toNode;
    if (sharedNode(net, d.edgeId, prevEdge) === behind)
      return onNeighbour(net, prevEdge, behind, -shift - toBehindM);
  }
  const offsetM = Math.max(0, Math.min(e.lengthM, d.offsetM + dir * shift));
  return { edgeId: d.edgeId, offsetM };
}

/** Signed distance along the path from fix d to fix b (positive ahead), or null when not simply adjacent. */
function relativePosition(
  net: RoadNetwork,
  d: DecidedFix,
  b: DecidedFix,
  dir: number,
  ahead: number,
  toAheadM: number,
  toBehindM: number,
): number | null {
  if (b.edgeId === d.edgeId) return (b.offsetM - d.offsetM) * dir;
  const n = sharedNode(net, d.edgeId, b.edgeId);
  if (n < 0) return null;
  const eb = net.edges[b.edgeId]!;
  const fromNodeM = n === eb.fromNode ? b.offsetM : eb.lengthM - b.offsetM;
  return n === ahead ? toAheadM + fromNodeM : -(toBehindM + fromNodeM);
}

function onNeighbour(net: RoadNetwork, edgeId: number, node: number, pastNodeM: number) {
  const e = net.edges[edgeId]!;
  const along = Math.min(e.lengthM, Math.max(0, pastNodeM));
  return { edgeId, offsetM: node === e.fromNode ? along : e.lengthM - along };
}

/** Distance from the raw fix to a point on an edge, metres. */
export function fixDistanceM(net: RoadNetwork, fix: GpsFix, edgeId: number, offsetM: number): number {
  const p = net.pointAt(edgeId, offsetM);
  return haversineM(fix.lat, fix.lon, p.lat, p.lon);
}

export interface RefineStageState {
  seg: DecidedFix[];
  segEmitted: number;
}

/**
 * The stage between Viterbi decisions and output: holds each decided fix until K more are decided on its
 * path (or the path ends), then emits it refined. Keeps the last K emitted fixes as context.
 */
export function createRefineStage(
  net: RoadNetwork,
  o: Required<MatchOptions>,
  from?: RefineStageState,
): { take(decided: DecidedFix[], final: boolean): MatchedFix[]; state(): RefineStageState } {
  let seg: DecidedFix[] = from ? structuredClone(from.seg) : [];
  let segEmitted = from?.segEmitted ?? 0;
  const K = o.refineNeighbours;
  const params: RefineParams = {
    k: K,
    minSpeedMps: o.headingMinSpeedMps,
    odometryM: (a, b) => (o.useSpeed ? odometryM(a, b) : -1),
  };
  const toMatched = (i: number): MatchedFix => {
    const d = seg[i]!;
    const r = K > 0 ? refineDecided(net, seg, i, params) : null;
    const e = net.edges[r ? r.edgeId : d.edgeId]!;
    return {
      index: d.index,
      edgeId: e.id,
      speedLimitKmh: e.speedLimitKmh,
      speedLimitSource: e.speedLimitSource,
      roadClass: e.roadClass,
      offsetM: r ? r.offsetM : d.offsetM,
      distanceM: r ? fixDistanceM(net, d.fix, r.edgeId, r.offsetM) : d.distanceM,
    };
  };
  return {
    take(decided, final) {
      for (const d of decided) seg.push(d);
      const out: MatchedFix[] = [];
      while (segEmitted < seg.length && (final || seg.length - 1 - segEmitted >= K))
        out.push(toMatched(segEmitted++));
      if (final) {
        seg = [];
        segEmitted = 0;
      } else if (segEmitted > K) {
        seg = seg.slice(segEmitted - K);
        segEmitted = K;
      }
      return out;
    },
    state: () => ({ seg: structuredClone(seg), segEmitted }),
  };
}
