import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BEHAVIOUR_KEYS } from '../../pricing/behaviour.ts';
import { createRng } from '../prng.ts';
import { poissonDraw } from '../testing/synthetic.ts';
import { syntheticTelematicsRows } from '../testing/telematics.ts';
import { completeProfile, rollingBehaviour, type TripObservation, tripObservation } from './features.ts';
import { telematicsScorer } from './score.ts';
import { trainTelematicsModel } from './train.ts';

const DAY = 86_400_000;

describe('trip behaviour from stored features and events', () => {
  const base = {
    startMs: 0,
    endMs: 1_800_000,
    distanceM: 25_000,
    features: { movingTimeMs: 1_800_000, speedingShare: 0.1, phoneUseMs: 90_000, nightShare: 0.5 },
  };

  test('recounts harsh events, and voided ones stop counting everywhere', () => {
    const events = [
      { kind: 'harsh_braking', durationMs: 1000, voided: false },
      { kind: 'harsh_braking', durationMs: 1000, voided: true },
      { kind: 'speeding', durationMs: 30_000, voided: false },
      { kind: 'speeding', durationMs: 10_000, voided: true },
      { kind: 'phone_distraction', durationMs: 30_000, voided: true },
      { kind: 'phone_call', durationMs: 60_000, voided: true, handsFree: true },
    ];
    const o = tripObservation({ ...base, events });
    assert.equal(o.values.harshBrakingPer100Km, 4);
    assert.equal(o.values.harshAccelerationPer100Km, 0);
    assert.ok(Math.abs(o.values.speedingShare! - 0.075) < 1e-12);
    // 90 s of phone use minus the voided 30 s hand-held episode (the hands-free call never counted), per 0.5 h.
    assert.equal(o.values.phoneUseSecPerHour, 120);
    assert.equal(o.values.nightShare, 0.5);
  });

  test('without speed limits speeding is unknown, and without distance no per-km rate exists', () => {
    const noLimits = tripObservation({
      ...base,
      features: { ...base.features, speedingShare: null },
      events: [],
    });
    assert.equal('speedingShare' in noLimits.values, false);
    const noGps = tripObservation({ ...base, distanceM: 0, events: [] });
    assert.deepEqual(Object.keys(noGps.values), ['phoneUseSecPerHour']);
  });

  test('the rolling window weights by km or moving hours with a half-life, and skips unknowns', () => {
    const t = (endMs: number, km: number, values: TripObservation['values']): TripObservation => ({
      endMs,
      km,
      movingHours: km / 50,
      values,
    });
    const now = 100 * DAY;
    const r = rollingBehaviour(
      [
        t(now - 30 * DAY, 10, { harshBrakingPer100Km: 10, speedingShare: 0.2 }),
        t(now, 10, { harshBrakingPer100Km: 0 }),
        t(now - 95 * DAY, 50, { harshBrakingPer100Km: 99 }),
        t(now + DAY, 50, { harshBrakingPer100Km: 99 }),
      ],
      now,
      { windowDays: 90, halfLifeDays: 30 },
    );
    assert.equal(r.trips, 2);
    assert.equal(r.rawKm, 20);
    assert.equal(r.exposureKm, 15);
    assert.ok(Math.abs(r.profile.harshBrakingPer100Km! - 10 / 3) < 1e-12);
    assert.equal(r.profile.speedingShare, 0.2);
    const full = completeProfile(r.profile, {
      ...Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, 7])),
    } as never);
    assert.equal(full.nightShare, 7);
    assert.equal(full.speedingShare, 0.2);
  });
});

describe('telematics model training', () => {
  test('a behaviour whose fitted effect is negative is dropped, and the model stays monotone', async () => {
    // Cornering lowers the true frequency here: an unconstrained fit would reward it.
    const rows = syntheticTelematicsRows(3000, 9).map((r) => ({ ...r }));
    const rng = createRng(10);
    for (const r of rows) {
      const rate =
        0.08 *
        Math.exp(0.5 * Math.log1p(r.harshBrakingPer100Km) - 0.6 * Math.log1p(r.harshCorneringPer100Km));
      r.claims = poissonDraw(rng, rate * r.exposureYears);
    }
    const fit = await trainTelematicsModel(rows, { seed: 3 });
    assert.ok(fit.droppedBehaviours.includes('harshCorneringPer100Km'), String(fit.droppedBehaviours));
    assert.ok(!fit.artifact.telematics!.behaviourKeys.includes('harshCorneringPer100Km'));
    const s = telematicsScorer(fit.artifact);
    const f = s.behaviourFunction(s.classicDefaults);
    let prev = 0;
    for (let v = 0; v <= 50; v++) {
      const x = f({ ...s.reference, harshCorneringPer100Km: v });
      assert.ok(x >= prev);
      prev = x;
    }
    assert.equal(
      f({ ...s.reference, harshCorneringPer100Km: 0 }),
      f({ ...s.reference, harshCorneringPer100Km: 40 }),
    );
  });

  test('the what-if function agrees with full scoring and the classic frequency is the reference profile', async () => {
    const fit = await trainTelematicsModel(syntheticTelematicsRows(1500, 4), { seed: 1 });
    const s = telematicsScorer(fit.artifact);
    const classic = { ...s.classicDefaults, driverAge: 23, territory: 'E' };
    const f = s.behaviourFunction(classic);
    const b = { ...s.reference, speedingShare: 0.07, harshBrakingPer100Km: 12, phoneUseSecPerHour: 300 };
    assert.ok(Math.abs(f(b) / s.frequency(classic, b) - 1) < 1e-12);
    assert.ok(Math.abs(f(s.reference) / s.classicFrequency(classic) - 1) < 1e-12);
    assert.ok(f(b) > s.classicFrequency(classic));
  });

  test('a model without a telematics section is refused by the scorer', async () => {
    const fit = await trainTelematicsModel(syntheticTelematicsRows(500, 4), { seed: 1 });
    assert.throws(() => telematicsScorer(fit.classic), /not a telematics model/);
  });
});
