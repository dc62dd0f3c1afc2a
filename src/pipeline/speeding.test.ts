import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MatchedFix, RoadClass } from '../geo/types.ts';
import { createProcessor, type ProviderPoint, type SpeedLimitProvider } from './index.ts';
import { runAll, synthDrive } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);

/** A stand-in matcher for tests: a fixed posted limit and road class east of a longitude, none west of it. */
class FixedLimits implements SpeedLimitProvider {
  calls = 0;
  constructor(
    private readonly limitKmh: number,
    private readonly roadClass: RoadClass,
    private readonly fromLon = -180,
  ) {}
  match(_deviceId: string, points: readonly ProviderPoint[]): MatchedFix[] {
    this.calls++;
    return points.map((p, index) => {
      const on = p.lon >= this.fromLon;
      return {
        index,
        edgeId: on ? 1 : null,
        speedLimitKmh: on ? this.limitKmh : null,
        speedLimitSource: on ? 'tagged' : null,
        roadClass: on ? this.roadClass : null,
        offsetM: on ? 0 : null,
        distanceM: on ? 2 : null,
      };
    });
  }
}

// 15 m/s = 54 km/h; +4 m/s for 20 s = 68.4 km/h.
const drive = (extraMps: number, holdS: number) =>
  synthDrive({
    startMs: T0,
    frame: null,
    segments: [
      { durationS: 10, accelMps2: 1.5 },
      { durationS: 60 },
      { durationS: 4, accelMps2: extraMps / 4 },
      { durationS: holdS },
      { durationS: 4, accelMps2: -extraMps / 4 },
      { durationS: 120 },
      { durationS: 10, accelMps2: -1.5 },
      { durationS: 330 },
    ],
  });

describe('speeding', () => {
  test('+18 km/h over a 50 limit for 20 s is one low-tier speeding event', () => {
    const limits = new FixedLimits(50, 'primary');
    const o = runAll(createProcessor('synth-1', {}, { speedLimits: limits }), drive(4, 20));
    assert.equal(limits.calls, 1, 'the provider is asked once per trip');
    const s = o.events.filter((e) => e.kind === 'speeding');
    assert.equal(s.length, 1);
    assert.equal(s[0]!.severity, 'low');
    assert.ok(s[0]!.peakValue > 17 && s[0]!.peakValue < 19.5, `peak ${s[0]!.peakValue} km/h over`);
    assert.ok(s[0]!.endMs - s[0]!.startMs >= 20_000);
    assert.ok(s[0]!.evidence?.speed?.limitKmh.every((l) => l === 50));
    const f = o.trips[0]!.features;
    assert.equal(f.speedLimitsAvailable, true);
    assert.ok(f.speedingShare! > 0.05 && f.speedingShare! < 0.2, `share ${f.speedingShare}`);
    assert.ok(f.overLimitShare! >= f.speedingShare!);
    assert.deepEqual(f.roadClassMix, { primary: 1 });
  });

  test('tiers follow the amount over the limit', () => {
    const sev = (limit: number) =>
      runAll(createProcessor('synth-1', {}, { speedLimits: new FixedLimits(limit, 'primary') }), drive(4, 20))
        .events.filter((e) => e.kind === 'speeding')
        .map((e) => e.severity);
    assert.deepEqual(sev(40), ['moderate']); // 68 vs 40 → +28 (and +14 at cruise: one merged run)
    assert.deepEqual(sev(35), ['severe']);
  });

  test('over the limit for less than 15 s is not speeding', () => {
    const o = runAll(
      createProcessor('synth-1', {}, { speedLimits: new FixedLimits(50, 'primary') }),
      drive(4, 5),
    );
    assert.equal(o.events.filter((e) => e.kind === 'speeding').length, 0);
  });

  test('without a provider there is no speeding, and the features say so', () => {
    const o = runAll(createProcessor('synth-1'), drive(10, 30));
    assert.equal(o.events.filter((e) => e.kind === 'speeding').length, 0);
    const f = o.trips[0]!.features;
    assert.equal(f.speedLimitsAvailable, false);
    assert.equal(f.speedingShare, null);
    assert.equal(f.roadClassMix, null);
  });

  test('where the matcher knows no limit there is no speeding, and coverage says how much was known', () => {
    const lon0 = 1.5218 + 0.004; // limits only after ~330 m east
    const o = runAll(
      createProcessor('synth-1', {}, { speedLimits: new FixedLimits(30, 'residential', lon0) }),
      drive(4, 20),
    );
    const f = o.trips[0]!.features;
    assert.ok(f.speedLimitCoverage! > 0.8 && f.speedLimitCoverage! < 1, `coverage ${f.speedLimitCoverage}`);
  });
});
