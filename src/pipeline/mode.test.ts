import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MatchedFix } from '../geo/types.ts';
import { createProcessor, type PipelineDeps } from './index.ts';
import { runAll, type Segment, synthDrive } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);

function trip(segments: Segment[], deps: PipelineDeps = {}) {
  const o = runAll(
    createProcessor('synth-1', {}, deps),
    synthDrive({ startMs: T0, frame: null, segments: [...segments, { durationS: 330 }] }),
  );
  assert.equal(o.trips.length, 1);
  return o.trips[0]!;
}

describe('trip mode', () => {
  test('a bus-like run (stop every ~400 m for 25 s, under 50 km/h) is flagged for confirmation', () => {
    const leg: Segment[] = [
      { durationS: 8, accelMps2: 1.25 },
      { durationS: 25 },
      { durationS: 8, accelMps2: -1.25 },
      { durationS: 25 },
    ];
    const t = trip(Array.from({ length: 14 }, () => leg).flat());
    assert.equal(t.mode, 'bus');
    assert.equal(t.needsConfirmation, true);
    assert.ok(t.modeConfidence >= 0.5);
  });

  test('ordinary driving with a few stops is a car trip', () => {
    const t = trip([
      { durationS: 10, accelMps2: 1.5 },
      { durationS: 200 },
      { durationS: 10, accelMps2: -1.5 },
      { durationS: 40 },
      { durationS: 15, accelMps2: 1.5 },
      { durationS: 400 },
      { durationS: 15, accelMps2: -1.5 },
    ]);
    assert.equal(t.mode, 'car');
    assert.equal(t.needsConfirmation, false);
  });

  const smoothFast: Segment[] = [
    { durationS: 200, accelMps2: 0.2 },
    { durationS: 900 },
    { durationS: 200, accelMps2: -0.2 },
  ];
  const nowhere = {
    match: (_d: string, pts: readonly unknown[]): MatchedFix[] =>
      pts.map((_, index) => ({
        index,
        edgeId: null,
        speedLimitKmh: null,
        speedLimitSource: null,
        roadClass: null,
        offsetM: null,
        distanceM: null,
      })),
  };

  test('a long, fast, smooth run that the map matcher puts on no road is flagged as a train', () => {
    const t = trip(smoothFast, { speedLimits: nowhere });
    assert.equal(t.mode, 'train');
    assert.equal(t.needsConfirmation, true);
  });

  test('the same run without a map is a car trip (it could be a motorway), with less confidence', () => {
    const t = trip(smoothFast);
    assert.equal(t.mode, 'car');
    assert.ok(t.modeConfidence < 0.7, `confidence ${t.modeConfidence}`);
  });

  test('a jog at 9–10 km/h is walking', () => {
    const t = trip([{ durationS: 3, accelMps2: 0.9 }, { durationS: 600 }, { durationS: 3, accelMps2: -0.9 }]);
    assert.equal(t.mode, 'walking');
  });
});
