// The jobs a boosting thread runs on its share of the work, identical on the main thread and in workers.
// Kept free of worker start-up code so the worker bundle is just this and the kernels.
import { applyLeavesChunk, buildHistogram, partitionChunk, type TrainBuffers } from './kernels.ts';
import { gradients, type Objective } from './objectives.ts';

export interface Targets {
  objective: Objective;
  y: Float64Array;
  offset: Float64Array | null;
  weight: Float64Array | null;
}

export const PROTOCOL = {
  GEN: 0,
  DONE: 1,
  CMD: 2,
  FAILED: 3,
  A0: 4,
  A1: 5,
  A2: 6,
  A3: 7,
  /** Diagnostics written by worker 1: the generation it last saw and its state (1 waiting, 2 working). */
  SEEN: 8,
  STATE: 9,
  BUILD: 1,
  PARTITION: 2,
  GRADIENTS: 3,
  LEAVES: 4,
  EXIT: 5,
} as const;
const P = PROTOCOL;

/** Most row chunks a histogram build is split into (scratch slots needed: this − 1). */
export const MAX_HIST_CHUNKS = 16;
const HIST_CHUNK_ROWS = 4096;

/**
 * Row chunks of a histogram build over `rows` rows. It depends on the row count only, never on the
 * thread count, and chunks are summed in chunk order: so 1 and N threads add in the same order.
 */
export function histChunks(rows: number): number {
  return Math.max(1, Math.min(MAX_HIST_CHUNKS, Math.floor(rows / HIST_CHUNK_ROWS)));
}

/** Adds the chunk histograms of a build (scratch slots) into its first chunk's slot, in chunk order. */
export function reduceChunks(d: TrainBuffers, slot: number, rows: number, nActive: number): void {
  const k = histChunks(rows);
  const stride = 2 * d.totalBins;
  const h = d.hists;
  for (let c = 1; c < k; c++) {
    const src = (d.scratchSlot + c - 1) * stride;
    for (let j = 0; j < nActive; j++) {
      const f = d.features[j]!;
      for (let x = 2 * d.featOffset[f]!; x < 2 * d.featOffset[f + 1]!; x++)
        h[slot * stride + x]! += h[src + x]!;
    }
  }
}

/**
 * Waits until ctrl[index] !== value: spins briefly first (jobs often finish within microseconds, and a
 * futex wake-up costs more), then sleeps. Returns false on timeout.
 */
export function waitChange(ctrl: Int32Array, index: number, value: number, timeoutMs: number): boolean {
  for (let spin = 0; spin < 4000; spin++) if (Atomics.load(ctrl, index) !== value) return true;
  return Atomics.wait(ctrl, index, value, timeoutMs) !== 'timed-out' || Atomics.load(ctrl, index) !== value;
}

/** Start of share t of [a, b) split in `parts`. */
export function share(t: number, parts: number, a: number, b: number): number {
  return a + Math.floor(((b - a) * t) / parts);
}

/** Moves chunk results of a split partition into place: all lefts (in chunk order), then all rights. */
export function mergePartition(d: TrainBuffers, start: number, end: number, parts: number): number {
  let dest = start;
  for (let t = 0; t < parts; t++) {
    const a = share(t, parts, start, end);
    const l = d.leftCounts[t]!;
    if (dest !== a) d.rows.copyWithin(dest, a, a + l);
    dest += l;
  }
  const mid = dest;
  for (let t = 0; t < parts; t++) {
    const a = share(t, parts, start, end);
    const b = share(t + 1, parts, start, end);
    const r = b - a - d.leftCounts[t]!;
    d.rows.set(d.tmp.subarray(a, a + r), dest);
    dest += r;
  }
  return mid;
}

/** Executes job `cmd` for share `t` of `parts` (used by the main thread and by workers alike). */
export function runShare(
  d: TrainBuffers,
  targets: Targets,
  ctrl: Int32Array,
  t: number,
  parts: number,
): void {
  switch (ctrl[P.CMD]) {
    case P.BUILD: {
      // Row chunks (not features) per thread: each chunk streams its rows once; see histChunks.
      const [slot, start, end, n] = [ctrl[P.A0]!, ctrl[P.A1]!, ctrl[P.A2]!, ctrl[P.A3]!];
      const k = histChunks(end - start);
      for (let c = share(t, parts, 0, k); c < share(t + 1, parts, 0, k); c++) {
        const into = c === 0 ? slot : d.scratchSlot + c - 1;
        buildHistogram(d, into, share(c, k, start, end), share(c + 1, k, start, end), n, 0, n);
      }
      return;
    }
    case P.PARTITION: {
      const a = share(t, parts, ctrl[P.A0]!, ctrl[P.A1]!);
      const b = share(t + 1, parts, ctrl[P.A0]!, ctrl[P.A1]!);
      d.leftCounts[t] = partitionChunk(d, a, b, ctrl[P.A2]!);
      return;
    }
    case P.GRADIENTS: {
      const { objective, y, offset, weight } = targets;
      const a = share(t, parts, 0, d.nRows);
      gradients(
        objective,
        y,
        d.margin,
        offset ?? undefined,
        weight ?? undefined,
        d.gh,
        a,
        share(t + 1, parts, 0, d.nRows),
      );
      return;
    }
    case P.LEAVES:
      applyLeavesChunk(d, ctrl[P.A0]!, share(t, parts, 0, ctrl[P.A1]!), share(t + 1, parts, 0, ctrl[P.A1]!));
      return;
  }
}
