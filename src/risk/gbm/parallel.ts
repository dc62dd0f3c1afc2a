// Runs the boosting kernels on the main thread alone, or split with worker threads over shared memory.
// The main thread takes the first share of each job and waits for the others with Atomics (microseconds
// per job, no message passing on the hot path).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  histChunks,
  mergePartition,
  PROTOCOL as P,
  reduceChunks,
  runShare,
  type Targets,
  waitChange,
} from './jobs.ts';
import type { TrainBuffers } from './kernels.ts';

export type { Targets };

export interface Parallel {
  readonly threads: number;
  /** Histogram of rows[start, end) into `slot` for the first nActive entries of d.features. */
  build(slot: number, start: number, end: number, nActive: number): void;
  /** Stable partition of rows[start, end) by d.goLeft on `feature`; returns the first right position. */
  partition(start: number, end: number, feature: number): number;
  /** Gradients and hessians of every row at the current margin. */
  gradients(): void;
  /** Adds the leaf values in d.leaves to the margin of in-bag rows (positions [0, m)). */
  applyLeaves(nLeaves: number, m: number): void;
  close(): Promise<void>;
}

/** Below this many rows a job is not worth waking the workers for. */
const MIN_PARALLEL_ROWS = 8192;

/** Typed arrays over SharedArrayBuffer, so worker threads see the same memory. */
export function sharedArray<T extends Float64Array | Uint32Array | Uint8Array | Int32Array>(
  ctor: new (buf: SharedArrayBuffer) => T,
  bytesPerElement: number,
  length: number,
): T {
  return new ctor(new SharedArrayBuffer(Math.max(1, length) * bytesPerElement));
}

/** The kernels on the calling thread only. */
export function serial(d: TrainBuffers, targets: Targets): Parallel {
  const ctrl = new Int32Array(8);
  const job = (cmd: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0) => {
    ctrl.set([0, 0, cmd, 0, a0, a1, a2, a3]);
    runShare(d, targets, ctrl, 0, 1);
  };
  return {
    threads: 1,
    build(slot, start, end, nActive) {
      job(P.BUILD, slot, start, end, nActive);
      reduceChunks(d, slot, end - start, nActive);
    },
    partition(start, end, feature) {
      job(P.PARTITION, start, end, feature);
      return mergePartition(d, start, end, 1);
    },
    gradients: () => job(P.GRADIENTS),
    applyLeaves: (nLeaves, m) => job(P.LEAVES, nLeaves, m),
    close: async () => {},
  };
}

let bundled: string | null = null;

/**
 * The worker as one CommonJS script. Bundling worker.ts with esbuild (tsx's own compiler, so always
 * installed with it) takes ~0.1 s once and lets workers start in milliseconds; without esbuild the
 * workers register tsx and import the TypeScript, which costs about a second each.
 */
async function workerCode(): Promise<string> {
  const entry = new URL('./worker.ts', import.meta.url);
  if (bundled === null) {
    try {
      const esbuild = await import('esbuild');
      const out = esbuild.buildSync({
        entryPoints: [fileURLToPath(entry)],
        bundle: true,
        write: false,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        logLevel: 'silent',
      });
      bundled = out.outputFiles[0]!.text;
    } catch {
      bundled = '';
    }
  }
  if (bundled) return bundled;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })
  .catch((e) => { console.error(e); process.exit(1); });`;
}

/** Starts threads − 1 workers; every array of `d` and `targets` must live in SharedArrayBuffers. */
export async function parallel(d: TrainBuffers, targets: Targets, threads: number): Promise<Parallel> {
  if (threads <= 1) return serial(d, targets);
  const ctrl = new Int32Array(new SharedArrayBuffer(16 * 4));
  const code = await workerCode();
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  // Recorded from the start: a worker that dies mid-training has exited before close() is called.
  const exited: Promise<void>[] = [];
  for (let id = 1; id < threads; id++) {
    const w = new Worker(code, { eval: true, workerData: { ctrl, id, threads, d, targets } });
    workers.push(w);
    exited.push(new Promise((resolve) => w.once('exit', () => resolve())));
    ready.push(
      new Promise((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`boosting worker exited early (${code})`)));
      }),
    );
  }
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  const others = threads - 1;
  const job = (cmd: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0): void => {
    ctrl[P.CMD] = cmd;
    ctrl[P.A0] = a0;
    ctrl[P.A1] = a1;
    ctrl[P.A2] = a2;
    ctrl[P.A3] = a3;
    Atomics.store(ctrl, P.DONE, 0);
    Atomics.add(ctrl, P.GEN, 1);
    Atomics.notify(ctrl, P.GEN);
    runShare(d, targets, ctrl, 0, threads);
    for (;;) {
      const done = Atomics.load(ctrl, P.DONE);
      if (done === others) break;
      // A worker that died cannot report; the timeout turns a silent hang into an error.
      if (!waitChange(ctrl, P.DONE, done, 60_000)) {
        const seen = `generation ${Atomics.load(ctrl, P.GEN)}, worker saw ${Atomics.load(ctrl, P.SEEN)} in state ${Atomics.load(ctrl, P.STATE)}`;
        throw new Error(`boosting worker did not answer within 60 s (${seen}, done ${done})`);
      }
    }
    if (Atomics.load(ctrl, P.FAILED)) throw new Error('a boosting worker failed');
  };
  const local = serial(d, targets);
  let closed = false;
  return {
    threads,
    build(slot, start, end, nActive) {
      if (histChunks(end - start) < 2) local.build(slot, start, end, nActive);
      else {
        job(P.BUILD, slot, start, end, nActive);
        reduceChunks(d, slot, end - start, nActive);
      }
    },
    partition(start, end, feature) {
      if (end - start < MIN_PARALLEL_ROWS) return local.partition(start, end, feature);
      job(P.PARTITION, start, end, feature);
      return mergePartition(d, start, end, threads);
    },
    gradients: () => job(P.GRADIENTS),
    applyLeaves: (nLeaves, m) => job(P.LEAVES, nLeaves, m),
    async close() {
      if (closed) return;
      closed = true;
      ctrl[P.CMD] = P.EXIT;
      Atomics.add(ctrl, P.GEN, 1);
      Atomics.notify(ctrl, P.GEN);
      // A worker stuck in a job would never see EXIT: give them a moment, then terminate.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), 5000);
      });
      const outcome = await Promise.race([Promise.all(exited), grace]);
      clearTimeout(timer);
      if (outcome === 'late') await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
