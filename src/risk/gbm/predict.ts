// Scoring trees on binned rows. Each internal node gets a 256-entry "goes left" table, so numeric and
// categorical splits cost the same lookup.
import type { Tree } from './tree.ts';

export interface CompiledTree {
  feature: Int32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  /** goLeft[node * 256 + bin] */
  goLeft: Uint8Array;
}

export function compileTree(t: Tree): CompiledTree {
  const n = t.feature.length;
  const goLeft = new Uint8Array(n * 256);
  for (let i = 0; i < n; i++) {
    if (t.feature[i]! < 0) continue;
    const cats = t.categories[i];
    if (cats) for (const c of cats) goLeft[i * 256 + c] = 1;
    else goLeft.fill(1, i * 256, i * 256 + t.bin[i]! + 1);
  }
  return {
    feature: Int32Array.from(t.feature),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    value: Float64Array.from(t.value),
    goLeft,
  };
}

/** Leaf node reached by row r of a row-major bin matrix. */
export function leafOf(t: CompiledTree, bins: Uint8Array, nFeatures: number, r: number): number {
  let node = 0;
  const base = r * nFeatures;
  for (;;) {
    const f = t.feature[node]!;
    if (f < 0) return node;
    node = t.goLeft[node * 256 + bins[base + f]!] ? t.left[node]! : t.right[node]!;
  }
}

/** margin[r] += tree(row r) for every row. */
export function addTreeToMargin(
  t: CompiledTree,
  bins: Uint8Array,
  nFeatures: number,
  margin: Float64Array,
): void {
  for (let r = 0; r < margin.length; r++) margin[r]! += t.value[leafOf(t, bins, nFeatures, r)]!;
}
