// Synthetic claim data with a known true frequency, for tests (not exported from the risk index).
import type { Frame } from '../data/frame.ts';
import { createRng, type Rng } from '../prng.ts';

/** Poisson draw (Knuth's method; fine for the small means of claim counts). */
export function poissonDraw(rng: Rng, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= rng.next();
    if (p <= l) return k;
    k++;
  }
}

export interface SyntheticPortfolio {
  frame: Frame;
  /** The frequency per exposure-year the counts were drawn from. */
  trueRate: Float64Array;
}

/**
 * Policies with age (numeric, frequency falls with age), power (numeric, rises), region (text, 4 levels),
 * noise (numeric, no effect) and exposure in (0.1, 1]; ClaimNb ~ Poisson(exposure × rate).
 */
export function syntheticPortfolio(n: number, seed: number, baseRate = 0.1): SyntheticPortfolio {
  const rng = createRng(seed);
  const age = new Float64Array(n);
  const power = new Float64Array(n);
  const noise = new Float64Array(n);
  const exposure = new Float64Array(n);
  const claims = new Float64Array(n);
  const region = new Int32Array(n);
  const trueRate = new Float64Array(n);
  const regionEffect = [0, 0.4, -0.3, 0.8];
  for (let i = 0; i < n; i++) {
    age[i] = 18 + Math.floor(rng.next() * 62);
    power[i] = 4 + Math.floor(rng.next() * 10);
    noise[i] = rng.next();
    region[i] = rng.int(4);
    exposure[i] = 0.1 + 0.9 * rng.next();
    const r =
      baseRate * Math.exp(-0.02 * (age[i]! - 40) + 0.08 * (power[i]! - 8) + regionEffect[region[i]!]!);
    trueRate[i] = r;
    claims[i] = poissonDraw(rng, r * exposure[i]!);
  }
  return {
    frame: {
      nRows: n,
      names: ['age', 'power', 'region', 'noise', 'exposure', 'claims'],
      columns: {
        age: { kind: 'numeric', values: age },
        power: { kind: 'numeric', values: power },
        region: { kind: 'categorical', codes: region, levels: ['north', 'east', 'south', 'west'] },
        noise: { kind: 'numeric', values: noise },
        exposure: { kind: 'numeric', values: exposure },
        claims: { kind: 'numeric', values: claims },
      },
    },
    trueRate,
  };
}
