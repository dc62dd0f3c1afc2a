// Throughput of the pure pipeline (samples/s on one core) on synthetic device-frame drives (50 Hz IMU + 1 Hz GPS,
// no map matching), and memory per active device (1,000 processors each holding an open trip).
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { G_MPS2, type SensorBatch, sampleCount } from '../src/domain/index.ts';
import { createProcessor } from '../src/pipeline/index.ts';
import { mountRotation, type Segment, synthDrive } from '../src/pipeline/testkit.ts';
import { writeResult } from './lib.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A 30-minute urban/suburban drive: stops, turns, curves, a few harsh manoeuvres. */
function cityDrive(minutes: number): Segment[] {
  const segs: Segment[] = [{ durationS: 5 }];
  let t = 5;
  let k = 0;
  while (t < minutes * 60) {
    const block: Segment[] = [
      { durationS: 8, accelMps2: 1.6 },
      { durationS: 40, yawRps: 0.01 * ((k % 3) - 1) },
      { durationS: 6, yawRps: k % 2 ? 0.25 : -0.25 },
      { durationS: 30 },
      k % 4 === 0 ? { durationS: 1.5, accelMps2: -0.45 * G_MPS2 } : { durationS: 1.5 },
      { durationS: 20 },
      { durationS: 9, accelMps2: -1.4 },
      { durationS: 25 },
    ];
    for (const s of block) t += s.durationS;
    segs.push(...block);
    k++;
  }
  return segs;
}

function batchesFor(deviceId: string, minutes: number, batchMs: number, seed: number): SensorBatch[] {
  return synthDrive({
    deviceId,
    seed,
    frame: 'device',
    mount: mountRotation(35, 70, -8),
    segments: cityDrive(minutes),
    batchMs,
    vibrationPerMps: 0.02,
  });
}

function throughput(
  batches: SensorBatch[],
  runs: number,
): { samplesPerS: number; runsMs: number[]; samples: number; trips: number; events: number } {
  const samples = batches.reduce((s, b) => s + sampleCount(b), 0);
  const runsMs: number[] = [];
  let trips = 0;
  let events = 0;
  const warmup = 2;
  for (let r = 0; r < runs + warmup; r++) {
    const p = createProcessor(batches[0]!.deviceId);
    const t0 = performance.now();
    for (const b of batches) p.push(b);
    const o = p.flush();
    const ms = performance.now() - t0;
    if (r >= warmup) runsMs.push(ms); // the first runs warm the JIT up
    trips = o.trips.length;
    events = o.events.length;
  }
  const sorted = runsMs.slice().sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return {
    samplesPerS: Math.round((samples / median) * 1000),
    runsMs: runsMs.map((x) => Math.round(x)),
    samples,
    trips,
    events,
  };
}

function memoryPerDevice(devices: number): {
  heapPerDeviceKiB: number;
  snapshotJsonKiB: number;
  snapshotMs: number;
  openTrips: number;
} {
  const feed = batchesFor('mem', 3, 1000, 7).slice(0, 150); // 150 s: trip open and confirmed
  const perDevice = feed.map((b) => JSON.stringify(b));
  gc();
  const before = process.memoryUsage().heapUsed;
  const procs = [];
  for (let d = 0; d < devices; d++) {
    const id = `dev-${d}`;
    const p = createProcessor(id);
    for (const s of perDevice) p.push({ ...(JSON.parse(s) as SensorBatch), deviceId: id });
    procs.push(p);
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  const openTrips = procs.filter((p) => p.activeTrip?.confirmed).length;
  // Checkpoint cost: snapshot() + JSON.stringify, as a worker would do it.
  const sample = Math.min(100, procs.length);
  let snap = 0;
  const t0 = performance.now();
  for (let i = 0; i < sample; i++) snap = JSON.stringify(procs[i]!.snapshot()).length;
  const snapshotMs = Math.round(((performance.now() - t0) / sample) * 100) / 100;
  return {
    heapPerDeviceKiB: Math.round((after - before) / devices / 1024),
    snapshotJsonKiB: Math.round(snap / 1024),
    snapshotMs,
    openTrips,
  };
}

export async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const minutes = quick ? 10 : 30;
  const runs = quick ? 2 : 5;
  const results: Record<string, unknown> = {};
  for (const batchMs of [1000, 10_000]) {
    const batches = batchesFor('tp', minutes, batchMs, 1);
    const r = throughput(batches, runs);
    results[`batch${batchMs / 1000}s`] = r;
    process.stderr.write(
      `batches of ${batchMs / 1000} s: ${(r.samplesPerS / 1e6).toFixed(2)} M samples/s (${r.trips} trips, ${r.events} events)\n`,
    );
  }
  const devices = quick ? 200 : 1000;
  const mem = memoryPerDevice(devices);
  process.stderr.write(
    `memory: ${mem.heapPerDeviceKiB} KiB heap per device with an open trip (${mem.openTrips}/${devices} open)\n`,
  );
  const target = 1_000_000;
  const best = Math.max(...Object.values(results).map((r) => (r as { samplesPerS: number }).samplesPerS));
  const file = writeResult('pipeline-throughput', {
    inputs: {
      drive: `${minutes} min synthetic city drive, device frame (phone at yaw 35° pitch 70° roll -8°), 50 Hz IMU with gyro + 1 Hz GPS`,
      runsMeasured: runs,
      mapMatching: false,
      devicesForMemory: devices,
      note: 'single thread; the machine has 2 cores shared with other work, so figures are taken under contention',
    },
    throughput: results,
    memory: { ...mem, devices, feedSeconds: 150 },
    targetSamplesPerS: target,
    meetsTarget: best >= target,
  });
  process.stderr.write(`wrote ${file}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
