// Grows one regression tree best-first on histograms: the smaller child's histogram is built, the larger
// one's is the parent's minus it; rows are partitioned in place so every node is a contiguous range.
import { subtractHistogram, type TrainBuffers } from './kernels.ts';
import type { Parallel } from './parallel.ts';
import { type FeatureInfo, findBestSplit, leafWeight, type Split, type SplitParams } from './split.ts';

/** A tree as flat arrays (node 0 is the root; feature −1 marks a leaf). */
export interface Tree {
  feature: number[];
  /** Numeric split: rows with bin ≤ bin go left. */
  bin: number[];
  /** Categorical split: bins that go left; null otherwise. */
  categories: (number[] | null)[];
  left: number[];
  right: number[];
  /** Leaf output (learning rate applied); 0 for internal nodes. */
  value: number[];
  /** Training rows that reached the node (TreeSHAP weights paths by it). */
  cover: number[];
  gain: number[];
}

export interface TreeParams extends SplitParams {
  maxDepth: number;
  maxLeaves: number;
  learningRate: number;
  /** Bound on |leaf weight| before the learning rate (0 = none), a guard for Poisson on rare events. */
  maxDeltaStep: number;
}

export interface GrowContext {
  data: TrainBuffers;
  par: Parallel;
  info: FeatureInfo;
  /** Histogram slots not in use. */
  freeSlots: number[];
}

interface OpenLeaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  lo: number;
  hi: number;
  weight: number;
  slot: number;
  split: Split | null;
}

export interface LeafRange {
  node: number;
  start: number;
  end: number;
}

function newNode(t: Tree, cover: number): number {
  t.feature.push(-1);
  t.bin.push(-1);
  t.categories.push(null);
  t.left.push(-1);
  t.right.push(-1);
  t.value.push(0);
  t.cover.push(cover);
  t.gain.push(0);
  return t.feature.length - 1;
}

/** Writes the split's "goes left" table (by bin code) into the shared buffer the partition reads. */
function setLeftMask(m: Uint8Array, split: Split): void {
  m.fill(0);
  if (split.categories) for (const c of split.categories) m[c] = 1;
  else m.fill(1, 0, split.bin + 1);
}

/**
 * Grows a tree over rows[0, nRows) using the first nActive features of ctx.data.features; returns it and
 * the row range of each leaf.
 */
export function growTree(
  ctx: GrowContext,
  nRows: number,
  nActive: number,
  p: TreeParams,
): { tree: Tree; leaves: LeafRange[] } {
  const features = ctx.data.features.subarray(0, nActive);
  const tree: Tree = {
    feature: [],
    bin: [],
    categories: [],
    left: [],
    right: [],
    value: [],
    cover: [],
    gain: [],
  };
  const stride = 2 * ctx.data.totalBins;
  const bound = p.maxDeltaStep > 0 ? p.maxDeltaStep : Number.POSITIVE_INFINITY;
  const open: OpenLeaf[] = [];
  const done: OpenLeaf[] = [];
  const evaluate = (leaf: OpenLeaf): void => {
    leaf.split =
      leaf.depth < p.maxDepth
        ? findBestSplit(ctx.data.hists, leaf.slot * stride, ctx.info, features, leaf.lo, leaf.hi, p)
        : null;
  };
  const take = (): number => {
    const s = ctx.freeSlots.pop();
    if (s === undefined) throw new Error('out of histogram slots');
    return s;
  };

  const root: OpenLeaf = {
    node: newNode(tree, nRows),
    start: 0,
    end: nRows,
    depth: 0,
    lo: -bound,
    hi: bound,
    weight: 0,
    slot: -1,
    split: null,
  };
  root.slot = take();
  ctx.par.build(root.slot, 0, nRows, nActive);
  root.weight = rootWeight(ctx, root.slot, features, p, bound);
  evaluate(root);
  open.push(root);
  let nLeaves = 1;

  while (nLeaves < p.maxLeaves) {
    let bi = -1;
    for (let i = 0; i < open.length; i++) {
      const s = open[i]!.split;
      if (s && (bi < 0 || s.gain > open[bi]!.split!.gain)) bi = i;
    }
    if (bi < 0) break;
    const leaf = open.splice(bi, 1)[0]!;
    const s = leaf.split!;
    setLeftMask(ctx.data.goLeft, s);
    const mid = ctx.par.partition(leaf.start, leaf.end, s.feature);
    tree.feature[leaf.node] = s.feature;
    tree.bin[leaf.node] = s.bin;
    tree.categories[leaf.node] = s.categories;
    tree.gain[leaf.node] = s.gain;
    const ln = newNode(tree, mid - leaf.start);
    const rn = newNode(tree, leaf.end - mid);
    tree.left[leaf.node] = ln;
    tree.right[leaf.node] = rn;
    nLeaves++;

    // Monotone split: children's outputs are separated at the midpoint of their weights.
    let lb = { lo: leaf.lo, hi: leaf.hi };
    let rb = { lo: leaf.lo, hi: leaf.hi };
    const mono = ctx.info.monotone[s.feature]!;
    const m = (s.wl + s.wr) / 2;
    if (mono > 0) {
      lb = { lo: leaf.lo, hi: Math.min(leaf.hi, m) };
      rb = { lo: Math.max(leaf.lo, m), hi: leaf.hi };
    } else if (mono < 0) {
      lb = { lo: Math.max(leaf.lo, m), hi: leaf.hi };
      rb = { lo: leaf.lo, hi: Math.min(leaf.hi, m) };
    }
    const depth = leaf.depth + 1;
    const left: OpenLeaf = {
      node: ln,
      start: leaf.start,
      end: mid,
      depth,
      ...lb,
      weight: s.wl,
      slot: -1,
      split: null,
    };
    const right: OpenLeaf = {
      node: rn,
      start: mid,
      end: leaf.end,
      depth,
      ...rb,
      weight: s.wr,
      slot: -1,
      split: null,
    };
    if (depth < p.maxDepth && nLeaves < p.maxLeaves) {
      const [small, large] = mid - leaf.start <= leaf.end - mid ? [left, right] : [right, left];
      small.slot = take();
      ctx.par.build(small.slot, small.start, small.end, nActive);
      subtractHistogram(ctx.data, leaf.slot, small.slot, leaf.slot, nActive);
      large.slot = leaf.slot;
      evaluate(left);
      evaluate(right);
      for (const c of [left, right]) {
        if (c.split) open.push(c);
        else {
          ctx.freeSlots.push(c.slot);
          done.push(c);
        }
      }
    } else {
      ctx.freeSlots.push(leaf.slot);
      done.push(left, right);
    }
  }
  for (const l of open) {
    if (l.slot >= 0) ctx.freeSlots.push(l.slot);
    done.push(l);
  }
  for (const l of done) tree.value[l.node] = l.weight * p.learningRate;
  return { tree, leaves: done.map((l) => ({ node: l.node, start: l.start, end: l.end })) };
}

function rootWeight(
  ctx: GrowContext,
  slot: number,
  features: Int32Array,
  p: TreeParams,
  bound: number,
): number {
  const f = features[0]!;
  const o = slot * 2 * ctx.data.totalBins + 2 * ctx.info.featOffset[f]!;
  let g = 0;
  let h = 0;
  for (let b = 0; b < ctx.info.nBins[f]!; b++) {
    g += ctx.data.hists[o + 2 * b]!;
    h += ctx.data.hists[o + 2 * b + 1]!;
  }
  return leafWeight(g, h, p.lambda, -bound, bound);
}
