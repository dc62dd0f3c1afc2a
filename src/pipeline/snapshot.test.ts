import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { G_MPS2 } from '../domain/index.ts';
import { createProcessor, type DeviceProcessor, type PipelineOutput, restoreProcessor } from './index.ts';
import { mountRotation, runAll, synthDrive, tripAround } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 22, 30, 0);

function twoTrips() {
  const a = tripAround(
    [
      { durationS: 5.2, yawRps: -0.3 },
      { durationS: 20 },
      { durationS: 1.5, accelMps2: -0.45 * G_MPS2 },
      { durationS: 10 },
      { durationS: 2, accelMps2: 0.4 * G_MPS2 },
    ],
    {
      startMs: T0,
      frame: 'device',
      mount: mountRotation(30, 60, -10),
      phone: [
        { t: T0 + 70_000, event: 'screen_on' },
        { t: T0 + 80_000, event: 'screen_off' },
      ],
    },
  );
  const b = synthDrive({
    startMs: T0 + 1_200_000,
    frame: 'device',
    mount: mountRotation(30, 60, -10),
    segments: [
      { durationS: 10, accelMps2: 1.5 },
      { durationS: 120 },
      { durationS: 1.5, accelMps2: -0.6 * G_MPS2 },
      { durationS: 200 },
    ],
  });
  b.forEach((x, i) => {
    x.batchId = `b-${i}`;
  });
  return [...a, ...b];
}

function feed(p: DeviceProcessor, batches: ReturnType<typeof twoTrips>, out: PipelineOutput): void {
  for (const x of batches) {
    const o = p.push(x);
    out.trips.push(...o.trips);
    out.events.push(...o.events);
  }
}

describe('checkpointing', () => {
  const batches = twoTrips();
  const straight = JSON.stringify(runAll(createProcessor('synth-1'), batches));

  test('the straight run finds both trips and their events', () => {
    const o = JSON.parse(straight) as PipelineOutput;
    assert.equal(o.trips.length, 2);
    const kinds = o.events.map((e) => e.kind);
    for (const k of [
      'harsh_braking',
      'harsh_cornering',
      'harsh_acceleration',
      'phone_distraction',
      'night_driving',
    ]) {
      assert.ok(kinds.includes(k as never), `has ${k}`);
    }
  });

  for (const k of [1, 45, 100, 211, 700, batches.length - 3]) {
    test(`feeding 1..${k}, snapshot → JSON → restore, then the rest equals the straight run byte for byte`, () => {
      const out: PipelineOutput = { trips: [], events: [] };
      const p1 = createProcessor('synth-1');
      feed(p1, batches.slice(0, k), out);
      const json = JSON.stringify(p1.snapshot());
      const p2 = restoreProcessor(JSON.parse(json));
      // At-least-once delivery: the batch acknowledged last is delivered again after the restart.
      feed(p2, batches.slice(k - 1), out);
      const f = p2.flush();
      out.trips.push(...f.trips);
      out.events.push(...f.events);
      assert.equal(JSON.stringify(out), straight);
    });
  }

  test('a snapshot is plain JSON and does not share state with the live processor', () => {
    const p = createProcessor('synth-1');
    feed(p, batches.slice(0, 150), { trips: [], events: [] });
    const s1 = JSON.stringify(p.snapshot());
    assert.deepEqual(JSON.parse(s1), p.snapshot());
    p.push(batches[150]!);
    assert.notEqual(JSON.stringify(p.snapshot()), s1);
  });

  test('ids are deterministic: device + start time (+ kind)', () => {
    const o = JSON.parse(straight) as PipelineOutput;
    const t = o.trips[0]!;
    assert.equal(t.id, `trp-synth-1-${t.startMs}`);
    const e = o.events.find((x) => x.kind === 'harsh_braking')!;
    assert.equal(e.id, `evt-synth-1-${e.startMs}-harsh_braking`);
    assert.equal(new Set(o.events.map((x) => x.id)).size, o.events.length);
  });
});
