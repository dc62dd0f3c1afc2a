import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProcessor } from './index.ts';
import { runAll, synthDrive } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);

describe('trip segmentation', () => {
  test('ends a trip after 5 minutes stationary, at the moment the car stopped', () => {
    const b = synthDrive({
      startMs: T0,
      frame: null,
      segments: [
        { durationS: 10 },
        { durationS: 10, accelMps2: 1.5 },
        { durationS: 300 },
        { durationS: 10, accelMps2: -1.5 },
        { durationS: 400 },
      ],
    });
    const p = createProcessor('synth-1');
    const o = runAll(p, b, false);
    assert.equal(o.trips.length, 1, 'closed without waiting for the end of input');
    const t = o.trips[0]!;
    assert.equal(t.endReason, 'stationary');
    const stopMs = T0 + 330_000;
    assert.ok(
      Math.abs(t.endMs - stopMs) <= 2000,
      `ends when the car stopped (${(t.endMs - stopMs) / 1000} s off)`,
    );
    assert.ok(Math.abs(t.startMs - (T0 + 12_000)) <= 1500, 'starts once above 8 km/h');
    assert.ok(t.features.distanceM > 4400 && t.features.distanceM < 4800, `distance ${t.features.distanceM}`);
    assert.equal(t.trace.tMs.length, (t.endMs - t.startMs) / 1000 + 1, '1 Hz trace up to the stop');
    assert.equal(p.activeTrip, null);
  });

  test('stays open while stopped for less than 5 minutes (a long red light)', () => {
    const b = synthDrive({
      startMs: T0,
      frame: null,
      segments: [
        { durationS: 10, accelMps2: 1.5 },
        { durationS: 100 },
        { durationS: 10, accelMps2: -1.5 },
        { durationS: 240 },
        { durationS: 10, accelMps2: 1.5 },
        { durationS: 100 },
      ],
    });
    const o = runAll(createProcessor('synth-1'), b);
    assert.equal(o.trips.length, 1);
    assert.equal(o.trips[0]!.endReason, 'end_of_input');
    assert.ok(o.trips[0]!.features.idleTimeMs >= 235_000, `idle ${o.trips[0]!.features.idleTimeMs}`);
  });

  test('drops a trip shorter than 300 s and 500 m, keeps a short one that covers 1 km', () => {
    const short = synthDrive({
      startMs: T0,
      frame: null,
      segments: [
        { durationS: 4, accelMps2: 1 },
        { durationS: 60 },
        { durationS: 4, accelMps2: -1 },
        { durationS: 330 },
      ],
    });
    const p = createProcessor('synth-1');
    assert.equal(runAll(p, short).trips.length, 0);
    assert.equal(p.stats().tripsDropped, 1);
    const fast = synthDrive({
      startMs: T0,
      frame: null,
      segments: [
        { durationS: 10, accelMps2: 1.5 },
        { durationS: 60 },
        { durationS: 10, accelMps2: -1.5 },
        { durationS: 330 },
      ],
    });
    const kept = runAll(createProcessor('synth-1'), fast).trips;
    assert.equal(kept.length, 1);
    assert.ok(kept[0]!.endMs - kept[0]!.startMs < 300_000);
  });

  test('a brief speed spike does not start a trip', () => {
    const b = synthDrive({
      startMs: T0,
      frame: null,
      segments: [
        { durationS: 30 },
        { durationS: 2, accelMps2: 1.5 },
        { durationS: 2, accelMps2: -1.5 },
        { durationS: 60 },
      ],
    });
    const p = createProcessor('synth-1');
    runAll(p, b, false);
    assert.equal(p.activeTrip, null);
  });

  test('a data gap longer than the dwell window ends the trip at the last data', () => {
    const a = synthDrive({
      startMs: T0,
      frame: null,
      segments: [{ durationS: 10, accelMps2: 1.5 }, { durationS: 400 }],
    });
    const b = synthDrive({
      startMs: T0 + 1_000_000,
      frame: null,
      deviceId: 'synth-1',
      segments: [{ durationS: 10, accelMps2: 1.5 }, { durationS: 400 }],
    });
    b.forEach((x, i) => {
      x.batchId = `second-${i}`;
    });
    const o = runAll(createProcessor('synth-1'), [...a, ...b]);
    assert.deepEqual(
      o.trips.map((t) => t.endReason),
      ['gap', 'end_of_input'],
    );
    assert.ok(
      Math.abs(o.trips[0]!.endMs - (T0 + 409_000)) <= 1000,
      `ends at ${(o.trips[0]!.endMs - T0) / 1000} s`,
    );
  });

  test('tick() closes the trip once the dwell window has passed without data', () => {
    const a = synthDrive({
      startMs: T0,
      frame: null,
      segments: [{ durationS: 10, accelMps2: 1.5 }, { durationS: 400 }],
    });
    const p = createProcessor('synth-1');
    runAll(p, a, false);
    assert.ok(p.activeTrip?.confirmed);
    assert.equal(p.tick(T0 + 410_000 + 60_000).trips.length, 0, 'not yet');
    const o = p.tick(T0 + 410_000 + 30_000 + 300_000 + 1000);
    assert.equal(o.trips.length, 1);
    assert.equal(o.trips[0]!.endReason, 'gap');
  });

  test('data for the time after a tick() that arrives late (a buffered upload) makes a new trip, nothing dropped', () => {
    const a = synthDrive({
      startMs: T0,
      frame: null,
      segments: [{ durationS: 10, accelMps2: 1.5 }, { durationS: 400 }],
    });
    // The phone keeps driving offline from 20 min after the first trip's last data; it uploads hours later.
    const b = synthDrive({
      startMs: T0 + 410_000 + 20 * 60_000,
      frame: null,
      segments: [{ durationS: 10, accelMps2: 1.5 }, { durationS: 400 }, { durationS: 10, accelMps2: -1.5 }],
    }).map((x) => ({ ...x, batchId: `late-${x.batchId}` }));
    const p = createProcessor('synth-1');
    runAll(p, a, false);
    const first = p.tick(T0 + 3 * 3_600_000).trips;
    assert.equal(first.length, 1, 'the silent trip is closed');
    assert.equal(first[0]!.endReason, 'gap');
    const o = runAll(p, b);
    assert.equal(p.stats().samplesDropped.late, 0, 'no late sample was dropped');
    assert.equal(o.trips.length, 1);
    assert.ok(o.trips[0]!.startMs >= T0 + 410_000 + 20 * 60_000, 'the late data is its own trip');
    assert.ok(o.trips[0]!.features.distanceM > 5000, `distance ${o.trips[0]!.features.distanceM}`);
  });

  test('ignition off ends the trip at once; no trip starts while the ignition is off', () => {
    const b = synthDrive({
      startMs: T0,
      frame: null,
      segments: [
        { durationS: 10, accelMps2: 1.5 },
        { durationS: 400 },
        { durationS: 10, accelMps2: -1.5 },
        { durationS: 60 },
      ],
    });
    b[300]!.deviceEvents = [{ t: T0 + 300_000, kind: 'ignition_off' }];
    const o = runAll(createProcessor('synth-1'), b);
    assert.equal(o.trips.length, 1);
    assert.equal(o.trips[0]!.endReason, 'ignition_off');
    assert.equal(o.trips[0]!.endMs, T0 + 300_000);

    const off = synthDrive({
      startMs: T0,
      frame: null,
      segments: [{ durationS: 10, accelMps2: 1.5 }, { durationS: 400 }],
    });
    for (const x of off) x.gpsAttributes = x.gps!.t.map(() => ({ ignition: false }));
    assert.equal(runAll(createProcessor('synth-1'), off).trips.length, 0);
  });

  test('dwelling within 100 m with jittery GPS ends the trip', () => {
    const b = synthDrive({
      startMs: T0,
      frame: null,
      segments: [
        { durationS: 10, accelMps2: 1.5 },
        { durationS: 300 },
        { durationS: 10, accelMps2: -1.5 },
        { durationS: 400 },
      ],
    });
    // Parked: positions wander ±20 m and the receiver reports 1.5 m/s of phantom speed.
    let k = 0;
    for (const x of b) {
      const g = x.gps!;
      for (let i = 0; i < g.t.length; i++) {
        if (g.t[i]! < T0 + 322_000) continue;
        k++;
        g.lat[i]! += (((k * 7919) % 41) - 20) * 1e-5 * 0.9;
        g.speedMps![i] = 1.5;
        g.headingDeg![i] = (k * 37) % 360;
      }
    }
    const o = runAll(createProcessor('synth-1'), b, false);
    assert.equal(o.trips.length, 1);
    assert.equal(o.trips[0]!.endReason, 'stationary');
  });

  test('without GPS, IMU vibration segments the trip', () => {
    const b = synthDrive({
      startMs: T0,
      gps: false,
      vibrationPerMps: 0.03,
      segments: [
        { durationS: 20 },
        { durationS: 10, accelMps2: 1.5 },
        { durationS: 400 },
        { durationS: 10, accelMps2: -1.5 },
        { durationS: 400 },
      ],
    });
    const o = runAll(createProcessor('synth-1'), b, false);
    assert.equal(o.trips.length, 1);
    const t = o.trips[0]!;
    assert.ok(Math.abs(t.startMs - (T0 + 20_000)) <= 3000, `start ${(t.startMs - T0) / 1000}`);
    assert.ok(Math.abs(t.endMs - (T0 + 440_000)) <= 3000, `end ${(t.endMs - T0) / 1000}`);
    assert.equal(t.features.distanceM, 0);
    assert.equal(t.mode, 'unknown');
  });
});
