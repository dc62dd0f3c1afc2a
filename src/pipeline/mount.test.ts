// How the pipeline keeps a phone's mount right over time: between trips, against a tilted gravity estimate
// (GPS-known acceleration), across IMU gaps, and in the earth frame whose fusion absorbs sustained acceleration.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { G_MPS2, type SensorBatch } from '../domain/index.ts';
import { createProcessor, type ProcessorSnapshot, restoreProcessor } from './index.ts';
import { mountRotation, runAll, synthDrive, tripAround } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);
const harshKinds = (o: { events: { kind: string }[] }) =>
  o.events.filter((e) => e.kind.startsWith('harsh_')).map((e) => e.kind);

describe('phone mount over time', () => {
  test('a phone put back in another mount for the next trip is calibrated anew: its braking is a braking', () => {
    const brake = [{ durationS: 1.5, accelMps2: -0.45 * G_MPS2 }, { durationS: 20 }];
    const first = tripAround([{ durationS: 30 }], {
      startMs: T0,
      frame: 'device',
      mount: mountRotation(20, 5, 0),
    });
    const lastT = Math.max(...first.flatMap((b) => b.gps?.t ?? []));
    const second = tripAround(brake, {
      startMs: lastT + 120_000,
      frame: 'device',
      mount: mountRotation(200, -5, 3),
      seed: 2,
    }).map((b) => ({ ...b, batchId: `2-${b.batchId}` }));
    const o = runAll(createProcessor('synth-1'), [...first, ...second]);
    assert.equal(o.trips.length, 2);
    const inSecond = o.events.filter((e) => e.tripId === o.trips[1]!.id);
    assert.deepEqual(harshKinds({ events: inSecond }), ['harsh_braking']);
  });

  test('with GPS, a gravity estimate tilted by 6° is levelled within half a minute of driving', () => {
    const batches = tripAround([{ durationS: 120 }], {
      startMs: T0,
      frame: 'device',
      mount: mountRotation(0, 0, 0),
    });
    const p = createProcessor('synth-1');
    const cut = 70; // cruising, calibrated
    for (const b of batches.slice(0, cut)) p.push(b);
    const snap = p.snapshot() as ProcessorSnapshot;
    const g = snap.state.orient.g;
    const n = Math.hypot(...g);
    const tilt = (6 * Math.PI) / 180;
    // Turn the estimate about the device's y axis (mount is level: gravity along device z).
    snap.state.orient.g = [n * Math.sin(tilt), g[1], n * Math.cos(tilt)];
    const q = restoreProcessor(JSON.parse(JSON.stringify(snap)) as ProcessorSnapshot);
    const tiltDeg = () => {
      const v = (q.snapshot() as ProcessorSnapshot).state.orient.g;
      return (Math.acos(Math.min(1, v[2] / Math.hypot(...v))) * 180) / Math.PI;
    };
    assert.ok(tiltDeg() > 5);
    for (const b of batches.slice(cut, cut + 30)) q.push(b);
    assert.ok(tiltDeg() < 1, `still tilted ${tiltDeg().toFixed(2)}° after 30 s`);
  });

  test('a manoeuvre does not span an IMU gap: data that stops mid-bend and resumes hours later', () => {
    const a = synthDrive({
      startMs: T0,
      frame: 'device',
      segments: [{ durationS: 20, accelMps2: 0.8 }, { durationS: 60 }, { durationS: 6, yawRps: 0.35 }],
    });
    // The next recording starts hours later already in a hard bend (the app resumed mid-drive), and its first
    // second has no GPS fix yet: those IMU samples reach the old trip before a fix can close it.
    const b = synthDrive({
      startMs: T0 + 3 * 3_600_000,
      frame: 'device',
      speed0Mps: 16,
      segments: [{ durationS: 3, yawRps: 0.35 }, { durationS: 80 }, { durationS: 14, accelMps2: -1.2 }],
    }).map(({ gps, ...x }, i) => ({ ...x, ...(i > 0 && gps ? { gps } : {}), batchId: `b-${x.batchId}` }));
    const o = runAll(createProcessor('synth-1'), [...a, ...b]);
    assert.equal(o.trips.length, 2);
    for (const e of o.events)
      assert.ok(e.endMs - e.startMs < 60_000, `${e.kind} lasts ${e.endMs - e.startMs} ms`);
    for (const t of o.trips)
      for (const e of o.events.filter((x) => x.tripId === t.id))
        assert.ok(
          e.startMs >= t.startMs - 60_000 && e.endMs <= t.endMs + 60_000,
          `${e.kind} outside its trip`,
        );
  });
});

/**
 * An earth-frame stream as a phone's rotation-vector fusion delivers it: sustained horizontal acceleration is
 * taken for a tilt with time constant tauS, so the reading decays while the car still accelerates and an
 * opposite "phantom" appears when it stops; |a| is unchanged (a rotation).
 */
function absorbed(batches: SensorBatch[], tauS: number): SensorBatch[] {
  let ex = 0;
  let ey = 0;
  let lastT: number | null = null;
  return batches.map((b) => {
    const m = b.imu;
    if (!m) return b;
    const ax: number[] = [];
    const ay: number[] = [];
    const az: number[] = [];
    for (let i = 0; i < m.t.length; i++) {
      const dt = lastT === null ? 0 : (m.t[i]! - lastT) / 1000;
      lastT = m.t[i]!;
      ex += (m.ax[i]! - ex) * Math.min(1, dt / tauS);
      ey += (m.ay[i]! - ey) * Math.min(1, dt / tauS);
      const hx = m.ax[i]! - ex;
      const hy = m.ay[i]! - ey;
      const f2 = m.ax[i]! ** 2 + m.ay[i]! ** 2 + m.az[i]! ** 2;
      ax.push(hx);
      ay.push(hy);
      az.push(Math.sqrt(Math.max(0, f2 - hx * hx - hy * hy)));
    }
    return { ...b, imu: { ...m, ax, ay, az } };
  });
}

describe('earth frame without GPS, fusion absorbing sustained acceleration', () => {
  const drive = (middle: { durationS: number; accelMps2?: number; yawRps?: number }[]) =>
    absorbed(
      synthDrive({
        startMs: T0,
        frame: 'earth',
        gps: false,
        vibrationPerMps: 0.01,
        segments: [
          { durationS: 5 },
          { durationS: 12, accelMps2: 1 },
          // Turns teach the forward axis without GPS.
          { durationS: 10 },
          { durationS: 4, yawRps: 0.3 },
          { durationS: 10 },
          { durationS: 4, yawRps: -0.3 },
          { durationS: 10 },
          ...middle,
          // Without GPS a trip needs 5 minutes to count (its distance is unknown).
          { durationS: 300 },
        ],
      }),
      1.5,
    );

  test('a 4 s acceleration at 0.3 g that reads as a one-second pulse is a harsh acceleration, at 0.25 g', () => {
    const cfg = { harshAccelerationMps2: 0.25 * G_MPS2, harshBrakingMps2: 0.25 * G_MPS2 };
    const batches = drive([{ durationS: 4, accelMps2: 0.3 * G_MPS2 }, { durationS: 20 }]);
    const kinds = harshKinds(runAll(createProcessor('synth-1', cfg), batches));
    assert.deepEqual(kinds, ['harsh_acceleration']);
    const without = harshKinds(
      runAll(createProcessor('synth-1', { ...cfg, earthMagnitudeLongitudinal: false }), batches),
    );
    assert.ok(!without.includes('harsh_acceleration'), 'the earth-frame reading alone misses it');
  });

  test('a hard braking is one harsh braking: its phantom rebound (|a| at gravity) is no acceleration', () => {
    const cfg = { harshAccelerationMps2: 0.2 * G_MPS2, harshBrakingMps2: 0.3 * G_MPS2 };
    const batches = drive([
      { durationS: 2, accelMps2: -0.45 * G_MPS2 },
      { durationS: 10 },
      { durationS: 10, accelMps2: 0.8 },
    ]);
    assert.deepEqual(harshKinds(runAll(createProcessor('synth-1', cfg), batches)), ['harsh_braking']);
  });
});
