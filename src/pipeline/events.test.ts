import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { G_MPS2 } from '../domain/index.ts';
import { createProcessor } from './index.ts';
import { MIDDLE_START_S, runAll, tripAround } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);

function run(middle: Parameters<typeof tripAround>[0], opts: Parameters<typeof tripAround>[1] = {}) {
  const p = createProcessor('synth-1');
  return runAll(p, tripAround(middle, { startMs: T0, ...opts }));
}

const harsh = (o: ReturnType<typeof run>) => o.events.filter((e) => e.kind.startsWith('harsh_'));

describe('harsh braking and acceleration', () => {
  test('a 0.45 g deceleration for 1.5 s is one moderate harsh braking, at the right time', () => {
    const o = run([{ durationS: 1.5, accelMps2: -0.45 * G_MPS2 }]);
    assert.equal(o.trips.length, 1);
    const h = harsh(o);
    assert.equal(h.length, 1);
    const e = h[0]!;
    assert.equal(e.kind, 'harsh_braking');
    assert.equal(e.severity, 'moderate');
    assert.ok(
      Math.abs(e.startMs - (T0 + MIDDLE_START_S * 1000)) < 600,
      `starts near the braking (${e.startMs - T0} ms)`,
    );
    assert.ok(e.peakValue > 0.42 * G_MPS2 && e.peakValue < 0.47 * G_MPS2, `peak ${e.peakValue}`);
    assert.ok(e.speedBeforeMps !== null && e.speedBeforeMps > 14, 'speed before ≈ 15 m/s');
    assert.ok(e.speedAfterMps !== null && e.speedAfterMps < e.speedBeforeMps!, 'slower after');
    assert.ok(e.lat !== null && e.lon !== null);
    assert.equal(e.tripId, o.trips[0]!.id);
    const ev = e.evidence?.imu;
    assert.ok(ev, 'keeps an IMU evidence window');
    assert.ok(
      ev.tOffsetMs[0]! <= -4500 && ev.tOffsetMs[ev.tOffsetMs.length - 1]! >= 5000,
      'evidence spans ±5 s',
    );
    assert.ok(Math.min(...ev.lonMps2) < -0.4 * G_MPS2, 'evidence shows the deceleration');
  });

  test('a 0.3 g deceleration is not harsh', () => {
    assert.equal(harsh(run([{ durationS: 1.5, accelMps2: -0.3 * G_MPS2 }])).length, 0);
  });

  test('a 0.45 g deceleration lasting only 0.3 s is not harsh (minimum duration)', () => {
    assert.equal(harsh(run([{ durationS: 0.3, accelMps2: -0.45 * G_MPS2 }])).length, 0);
  });

  test('a 0.6 g deceleration is severe', () => {
    const h = harsh(run([{ durationS: 1.5, accelMps2: -0.6 * G_MPS2 }]));
    assert.deepEqual(
      h.map((e) => [e.kind, e.severity]),
      [['harsh_braking', 'severe']],
    );
  });

  test('a 0.4 g acceleration for 2 s is a harsh acceleration', () => {
    const h = harsh(run([{ durationS: 2, accelMps2: 0.4 * G_MPS2 }]));
    assert.deepEqual(
      h.map((e) => e.kind),
      ['harsh_acceleration'],
    );
  });

  test('two harsh brakings 2 s apart merge into one event', () => {
    const h = harsh(
      run([
        { durationS: 1.2, accelMps2: -0.45 * G_MPS2 },
        { durationS: 2 },
        { durationS: 1.2, accelMps2: -0.45 * G_MPS2 },
      ]),
    );
    assert.equal(h.length, 1);
    assert.equal(h[0]!.detail.merged, 2);
  });
});

describe('harsh cornering and lane changes', () => {
  test('a 90° turn at 0.45 g lateral is a harsh cornering to the left', () => {
    // 15 m/s × 0.3 rad/s = 4.5 m/s² ≈ 0.46 g for ~5.2 s ≈ 90°
    const h = harsh(run([{ durationS: 5.2, yawRps: 0.3 }]));
    assert.equal(h.length, 1);
    assert.equal(h[0]!.kind, 'harsh_cornering');
    assert.equal(h[0]!.detail.direction, 'left');
    assert.equal(h[0]!.detail.manoeuvre, 'turn');
    assert.ok(Math.abs(Number(h[0]!.detail.headingChangeDeg) - 89) < 8);
  });

  test('a quick swerve right then left is a harsh lane change, not a turn', () => {
    const h = harsh(
      run([
        { durationS: 1.5, yawRps: -0.3 },
        { durationS: 1.5, yawRps: 0.3 },
      ]),
    );
    assert.deepEqual(
      h.map((e) => [e.kind, e.detail.direction]),
      [['harsh_lane_change', 'right']],
    );
  });

  test('the same turn at 0.3 g lateral is not harsh', () => {
    assert.equal(harsh(run([{ durationS: 7.9, yawRps: 0.2 }])).length, 0);
  });
});

describe('crash candidates', () => {
  test('a 4 g impact at speed followed by a stop is a crash candidate', () => {
    const o = run([
      { durationS: 0.1, accelMps2: -4 * G_MPS2 },
      { durationS: 3, accelMps2: -5 },
      { durationS: 8 },
    ]);
    const c = o.events.filter((e) => e.kind === 'crash_candidate');
    assert.equal(c.length, 1);
    assert.equal(c[0]!.severity, 'severe');
    assert.ok(c[0]!.peakValue >= 3.5 * G_MPS2);
  });

  test('a 4 g spike when the phone is handled is not a crash', () => {
    const t = T0 + MIDDLE_START_S * 1000;
    const o = run(
      [{ durationS: 0.1, accelMps2: -4 * G_MPS2 }, { durationS: 3, accelMps2: -5 }, { durationS: 8 }],
      {
        phone: [{ t: t - 500, event: 'handling' }],
      },
    );
    assert.equal(o.events.filter((e) => e.kind === 'crash_candidate').length, 0);
  });
});

describe('phone use', () => {
  const at = (s: number) => T0 + s * 1000;

  test('screen on while driving is distraction; the same while parked is not', () => {
    const o = run([{ durationS: 30 }], {
      phone: [
        { t: at(2), event: 'screen_on' },
        { t: at(3), event: 'screen_off' },
        { t: at(70), event: 'screen_on' },
        { t: at(82), event: 'screen_off' },
      ],
    });
    const d = o.events.filter((e) => e.kind === 'phone_distraction');
    assert.equal(d.length, 1);
    assert.ok(Math.abs(d[0]!.startMs - at(70)) <= 1000);
    assert.equal(d[0]!.severity, 'moderate');
    const f = o.trips[0]!.features;
    assert.ok(f.phoneUseMs >= 11_000 && f.phoneUseMs <= 13_000, `phone use ${f.phoneUseMs}`);
  });

  test('the phone used while crawling at 3 km/h is not distraction; at 20 km/h it is', () => {
    // From 15 m/s down to 0.83 m/s (3 km/h) for 30 s, then up to 5.6 m/s (20 km/h) for 30 s.
    const o = run(
      [
        { durationS: 10, accelMps2: -1.417 },
        { durationS: 30 },
        { durationS: 4, accelMps2: 1.19 },
        { durationS: 30 },
      ],
      {
        phone: [
          { t: at(75), event: 'unlock' },
          { t: at(76), event: 'screen_on' },
          { t: at(85), event: 'screen_off' },
          { t: at(100), event: 'screen_on' },
          { t: at(110), event: 'screen_off' },
        ],
      },
    );
    const d = o.events.filter((e) => e.kind === 'phone_distraction');
    assert.equal(d.length, 1);
    assert.ok(
      d[0]!.startMs >= at(99) && d[0]!.startMs <= at(101),
      `starts at ${(d[0]!.startMs - T0) / 1000} s`,
    );
  });

  test('handheld calls are severe, hands-free calls low, and counted apart', () => {
    const o = run([{ durationS: 60 }], {
      phone: [
        { t: at(65), event: 'call_start', handsFree: true },
        { t: at(85), event: 'call_end' },
        { t: at(95), event: 'call_start', handsFree: false },
        { t: at(105), event: 'call_end' },
      ],
    });
    const calls = o.events
      .filter((e) => e.kind === 'phone_call')
      .map((e) => [e.detail.handsFree, e.severity]);
    assert.deepEqual(calls, [
      [true, 'low'],
      [false, 'severe'],
    ]);
    const f = o.trips[0]!.features;
    assert.ok(Math.abs(f.handsFreeCallMs - 20_000) <= 1000);
    assert.ok(Math.abs(f.handheldCallMs - 10_000) <= 1000);
  });
});

describe('device-reported events', () => {
  test('Teltonika green-driving harsh braking and crash become events of the trip', () => {
    const batches = tripAround([{ durationS: 20 }], { startMs: T0 });
    const b = batches[MIDDLE_START_S + 5]!;
    b.deviceEvents = [
      { t: b.gps!.t[0]!, kind: 'harsh_braking', value: 0.42 },
      { t: b.gps!.t[0]! + 300, kind: 'crash' },
    ];
    const o = runAll(createProcessor('synth-1'), batches);
    const dev = o.events.filter((e) => e.source === 'device').map((e) => [e.kind, e.severity]);
    assert.deepEqual(dev, [
      ['harsh_braking', 'moderate'],
      ['crash_candidate', 'severe'],
    ]);
  });
});
