// Seeded PRNG so that sampling (row/column subsampling, validation splits) is reproducible from a seed.
// xoshiro128** with a splitmix32 seeder (src/domain/random.ts).
import { xoshiro128ss } from '../domain/random.ts';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export function createRng(seed: number): Rng {
  const nextU32 = xoshiro128ss(Math.trunc(seed));
  return {
    next: () => nextU32() / 4294967296,
    int: (n: number) => Math.floor((nextU32() / 4294967296) * n),
  };
}

/** Fisher–Yates shuffle of 0..n-1, deterministic for a given rng state. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
