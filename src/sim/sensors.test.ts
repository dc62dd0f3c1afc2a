import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { G_MPS2 } from '../domain/units.ts';
import { IngestBatchV1 } from '../domain/wire.ts';
import { type PhoneEpisode, simulateDrive, type TripPlan } from './dynamics.ts';
import { ACCURACY_TO_SIGMA, createGps, gpsStep, PHONE_GPS } from './gps.ts';
import { phoneWindows, type PhoneSetup, traceAt } from './phone-sensors.ts';
import { createRng } from './rng.ts';
import { randomQuat, quatToMatrix } from './rotation.ts';
import { STYLE_MEANS } from './styles.ts';
import { arcRoute } from './testing.ts';
import { buildTrack, sampleAt } from './track.ts';

const CAR = { massKg: 1350, powerKw: 90 };

function curvyTrip(episodes: PhoneEpisode[] = []) {
  const track = buildTrack(arcRoute(60, Math.PI, 300, { speedLimitKmh: 70 }));
  const plan: TripPlan = {
    track,
    stops: [{ sM: track.lengthM - 1, dwellS: 0, visibleFromM: 250, kind: 'end', onsetFactor: 1 }],
    zones: [],
    idleBeforeS: 8,
    idleAfterS: 5,
    mood: 0,
  };
  const trace = simulateDrive(plan, STYLE_MEANS.normal, CAR, createRng('trip'), { phone: false });
  trace.phone = episodes;
  return { track, trace, startMs: 1_700_000_000_000 };
}

function setup(q = randomQuat(createRng('mount'))): PhoneSetup {
  return {
    mount: 'console_flat',
    initialQuat: q,
    gps: { ...PHONE_GPS, dropoutsPerHour: 0, jumpProb: 0 },
    accelNoiseSd: 0.03,
    gyroNoiseSd: 0.002,
    imu: true,
  };
}

describe('phone sensors', () => {
  test('device-frame IMU rotated back by the known mount gives the vehicle motion and 1 g of gravity', () => {
    const run = curvyTrip();
    const q = randomQuat(createRng('some mount'));
    const m = quatToMatrix(q);
    let n = 0;
    let errLong = 0;
    let errLat = 0;
    let errYaw = 0;
    let gSum = 0;
    let gCount = 0;
    for (const w of phoneWindows(run, setup(q), createRng('s'), null)) {
      const imu = w.imu!;
      for (let k = 0; k < imu.t.length; k++) {
        const dx = imu.ax[k]!;
        const dy = imu.ay[k]!;
        const dz = imu.az[k]!;
        // vehicle = R · device
        const vx = m[0]! * dx + m[1]! * dy + m[2]! * dz;
        const vy = m[3]! * dx + m[4]! * dy + m[5]! * dz;
        const vz = m[6]! * dx + m[7]! * dy + m[8]! * dz;
        const gz = m[6]! * imu.gx![k]! + m[7]! * imu.gy![k]! + m[8]! * imu.gz![k]!;
        const st = traceAt(run.trace, imu.t[k]! - run.startMs);
        const kappa = sampleAt(run.track, run.track.curvature, st.s);
        errLong += Math.abs(vx - st.a);
        errLat += Math.abs(vy - st.v * st.v * kappa);
        errYaw += Math.abs(gz - st.v * kappa);
        if (st.v === 0) {
          gSum += Math.hypot(dx, dy, dz);
          gCount++;
        }
        assert.ok(Math.abs(vz - G_MPS2) < 1, `vertical ${vz}`);
        n++;
      }
    }
    assert.ok(n > 3000);
    assert.ok(errLong / n < 0.15, `longitudinal error ${errLong / n}`);
    assert.ok(errLat / n < 0.15, `lateral error ${errLat / n}`);
    assert.ok(errYaw / n < 0.01, `yaw-rate error ${errYaw / n}`);
    assert.ok(gCount > 200);
    assert.ok(Math.abs(gSum / gCount - G_MPS2) < 0.1, `|a| at rest ${gSum / gCount}`);
    // The raw device axes are not the vehicle axes (a random mount is almost never the identity).
    assert.ok(Math.abs(m[8]! - 1) > 1e-3);
  });

  test('GPS error has the σ its reported accuracy promises (68% of fixes inside the accuracy radius)', () => {
    const cfg = { ...PHONE_GPS, environmentSd: 0, dropoutsPerHour: 0, jumpProb: 0, baseAccuracyM: 5 };
    const g = createGps(cfg, createRng('gps'));
    const n = 30_000;
    let se = 0;
    let sn = 0;
    let inside = 0;
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const f = gpsStep(g, 42.5, 1.52, 10, 0)!;
      se += f.errEastM ** 2;
      sn += f.errNorthM ** 2;
      if (Math.hypot(f.errEastM, f.errNorthM) <= 5) inside++;
      acc += f.accuracyM;
    }
    const sigma = 5 * ACCURACY_TO_SIGMA;
    const sdE = Math.sqrt(se / n);
    const sdN = Math.sqrt(sn / n);
    assert.ok(Math.abs(sdE / sigma - 1) < 0.1, `east σ ${sdE} vs ${sigma}`);
    assert.ok(Math.abs(sdN / sigma - 1) < 0.1, `north σ ${sdN} vs ${sigma}`);
    assert.ok(Math.abs(inside / n - 0.68) < 0.05, `share inside accuracy ${inside / n}`);
    assert.ok(Math.abs(acc / n / 5 - 1) < 0.05, `mean reported accuracy ${acc / n}`);
  });

  test('GPS drops out and jumps at its configured rates', () => {
    const g = createGps({ ...PHONE_GPS, dropoutsPerHour: 20, jumpProb: 0.01 }, createRng('bad sky'));
    let missing = 0;
    let jumps = 0;
    const n = 20_000;
    for (let k = 0; k < n; k++) {
      const f = gpsStep(g, 42.5, 1.52, 10, 0);
      if (!f) missing++;
      else if (Math.hypot(f.errEastM, f.errNorthM) > 30) jumps++;
    }
    assert.ok(missing > 1000 && missing < 6000, `missing ${missing}`);
    assert.ok(jumps > 80 && jumps < 400, `jumps ${jumps}`);
  });

  test('windows are valid v1 batches of 10 s: 500 IMU samples and 10 fixes', () => {
    const run = curvyTrip([{ kind: 'screen', startS: 20, endS: 32, handsFree: false, unlock: true }]);
    let full = 0;
    const events: string[] = [];
    for (const w of phoneWindows(run, setup(), createRng('v1'), null)) {
      const batch = { deviceId: 'phone-1', batchId: `b-${w.startMs}`, ...w };
      const { startMs: _s, endMs: _e, ...wire } = batch;
      assert.ok(Value.Check(IngestBatchV1, wire), JSON.stringify([...Value.Errors(IngestBatchV1, wire)][0]));
      if (w.endMs - w.startMs === 10_000) {
        full++;
        assert.equal(w.imu!.t.length, 500);
        assert.equal(w.gps!.t.length, 10);
      }
      for (const e of w.phone ?? []) events.push(e.event);
      const t = w.imu!.t;
      for (let k = 1; k < t.length; k++) assert.equal(t[k]! - t[k - 1]!, 20);
    }
    assert.ok(full > 3);
    assert.deepEqual(events.slice(0, 3), ['screen_on', 'handling', 'unlock']);
    assert.equal(events[events.length - 1], 'screen_off');
  });

  test('picking the phone up changes its orientation (gravity moves between device axes)', () => {
    const run = curvyTrip([{ kind: 'reposition', startS: 2, endS: 4, handsFree: false, unlock: false }]);
    const mean = (from: number, to: number): number[] => {
      const acc = [0, 0, 0];
      let n = 0;
      for (const w of phoneWindows(run, setup(), createRng('pick'), null)) {
        const imu = w.imu!;
        for (let k = 0; k < imu.t.length; k++) {
          const t = imu.t[k]! - run.startMs;
          if (t >= from && t < to) {
            acc[0]! += imu.ax[k]!;
            acc[1]! += imu.ay[k]!;
            acc[2]! += imu.az[k]!;
            n++;
          }
        }
      }
      return acc.map((x) => x / n);
    };
    const before = mean(0, 1800);
    const after = mean(5000, 7500);
    const angle = Math.acos(
      (before[0]! * after[0]! + before[1]! * after[1]! + before[2]! * after[2]!) /
        (Math.hypot(...before) * Math.hypot(...after)),
    );
    assert.ok(
      angle > (3 * Math.PI) / 180,
      `gravity direction moved ${((angle * 180) / Math.PI).toFixed(1)}°`,
    );
  });
});
