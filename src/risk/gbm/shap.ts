// Exact TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2): path-dependent Shapley values of one row in
// polynomial time, with node covers (training rows) as the conditional-expectation weights.
import type { CompiledTree } from './predict.ts';
import type { Tree } from './tree.ts';

interface Path {
  feature: number[];
  zero: number[];
  one: number[];
  weight: number[];
}

function extend(m: Path, depth: number, zero: number, one: number, feature: number): void {
  m.feature[depth] = feature;
  m.zero[depth] = zero;
  m.one[depth] = one;
  m.weight[depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    m.weight[i + 1]! += (one * m.weight[i]! * (i + 1)) / (depth + 1);
    m.weight[i] = (zero * m.weight[i]! * (depth - i)) / (depth + 1);
  }
}

function unwind(m: Path, depth: number, at: number): void {
  const one = m.one[at]!;
  const zero = m.zero[at]!;
  let next = m.weight[depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = m.weight[i]!;
      m.weight[i] = (next * (depth + 1)) / ((i + 1) * one);
      next = t - (m.weight[i]! * zero * (depth - i)) / (depth + 1);
    } else {
      m.weight[i] = (m.weight[i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = at; i < depth; i++) {
    m.feature[i] = m.feature[i + 1]!;
    m.zero[i] = m.zero[i + 1]!;
    m.one[i] = m.one[i + 1]!;
  }
}

function unwoundSum(m: Path, depth: number, at: number): number {
  const one = m.one[at]!;
  const zero = m.zero[at]!;
  let next = m.weight[depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = (next * (depth + 1)) / ((i + 1) * one);
      total += t;
      next = m.weight[i]! - (t * zero * (depth - i)) / (depth + 1);
    } else if (zero !== 0) {
      total += m.weight[i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

const copy = (m: Path, n: number): Path => ({
  feature: m.feature.slice(0, n),
  zero: m.zero.slice(0, n),
  one: m.one.slice(0, n),
  weight: m.weight.slice(0, n),
});

/** Adds the tree's SHAP values for the row (binned codes `x`, one per feature) into phi. */
export function treeShap(tree: Tree, compiled: CompiledTree, x: Uint8Array, phi: Float64Array): void {
  const recurse = (
    node: number,
    parent: Path,
    depth: number,
    zero: number,
    one: number,
    feature: number,
  ): void => {
    const m = copy(parent, depth + 1);
    extend(m, depth, zero, one, feature);
    const f = tree.feature[node]!;
    if (f < 0) {
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(m, depth, i);
        phi[m.feature[i]!]! += w * (m.one[i]! - m.zero[i]!) * tree.value[node]!;
      }
      return;
    }
    const goesLeft = compiled.goLeft[node * 256 + x[f]!] === 1;
    const hot = goesLeft ? tree.left[node]! : tree.right[node]!;
    const cold = goesLeft ? tree.right[node]! : tree.left[node]!;
    const cover = tree.cover[node]!;
    let inZero = 1;
    let inOne = 1;
    let d = depth;
    const k = m.feature.indexOf(f);
    if (k >= 0 && k <= d) {
      inZero = m.zero[k]!;
      inOne = m.one[k]!;
      unwind(m, d, k);
      d -= 1;
    }
    recurse(hot, m, d + 1, (tree.cover[hot]! / cover) * inZero, inOne, f);
    recurse(cold, m, d + 1, (tree.cover[cold]! / cover) * inZero, 0, f);
  };
  recurse(0, { feature: [], zero: [], one: [], weight: [] }, 0, 1, 1, -1);
}

/** E[tree(X)] under the training distribution: leaves weighted by their cover. */
export function treeExpectedValue(tree: Tree): number {
  let s = 0;
  for (let i = 0; i < tree.feature.length; i++)
    if (tree.feature[i]! < 0) s += tree.value[i]! * tree.cover[i]!;
  return s / tree.cover[0]!;
}

/**
 * Conditional expectation E[tree(X) | X_S = x_S] by the path-dependent rule (Algorithm 1 of the paper):
 * features in S follow x, the others average children by cover. Exponential use only: tests and checks.
 */
export function treeConditionalExpectation(
  tree: Tree,
  compiled: CompiledTree,
  x: Uint8Array,
  known: Set<number>,
): number {
  const walk = (node: number): number => {
    const f = tree.feature[node]!;
    if (f < 0) return tree.value[node]!;
    const l = tree.left[node]!;
    const r = tree.right[node]!;
    if (known.has(f)) return walk(compiled.goLeft[node * 256 + x[f]!] ? l : r);
    return (walk(l) * tree.cover[l]! + walk(r) * tree.cover[r]!) / tree.cover[node]!;
  };
  return walk(0);
}
