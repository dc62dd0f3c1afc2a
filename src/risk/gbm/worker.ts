// Worker side of parallel.ts: waits for a job, runs its share on shared memory, reports done.
import { parentPort, workerData } from 'node:worker_threads';
import type { TrainBuffers } from './kernels.ts';
import { PROTOCOL as P, runShare, type Targets, waitChange } from './jobs.ts';

const { ctrl, id, threads, d, targets } = workerData as {
  ctrl: Int32Array;
  id: number;
  threads: number;
  d: TrainBuffers;
  targets: Targets;
};

// Generation 0 is the pool's initial state: a job posted before this loop starts is not missed.
let gen = 0;
parentPort?.postMessage('ready');
for (;;) {
  if (id === 1) Atomics.store(ctrl, P.STATE, 1);
  while (!waitChange(ctrl, P.GEN, gen, 3_600_000)) {}
  gen = Atomics.load(ctrl, P.GEN);
  if (id === 1) {
    Atomics.store(ctrl, P.SEEN, gen);
    Atomics.store(ctrl, P.STATE, 2);
  }
  if (ctrl[P.CMD] === P.EXIT) break;
  try {
    runShare(d, targets, ctrl, id, threads);
  } catch (e) {
    // The main thread is blocked waiting for DONE: flag the failure there rather than dying silently.
    Atomics.store(ctrl, P.FAILED, 1);
    parentPort?.postMessage({ error: (e as Error).stack ?? String(e) });
  }
  Atomics.add(ctrl, P.DONE, 1);
  Atomics.notify(ctrl, P.DONE);
}
