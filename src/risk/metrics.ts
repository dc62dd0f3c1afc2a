// Pricing metrics: deviances, exposure-weighted Lorenz curve and Gini, lift / A/E by decile, D², PSI.
// `pred` is always the expected value on the same scale as `obs` (e.g. expected claim count = exposure × frequency).

export type Family = { name: 'poisson' } | { name: 'gamma' } | { name: 'tweedie'; power: number };

/** Unit deviance d(y, μ) of a family (its weighted sum over rows is the total deviance). */
export function unitDeviance(family: Family, y: number, mu: number): number {
  switch (family.name) {
    case 'poisson':
      return 2 * (y > 0 ? y * Math.log(y / mu) - (y - mu) : mu);
    case 'gamma':
      return 2 * (-Math.log(y / mu) + (y - mu) / mu);
    case 'tweedie': {
      const p = family.power;
      if (p === 1) return unitDeviance({ name: 'poisson' }, y, mu);
      if (p === 2) return unitDeviance({ name: 'gamma' }, y, mu);
      const a = y > 0 ? y ** (2 - p) / ((1 - p) * (2 - p)) : 0;
      return 2 * (a - (y * mu ** (1 - p)) / (1 - p) + mu ** (2 - p) / (2 - p));
    }
  }
}

/** Σ w·d(y, μ) / Σ w. */
export function meanDeviance(
  family: Family,
  obs: ArrayLike<number>,
  pred: ArrayLike<number>,
  weight?: ArrayLike<number>,
): number {
  let s = 0;
  let ws = 0;
  for (let i = 0; i < obs.length; i++) {
    const w = weight ? weight[i]! : 1;
    s += w * unitDeviance(family, obs[i]!, pred[i]!);
    ws += w;
  }
  return s / ws;
}

/** Mean Poisson deviance ×100, the figure the freMTPL2 literature reports as "×10⁻²". */
export function poissonDevianceX100(obs: ArrayLike<number>, pred: ArrayLike<number>): number {
  return 100 * meanDeviance({ name: 'poisson' }, obs, pred);
}

/**
 * D² = 1 − D(model) / D(null), the null model predicting the overall rate Σobs / Σexposure for every row
 * (deviance's analogue of R²).
 */
export function dSquared(
  family: Family,
  obs: ArrayLike<number>,
  pred: ArrayLike<number>,
  exposure?: ArrayLike<number>,
): number {
  let so = 0;
  let se = 0;
  for (let i = 0; i < obs.length; i++) {
    so += obs[i]!;
    se += exposure ? exposure[i]! : 1;
  }
  const rate = so / se;
  const nullPred = new Float64Array(obs.length);
  for (let i = 0; i < obs.length; i++) nullPred[i] = rate * (exposure ? exposure[i]! : 1);
  return 1 - meanDeviance(family, obs, pred) / meanDeviance(family, obs, nullPred);
}

export interface LorenzCurve {
  /** Cumulative exposure share, from 0 to 1, riskiest first. */
  exposureShare: Float64Array;
  /** Cumulative share of observed claims at the same points. */
  claimShare: Float64Array;
}

/**
 * Exposure-weighted Lorenz (concentration) curve: policies ordered by predicted frequency, riskiest first.
 * Policies with equal predictions form one step, so ties never depend on row order.
 */
export function lorenzCurve(
  obs: ArrayLike<number>,
  rate: ArrayLike<number>,
  exposure?: ArrayLike<number>,
): LorenzCurve {
  const n = obs.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rate[b]! - rate[a]!);
  let totE = 0;
  let totO = 0;
  for (let i = 0; i < n; i++) {
    totE += exposure ? exposure[i]! : 1;
    totO += obs[i]!;
  }
  const xs = [0];
  const ys = [0];
  let ce = 0;
  let co = 0;
  for (let k = 0; k < n; ) {
    const r = rate[order[k]!]!;
    while (k < n && rate[order[k]!] === r) {
      const i = order[k]!;
      ce += exposure ? exposure[i]! : 1;
      co += obs[i]!;
      k++;
    }
    xs.push(ce / totE);
    ys.push(co / totO);
  }
  return { exposureShare: Float64Array.from(xs), claimShare: Float64Array.from(ys) };
}

/** Gini = 2 × (area under the Lorenz curve) − 1: 0 for no discrimination, larger is better. */
export function gini(obs: ArrayLike<number>, rate: ArrayLike<number>, exposure?: ArrayLike<number>): number {
  const { exposureShare: x, claimShare: y } = lorenzCurve(obs, rate, exposure);
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return 2 * area - 1;
}

export interface LiftBand {
  band: number;
  exposure: number;
  observed: number;
  expected: number;
  /** Observed / expected claims. */
  actualToExpected: number;
  observedFrequency: number;
  predictedFrequency: number;
  /** Observed frequency of the band / overall observed frequency. */
  lift: number;
}

/** Lift and A/E by band of equal exposure (deciles by default), ordered from lowest to highest predicted rate. */
export function liftTable(
  obs: ArrayLike<number>,
  rate: ArrayLike<number>,
  exposure?: ArrayLike<number>,
  bands = 10,
): LiftBand[] {
  const n = obs.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rate[a]! - rate[b]! || a - b);
  const e = (i: number): number => (exposure ? exposure[i]! : 1);
  let totE = 0;
  let totO = 0;
  for (let i = 0; i < n; i++) {
    totE += e(i);
    totO += obs[i]!;
  }
  const out: LiftBand[] = [];
  let cum = 0;
  let k = 0;
  for (let b = 0; b < bands; b++) {
    let ex = 0;
    let ob = 0;
    let xp = 0;
    const limit = (totE * (b + 1)) / bands;
    while (k < n && (b === bands - 1 || cum + e(order[k]!) / 2 <= limit)) {
      const i = order[k]!;
      ex += e(i);
      ob += obs[i]!;
      xp += rate[i]! * e(i);
      cum += e(i);
      k++;
    }
    out.push({
      band: b + 1,
      exposure: ex,
      observed: ob,
      expected: xp,
      actualToExpected: ob / xp,
      observedFrequency: ob / ex,
      predictedFrequency: xp / ex,
      lift: ob / ex / (totO / totE),
    });
  }
  return out;
}

/**
 * Population stability index between a reference score sample and a new one, on `bins` quantile bins of the
 * reference: Σ (a − e)·ln(a / e). Empty bins get a floor share so the index stays finite.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): number {
  const sorted = Float64Array.from(reference).sort();
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const q = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))]!;
    if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  }
  const share = (xs: ArrayLike<number>): Float64Array => {
    const c = new Float64Array(edges.length + 1);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      let lo = 0;
      let hi = edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (x < edges[mid]!) hi = mid;
        else lo = mid + 1;
      }
      c[lo]! += 1;
    }
    for (let b = 0; b < c.length; b++) c[b] = Math.max(c[b]! / xs.length, 1e-6);
    return c;
  };
  const e = share(reference);
  const a = share(current);
  let s = 0;
  for (let b = 0; b < e.length; b++) s += (a[b]! - e[b]!) * Math.log(a[b]! / e[b]!);
  return s;
}
