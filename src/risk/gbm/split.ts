// Best split of one leaf from its histogram: numeric thresholds scanned left to right, categorical levels
// ordered by gradient ratio (Fisher's trick), monotone constraints and output bounds honoured.

export interface SplitParams {
  lambda: number;
  minHessian: number;
  minSplitGain: number;
  /** Smoothing of the per-level gradient ratio when ordering categories. */
  catSmooth: number;
}

export interface Split {
  gain: number;
  feature: number;
  /** Numeric: rows with bin ≤ bin go left. */
  bin: number;
  /** Categorical: bins that go left (null for numeric). */
  categories: number[] | null;
  gl: number;
  hl: number;
  gr: number;
  hr: number;
  /** Leaf weights of the children (before the learning rate), clamped to the leaf's bounds. */
  wl: number;
  wr: number;
}

export interface FeatureInfo {
  nBins: Int32Array;
  featOffset: Int32Array;
  isCategorical: Uint8Array;
  monotone: Int8Array;
}

export function leafWeight(g: number, h: number, lambda: number, lo: number, hi: number): number {
  return Math.min(Math.max(-g / (h + lambda), lo), hi);
}

/** Twice the loss reduction of a leaf with weight w against weight 0 (equals g²/(h+λ) at the optimum). */
function score(g: number, h: number, w: number, lambda: number): number {
  return -(2 * g * w + (h + lambda) * w * w);
}

export function findBestSplit(
  hists: Float64Array,
  histBase: number,
  info: FeatureInfo,
  features: Int32Array,
  lo: number,
  hi: number,
  p: SplitParams,
): Split | null {
  let best: Split | null = null;
  const lambda = p.lambda;
  for (const f of features) {
    const nb = info.nBins[f]!;
    const o = histBase + 2 * info.featOffset[f]!;
    let G = 0;
    let H = 0;
    for (let b = 0; b < nb; b++) {
      G += hists[o + 2 * b]!;
      H += hists[o + 2 * b + 1]!;
    }
    const parent = score(G, H, leafWeight(G, H, lambda, lo, hi), lambda);
    const minGain = Math.max(p.minSplitGain, best ? best.gain : 0);
    if (info.isCategorical[f]) {
      const s = categoricalSplit(hists, o, nb, G, H, parent, lo, hi, p);
      if (s && s.gain > minGain) best = { ...s, feature: f };
      continue;
    }
    const mono = info.monotone[f]!;
    let gl = 0;
    let hl = 0;
    let bestGain = minGain;
    let bestBin = -1;
    for (let b = 0; b < nb - 1; b++) {
      gl += hists[o + 2 * b]!;
      hl += hists[o + 2 * b + 1]!;
      if (hl < p.minHessian) continue;
      const hr = H - hl;
      if (hr < p.minHessian) break;
      const gr = G - gl;
      const wl = leafWeight(gl, hl, lambda, lo, hi);
      const wr = leafWeight(gr, hr, lambda, lo, hi);
      if ((mono > 0 && wl > wr) || (mono < 0 && wl < wr)) continue;
      const gain = 0.5 * (score(gl, hl, wl, lambda) + score(gr, hr, wr, lambda) - parent);
      if (gain > bestGain) {
        bestGain = gain;
        bestBin = b;
      }
    }
    if (bestBin >= 0) {
      let sg = 0;
      let sh = 0;
      for (let b = 0; b <= bestBin; b++) {
        sg += hists[o + 2 * b]!;
        sh += hists[o + 2 * b + 1]!;
      }
      best = {
        gain: bestGain,
        feature: f,
        bin: bestBin,
        categories: null,
        gl: sg,
        hl: sh,
        gr: G - sg,
        hr: H - sh,
        wl: leafWeight(sg, sh, lambda, lo, hi),
        wr: leafWeight(G - sg, H - sh, lambda, lo, hi),
      };
    }
  }
  return best;
}

function categoricalSplit(
  hists: Float64Array,
  o: number,
  nb: number,
  G: number,
  H: number,
  parent: number,
  lo: number,
  hi: number,
  p: SplitParams,
): Omit<Split, 'feature'> | null {
  const cats: number[] = [];
  for (let b = 0; b < nb; b++) if (hists[o + 2 * b + 1]! > 0) cats.push(b);
  if (cats.length < 2) return null;
  const ratio = (b: number): number => hists[o + 2 * b]! / (hists[o + 2 * b + 1]! + p.catSmooth);
  cats.sort((a, b) => ratio(a) - ratio(b) || a - b);
  let gl = 0;
  let hl = 0;
  let best: Omit<Split, 'feature'> | null = null;
  for (let k = 0; k < cats.length - 1; k++) {
    gl += hists[o + 2 * cats[k]!]!;
    hl += hists[o + 2 * cats[k]! + 1]!;
    const gr = G - gl;
    const hr = H - hl;
    if (hl < p.minHessian || hr < p.minHessian) continue;
    const wl = leafWeight(gl, hl, p.lambda, lo, hi);
    const wr = leafWeight(gr, hr, p.lambda, lo, hi);
    const gain = 0.5 * (score(gl, hl, wl, p.lambda) + score(gr, hr, wr, p.lambda) - parent);
    if (!best || gain > best.gain) {
      best = {
        gain,
        bin: -1,
        categories: cats.slice(0, k + 1).sort((a, b) => a - b),
        gl,
        hl,
        gr,
        hr,
        wl,
        wr,
      };
    }
  }
  return best;
}
