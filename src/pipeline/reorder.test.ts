import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SensorBatch } from '../domain/index.ts';
import { G_MPS2 } from '../domain/index.ts';
import { createProcessor } from './index.ts';
import { runAll, tripAround } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);
const drive = () =>
  tripAround(
    [{ durationS: 1.5, accelMps2: -0.45 * G_MPS2 }, { durationS: 30 }, { durationS: 5.2, yawRps: 0.3 }],
    { startMs: T0, imuHz: 25 },
  );

function slice(b: SensorBatch, from: number, to: number, id: string): SensorBatch {
  const imu = b.imu!;
  return {
    ...b,
    batchId: id,
    gps: undefined as never,
    imu: {
      frame: imu.frame,
      t: imu.t.slice(from, to),
      ax: imu.ax.slice(from, to),
      ay: imu.ay.slice(from, to),
      az: imu.az.slice(from, to),
      gx: imu.gx!.slice(from, to),
      gy: imu.gy!.slice(from, to),
      gz: imu.gz!.slice(from, to),
    },
  };
}

describe('ordering', () => {
  test('late, shuffled and duplicated batches give the same trips and events as in-order delivery', () => {
    const ordered = JSON.stringify(runAll(createProcessor('synth-1'), drive()));
    const b = drive();
    const messy: SensorBatch[] = [];
    // Shuffle within blocks of 8 s (inside the 30 s window), redeliver every 10th batch and resend half of
    // every 7th batch's IMU under a new batch id.
    for (let i = 0; i < b.length; i += 8) {
      const block = b.slice(i, i + 8);
      block.reverse();
      for (const x of block) {
        messy.push(x);
        const n = Number(x.batchId.split('-').pop());
        if (n % 10 === 0) messy.push(x);
        if (n % 7 === 0) messy.push(slice(x, 0, 25, `${x.batchId}-again`));
      }
    }
    const p = createProcessor('synth-1');
    const out = JSON.stringify(runAll(p, messy));
    assert.equal(out, ordered);
    const st = p.stats();
    assert.ok(st.samplesDropped.duplicateBatches > 0);
    assert.ok(st.samplesDropped.duplicate > 0);
  });

  test('a sample later than the reorder window is dropped and counted', () => {
    const b = drive();
    const p = createProcessor('synth-1');
    const late = b.splice(100, 1)[0]!;
    for (const x of b.slice(0, 200)) p.push(x);
    p.push(late);
    assert.equal(p.stats().samplesDropped.late, late.imu!.t.length + late.gps!.t.length);
  });

  test('IMU samples out of order inside a batch are sorted', () => {
    const b = drive();
    for (const x of b) {
      const m = x.imu!;
      for (const k of ['t', 'ax', 'ay', 'az', 'gx', 'gy', 'gz'] as const) m[k]!.reverse();
    }
    assert.equal(
      JSON.stringify(runAll(createProcessor('synth-1'), b)),
      JSON.stringify(runAll(createProcessor('synth-1'), drive())),
    );
  });

  test('a device clock running ahead of the gateway is pulled back', () => {
    const b = drive();
    const skewMs = 3_600_000;
    for (const x of b) {
      x.receivedAtMs = x.imu!.t[x.imu!.t.length - 1]! + 200;
      for (const k of ['t'] as const) {
        x.imu![k] = x.imu![k].map((t) => t + skewMs);
        x.gps![k] = x.gps![k].map((t) => t + skewMs);
      }
    }
    const o = runAll(createProcessor('synth-1'), b);
    assert.equal(o.trips.length, 1);
    assert.ok(
      Math.abs(o.trips[0]!.startMs - (T0 + 8_000)) < 2000,
      `start ${(o.trips[0]!.startMs - T0) / 1000} s`,
    );
  });
});
