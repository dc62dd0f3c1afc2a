import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { G_MPS2, type SensorBatch } from '../domain/index.ts';
import { createProcessor, type DeviceProcessor, type PipelineOutput, restoreProcessor } from './index.ts';
import { mountRotation, synthDrive, tripAround } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 22, 30, 0);
/** The idle sweep's wall clock, hours after the data. */
const LATER_MS = T0 + 6 * 3_600_000;

/**
 * Three trips of one phone: two with events that end parked, the second 60 s after the first's data end, and
 * a third after which the phone goes silent while moving (only tick() can close it). testkit numbers batches
 * per drive, so the drives reuse batch ids, as a phone's counter does after a reinstall.
 */
function threeTrips(batchMs: number): SensorBatch[] {
  const middle = [
    { durationS: 5.2, yawRps: -0.3 },
    { durationS: 20 },
    { durationS: 1.5, accelMps2: -0.45 * G_MPS2 },
    { durationS: 10 },
    { durationS: 2, accelMps2: 0.4 * G_MPS2 },
  ];
  const o = { deviceId: 'd1', frame: 'device' as const, mount: mountRotation(30, 60, -10), batchMs };
  const phone = [
    { t: T0 + 70_000, event: 'screen_on' as const },
    { t: T0 + 80_000, event: 'screen_off' as const },
  ];
  const a = tripAround(middle, { ...o, startMs: T0, phone });
  const aEnd = a[a.length - 1]!.imu!.t.at(-1)!;
  const b = tripAround(middle, { ...o, startMs: aEnd + 60_000 });
  const c = synthDrive({
    ...o,
    startMs: aEnd + 660_000,
    segments: [
      { durationS: 15, accelMps2: 1 },
      { durationS: 100 },
      { durationS: 1.5, accelMps2: -0.5 * G_MPS2 },
      { durationS: 200 },
    ],
  });
  return [...a, ...b, ...c];
}

function collect(out: PipelineOutput, o: PipelineOutput): void {
  out.trips.push(...o.trips);
  out.events.push(...o.events);
}

/** Pushes every batch (restoring from a JSON snapshot before batch `cutAt`), then ticks hours later. */
function run(batches: SensorBatch[], cutAt: number | null = null): PipelineOutput {
  const out: PipelineOutput = { trips: [], events: [] };
  let p: DeviceProcessor = createProcessor('d1');
  batches.forEach((b, i) => {
    if (i === cutAt) p = restoreProcessor(JSON.parse(JSON.stringify(p.snapshot())));
    collect(out, p.push(b));
  });
  collect(out, p.tick(LATER_MS));
  return out;
}

describe('independence from batching', () => {
  const reference = run(threeTrips(1000));
  const refJson = JSON.stringify(reference);

  test('the reference run finds the three trips and their events, the last closed by tick()', () => {
    assert.deepEqual(
      reference.trips.map((t) => t.endReason),
      ['stationary', 'stationary', 'gap'],
    );
    const kinds = new Set(reference.events.map((e) => e.kind));
    for (const k of ['harsh_braking', 'harsh_acceleration', 'harsh_cornering', 'phone_distraction'] as const)
      assert.ok(kinds.has(k), `has ${k}`);
  });

  for (const batchMs of [2_500, 5_000, 10_000, 30_000, 60_000]) {
    test(`${batchMs / 1000} s batches give the same trips and events (ids included) as 1 s batches`, () => {
      const out = run(threeTrips(batchMs));
      assert.deepEqual(
        out.trips.map((t) => t.id),
        reference.trips.map((t) => t.id),
      );
      assert.equal(JSON.stringify(out), refJson);
    });
  }

  test('a reused batch id with other content is new data; the same batch again is a redelivery', () => {
    const batches = threeTrips(10_000);
    const p = createProcessor('d1');
    const out: PipelineOutput = { trips: [], events: [] };
    for (const b of batches) {
      collect(out, p.push(b));
      collect(out, p.push(b));
    }
    collect(out, p.tick(LATER_MS));
    assert.equal(p.stats().samplesDropped.duplicateBatches, batches.length);
    assert.equal(JSON.stringify(out), refJson);
  });

  const tenS = threeTrips(10_000);
  // Cut points: inside the first trip, while parked, in the gap, inside the second and the silent third trip.
  const cuts = [1, 7, 20, 45, 47, 50, 62, 80, 100, 120, tenS.length - 1];
  for (const k of cuts) {
    test(`restoring a JSON snapshot before 10 s batch ${k} of ${tenS.length} changes nothing`, () => {
      assert.equal(JSON.stringify(run(tenS, k)), refJson);
    });
  }
});
