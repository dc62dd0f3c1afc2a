import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { G_MPS2 } from '../domain/index.ts';
import { createProcessor, type DrivingEvent } from './index.ts';
import { mountRotation, runAll, type Segment, tripAround } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);
const MIDDLE: Segment[] = [
  { durationS: 5.2, yawRps: 0.3 },
  { durationS: 20 },
  { durationS: 1.5, accelMps2: -0.45 * G_MPS2 },
  { durationS: 15 },
  { durationS: 2, accelMps2: 0.4 * G_MPS2 },
  { durationS: 15 },
  { durationS: 1.5, yawRps: -0.3 },
  { durationS: 1.5, yawRps: 0.3 },
];

function harsh(opts: Parameters<typeof tripAround>[1]): DrivingEvent[] {
  return runAll(createProcessor('synth-1'), tripAround(MIDDLE, { startMs: T0, ...opts })).events.filter((e) =>
    e.kind.startsWith('harsh_'),
  );
}

function sameEvents(a: DrivingEvent[], b: DrivingEvent[]): void {
  assert.deepEqual(
    a.map((e) => [e.kind, e.severity, e.detail.direction ?? null]),
    b.map((e) => [e.kind, e.severity, e.detail.direction ?? null]),
  );
  a.forEach((e, i) => {
    assert.ok(Math.abs(e.startMs - b[i]!.startMs) <= 300, `${e.kind} starts within 0.3 s`);
    assert.ok(Math.abs(e.peakValue - b[i]!.peakValue) <= 0.03 * G_MPS2, `${e.kind} peak within 0.03 g`);
  });
}

describe('orientation', () => {
  const reference = harsh({ frame: 'vehicle' });

  test('the vehicle-frame reference finds a turn, a braking, an acceleration and a lane change', () => {
    assert.deepEqual(
      reference.map((e) => e.kind),
      ['harsh_cornering', 'harsh_braking', 'harsh_acceleration', 'harsh_lane_change'],
    );
  });

  for (const [yaw, pitch, roll] of [
    [0, 0, 0],
    [90, 0, 0],
    [37, 65, -12],
    [200, -80, 30],
    [0, 180, 0],
  ] as const) {
    test(`a phone mounted at yaw ${yaw}° pitch ${pitch}° roll ${roll}° gives the same events after calibration`, () => {
      sameEvents(harsh({ frame: 'device', mount: mountRotation(yaw, pitch, roll) }), reference);
    });
  }

  test('earth-frame IMU with GPS gives the same events', () => {
    sameEvents(harsh({ frame: 'earth' }), reference);
  });

  test('a phone moved to another mount is recalibrated after it is handled', () => {
    const a = mountRotation(20, 60, 0);
    const b = mountRotation(-110, 10, 40);
    const remount = { atS: 40, mount: b };
    const handled = harsh({
      frame: 'device',
      mount: a,
      remount,
      phone: [{ t: T0 + 40_000, event: 'handling' }],
    });
    sameEvents(handled, reference);
  });
});
