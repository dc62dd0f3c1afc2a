// Golden test on real data: trip 21 of Ferreira et al. 2017 (earth-frame phone IMU, no GPS, hand-labelled).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadFerreiraTrip, matching } from './ferreira-data.ts';
import { createProcessor } from './index.ts';
import { runAll } from './testkit.ts';

const DATA = fileURLToPath(new URL('../../../shared/data/ferreira2017/data', import.meta.url));

describe('Ferreira 2017 trip 21 (real recording, default thresholds)', {
  skip: !existsSync(DATA) && 'shared data not present',
}, () => {
  const ft = loadFerreiraTrip(DATA, '21');
  const out = runAll(createProcessor('ferreira-21'), ft.batches);
  const label = (startS: number) => ft.labels.find((l) => l.startS === startS)!;
  const kindsNear = (startS: number) => matching(label(startS), out.events).map((e) => e.kind);

  test('the recording is one trip, IMU-calibrated for most of it', () => {
    assert.equal(out.trips.length, 1);
    const t = out.trips[0]!;
    assert.ok(t.endMs - t.startMs > 780_000);
    assert.ok((t.features.imuCalibratedShare ?? 0) > 0.9);
  });

  for (const s of [199.1, 323.1, 390.9]) {
    test(`the aggressive braking labelled at ${s} s is found`, () => {
      assert.ok(kindsNear(s).includes('harsh_braking'), `got ${kindsNear(s).join(',') || 'nothing'}`);
    });
  }

  test('the aggressive lane change labelled at 163.3 s is found as a lane change', () => {
    assert.ok(
      kindsNear(163.3).includes('harsh_lane_change'),
      `got ${kindsNear(163.3).join(',') || 'nothing'}`,
    );
  });

  test('none of the six non-aggressive labelled events is flagged as harsh', () => {
    const flagged = ft.labels.filter(
      (l) => l.kind === 'non_aggressive' && matching(l, out.events).length > 0,
    );
    assert.deepEqual(
      flagged.map((l) => l.startS),
      [],
    );
  });
});
