// Feature binning: numeric features to ≤ maxBins quantile bins, categorical to one bin per level, as Uint8
// codes in a row-major matrix (a row's features share a cache line while histograms are built).
import { type Frame, getColumn } from '../data/frame.ts';

export interface GbmFeatureSpec {
  column: string;
  /** Default: numeric for numeric columns, categorical for text columns. */
  kind?: 'numeric' | 'categorical';
  /** +1: prediction never decreases as the feature grows; −1: never increases. Numeric features only. */
  monotone?: -1 | 0 | 1;
}

export type FeatureBinning =
  | {
      kind: 'numeric';
      name: string;
      /** Upper bounds of bins 0..k−2: value x falls in the first bin b with x ≤ cuts[b], else the last bin. */
      cuts: number[];
      monotone: -1 | 0 | 1;
    }
  | {
      kind: 'categorical';
      name: string;
      /** Level of each bin; a level unseen in training gets bin levels.length (never sent left). */
      levels: string[];
    };

export function binCount(f: FeatureBinning): number {
  return f.kind === 'numeric' ? f.cuts.length + 1 : f.levels.length + 1;
}

/** Greedy quantile cuts at midpoints between distinct values; values with many rows get their own bin. */
export function quantileCuts(values: Float64Array, maxBins: number): number[] {
  const { distinct, counts } = distinctCounts(values);
  const mid = (k: number): number => (distinct[k]! + distinct[k + 1]!) / 2;
  if (distinct.length <= maxBins) return distinct.slice(0, -1).map((_, k) => mid(k));
  const cuts: number[] = [];
  let remaining = counts.reduce((s, c) => s + c, 0);
  let binsLeft = maxBins;
  let cum = 0;
  for (let k = 0; k < distinct.length - 1 && binsLeft > 1; k++) {
    cum += counts[k]!;
    // Close the bin once it holds its share, or early if the next value alone would overflow it.
    const target = remaining / binsLeft;
    if (cum >= target || cum + counts[k + 1]! / 2 > target) {
      cuts.push(mid(k));
      remaining -= cum;
      binsLeft--;
      cum = 0;
    }
  }
  return cuts;
}

/** Sorted distinct non-NaN values and their counts: by hashing when there are few, else by sorting. */
function distinctCounts(values: Float64Array): { distinct: number[]; counts: number[] } {
  const seen = new Map<number, number>();
  for (let i = 0; i < values.length && seen.size <= 65536; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  if (seen.size <= 65536) {
    const distinct = [...seen.keys()].sort((a, b) => a - b);
    return { distinct, counts: distinct.map((v) => seen.get(v)!) };
  }
  const sorted = Float64Array.from(values).sort(); // NaN sorts last
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length && !Number.isNaN(sorted[i]!); ) {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    distinct.push(v);
    counts.push(j - i);
    i = j;
  }
  return { distinct, counts };
}

function levelStrings(frame: Frame, column: string): { labels: string[]; codes: Int32Array } {
  const c = getColumn(frame, column);
  if (c.kind === 'categorical') return { labels: c.levels, codes: c.codes };
  const labels: string[] = [];
  const index = new Map<number, number>();
  const codes = new Int32Array(c.values.length);
  for (let i = 0; i < codes.length; i++) {
    const v = c.values[i]!;
    let k = index.get(v);
    if (k === undefined) {
      k = labels.length;
      index.set(v, k);
      labels.push(String(v));
    }
    codes[i] = k;
  }
  return { labels, codes };
}

export function fitBinning(frame: Frame, specs: readonly GbmFeatureSpec[], maxBins = 255): FeatureBinning[] {
  if (maxBins < 2 || maxBins > 255) throw new Error(`maxBins must be in 2..255, got ${maxBins}`);
  return specs.map((s) => {
    const col = getColumn(frame, s.column);
    const kind = s.kind ?? (col.kind === 'numeric' ? 'numeric' : 'categorical');
    if (kind === 'numeric') {
      if (col.kind !== 'numeric')
        throw new Error(`feature '${s.column}' is text; it can only be categorical`);
      return { kind, name: s.column, cuts: quantileCuts(col.values, maxBins), monotone: s.monotone ?? 0 };
    }
    if (s.monotone) throw new Error(`feature '${s.column}': monotone constraints need a numeric feature`);
    const { labels, codes } = levelStrings(frame, s.column);
    const seen = new Uint8Array(labels.length);
    for (const c of codes) seen[c] = 1;
    const levels = labels.filter((_, k) => seen[k]).sort();
    if (levels.length > 254)
      throw new Error(`feature '${s.column}' has ${levels.length} levels; at most 254`);
    return { kind, name: s.column, levels };
  });
}

function binOf(cuts: readonly number[], x: number): number {
  if (Number.isNaN(x)) return 0;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (x <= cuts[m]!) hi = m;
    else lo = m + 1;
  }
  return lo;
}

/** Row-major n × F bin codes of a frame under fitted binnings (missing numeric values go to bin 0). */
export function binFrame(frame: Frame, binnings: readonly FeatureBinning[], out?: Uint8Array): Uint8Array {
  const F = binnings.length;
  const n = frame.nRows;
  const bins = out ?? new Uint8Array(n * F);
  binnings.forEach((b, f) => {
    if (b.kind === 'numeric') {
      const col = getColumn(frame, b.name);
      if (col.kind !== 'numeric') throw new Error(`feature '${b.name}' must be numeric`);
      const cuts = b.cuts;
      for (let i = 0; i < n; i++) bins[i * F + f] = binOf(cuts, col.values[i]!);
    } else {
      const { labels, codes } = levelStrings(frame, b.name);
      const index = new Map(b.levels.map((l, k) => [l, k]));
      const map = labels.map((l) => index.get(l) ?? b.levels.length);
      for (let i = 0; i < n; i++) bins[i * F + f] = map[codes[i]!]!;
    }
  });
  return bins;
}
