// Seeded pseudo-random numbers: xoshiro128** (fast, 32-bit ops, passes BigCrush) seeded through splitmix32.
// Every stream is derived from a seed string, so `fork(label)` gives the same numbers however many were
// drawn before: driver 17's trips do not change when driver 3 draws one more sample.
import { xoshiro128ss } from '../domain/random.ts';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Gaussian (Box–Muller, second value cached). */
  normal(mean?: number, sd?: number): number;
  /** exp(N(mu, sigma)). */
  lognormal(mu: number, sigma: number): number;
  /** True with probability p. */
  bool(p: number): boolean;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  poisson(mean: number): number;
  /** Gamma(shape, scale): mean shape·scale. */
  gamma(shape: number, scale: number): number;
  pick<T>(items: readonly T[]): T;
  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  /** An independent stream named by `label`, derived from this stream's seed (not its position). */
  fork(label: string | number): Rng;
  readonly seedKey: string;
}

/** FNV-1a over the UTF-16 code units, then avalanche (murmur3 fmix32). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const INV_2_32 = 1 / 4294967296;

export function createRng(seed: string | number): Rng {
  const seedKey = String(seed);
  const uint32 = xoshiro128ss(hash32(seedKey));
  const next = (): number => uint32() * INV_2_32;

  let spare = 0;
  let hasSpare = false;
  const stdNormal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = 0;
    while (u === 0) u = next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * next();
    spare = r * Math.sin(theta);
    hasSpare = true;
    return r * Math.cos(theta);
  };

  const gamma = (shape: number, scale: number): number => {
    // Marsaglia & Tsang (2000); shape < 1 through the boost U^(1/shape).
    if (shape < 1) return gamma(shape + 1, scale) * next() ** (1 / shape);
    const dd = shape - 1 / 3;
    const cc = 1 / Math.sqrt(9 * dd);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = stdNormal();
        v = 1 + cc * x;
      } while (v <= 0);
      v = v * v * v;
      const u = next();
      if (u < 1 - 0.0331 * x ** 4) return dd * v * scale;
      if (Math.log(u) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v * scale;
    }
  };

  const rng: Rng = {
    seedKey,
    next,
    uint32,
    int: (n) => Math.floor(next() * n),
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal: (mean = 0, sd = 1) => mean + sd * stdNormal(),
    lognormal: (mu, sigma) => Math.exp(mu + sigma * stdNormal()),
    bool: (p) => next() < p,
    exponential: (mean) => -mean * Math.log(1 - next()),
    poisson: (mean) => (mean < 30 ? poissonSmall(next, mean) : poissonPtrs(next, mean)),
    gamma,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted: <K extends string>(weights: Readonly<Record<K, number>>): K => {
      const keys = Object.keys(weights) as K[];
      let total = 0;
      for (const k of keys) total += weights[k];
      let u = next() * total;
      for (const k of keys) {
        u -= weights[k];
        if (u < 0) return k;
      }
      return keys[keys.length - 1] as K;
    },
    fork: (label) => createRng(`${seedKey}/${label}`),
  };
  return rng;
}

function poissonSmall(next: () => number, mean: number): number {
  // Knuth: multiply uniforms until the product falls under e^-mean.
  const limit = Math.exp(-mean);
  let k = 0;
  let p = next();
  while (p > limit) {
    k++;
    p *= next();
  }
  return k;
}

/** Hörmann (1993) transformed rejection with squeeze, for means ≥ 10. */
function poissonPtrs(next: () => number, lam: number): number {
  const slam = Math.sqrt(lam);
  const loglam = Math.log(lam);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = next() - 0.5;
    const v = next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lam + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -lam + k * loglam - logGamma(k + 1)
    ) {
      return k;
    }
  }
}

/** ln Γ(x) by the Lanczos approximation (g = 7, 9 terms), x > 0. */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xx = x - 1;
  let s = c[0]!;
  for (let i = 1; i < 9; i++) s += c[i]! / (xx + i);
  const t = xx + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(s);
}
