import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { G_MPS2 } from '../domain/units.ts';
import { simulateDrive, type TripPlan } from './dynamics.ts';
import { curveSpeedMps } from './profile.ts';
import { createRng } from './rng.ts';
import { type DrivingParams, STYLE_MEANS } from './styles.ts';
import { arcRoute, gridRoute, routeFromLocalPolyline, straightRoute } from './testing.ts';
import { buildTrack, sampleAt } from './track.ts';
import { planTrip } from './traffic.ts';
import { harshEvents, lateralAccel, TRUTH_RULES } from './truth.ts';

const CAR = { massKg: 1350, powerKw: 90 };

function townPlan(p: DrivingParams, seed: number): TripPlan {
  const track = buildTrack(gridRoute(400, 9, { speedLimitKmh: 60 }));
  return planTrip(track, p, createRng(seed), {
    congestion: 0,
    noTraffic: true,
    junctionStopProb: 1,
    mood: 0,
  });
}

describe('vehicle dynamics', () => {
  test('a calm driver never brakes harder than their braking limit, nor harshly', () => {
    const p = STYLE_MEANS.calm;
    for (let seed = 0; seed < 8; seed++) {
      const plan = townPlan(p, seed);
      const trace = simulateDrive(plan, p, CAR, createRng(seed), { phone: false });
      const maxDecel = Math.max(...Array.from(trace.aMps2, (a) => -a));
      assert.ok(
        maxDecel < p.maxBrakeMps2,
        `seed ${seed}: max decel ${maxDecel.toFixed(2)} ≥ ${p.maxBrakeMps2}`,
      );
      assert.ok(maxDecel > 0.5, 'the driver does brake for the stops');
      const harsh = harshEvents(trace, lateralAccel(trace, plan.track), 0);
      assert.equal(harsh.filter((h) => h.kind === 'harsh_braking').length, 0);
      assert.equal(trace.stopsServed, plan.stops.length, 'every stop is served');
    }
  });

  test('an aggressive driver brakes late and hard before junction stops (≥ 0.35 g for ≥ 0.5 s)', () => {
    const p = STYLE_MEANS.aggressive;
    // A straight avenue with a crossing every 400 m: the only reason to brake is the stop line.
    const avenue = routeFromLocalPolyline(
      Array.from({ length: 9 }, (_, k) => ({ x: k * 400, y: 0, junction: k > 0 && k < 8 })),
      { speedLimitKmh: 60 },
    );
    const track = buildTrack(avenue);
    let harshAtStops = 0;
    let stops = 0;
    for (let seed = 0; seed < 4; seed++) {
      const plan = planTrip(track, p, createRng(seed), {
        congestion: 0,
        noTraffic: true,
        junctionStopProb: 1,
        mood: 0,
      });
      const trace = simulateDrive(plan, p, CAR, createRng(seed), { phone: false });
      const harsh = harshEvents(trace, lateralAccel(trace, plan.track), 0).filter(
        (h) => h.kind === 'harsh_braking',
      );
      for (const stop of plan.stops.filter((s) => s.kind === 'junction')) {
        stops++;
        // The braking episode ends at the stop line: find a harsh event within the last 60 m before it.
        const hit = harsh.some((h) => {
          const s0 = trace.sM[Math.round(h.startMs / 100)]!;
          return stop.sM - s0 > 0 && stop.sM - s0 < 60;
        });
        if (hit) harshAtStops++;
      }
      for (const h of harsh) {
        assert.ok(h.peakG >= TRUTH_RULES.harshBrakingMps2 / G_MPS2);
        assert.ok(h.endMs - h.startMs >= 500);
      }
    }
    assert.ok(harshAtStops / stops > 0.2, `harsh braking at ${harshAtStops} of ${stops} junction stops`);
    assert.ok(stops >= 20);
  });

  test('curve speed follows a_lat = v²/r with the driver’s lateral limit', () => {
    const radiusM = 80;
    const route = arcRoute(radiusM, Math.PI / 2, 400, { speedLimitKmh: 100 });
    const track = buildTrack(route);
    const mid = 400 + (radiusM * Math.PI) / 4;
    const kMid = sampleAt(track, track.curvature, mid);
    assert.ok(Math.abs(kMid * radiusM - 1) < 0.03, `track curvature ${kMid} vs 1/${radiusM}`);
    for (const style of ['calm', 'normal', 'aggressive'] as const) {
      const p = { ...STYLE_MEANS[style], speedWanderSd: 0 };
      const plan: TripPlan = { track, stops: [], zones: [], idleBeforeS: 1, idleAfterS: 1, mood: 0 };
      plan.stops.push({ sM: track.lengthM - 1, dwellS: 0, visibleFromM: 250, kind: 'end', onsetFactor: 1 });
      const trace = simulateDrive(plan, p, CAR, createRng(style), { phone: false });
      const i = trace.sM.findIndex((s) => s >= mid);
      const v = trace.vMps[i]!;
      const expected = curveSpeedMps(p.lateralLimitMps2, 1 / radiusM);
      assert.ok(
        Math.abs(v / expected - 1) < 0.06,
        `${style}: ${v.toFixed(2)} m/s vs √(a·r) = ${expected.toFixed(2)}`,
      );
      const inArc = (s: number): boolean => s > 420 && s < 400 + (radiusM * Math.PI) / 2 - 20;
      let maxLat = 0;
      for (let k = 0; k < trace.n; k++) {
        if (inArc(trace.sM[k]!))
          maxLat = Math.max(maxLat, trace.vMps[k]! ** 2 * sampleAt(track, track.curvature, trace.sM[k]!));
      }
      assert.ok(
        maxLat <= p.lateralLimitMps2 * 1.05,
        `${style}: lateral ${maxLat.toFixed(2)} > ${p.lateralLimitMps2}`,
      );
    }
  });

  test('acceleration stays within the driver’s and the engine’s limits, and the trip reaches its end', () => {
    const track = buildTrack(straightRoute(2000, { speedLimitKmh: 90 }));
    for (const style of ['calm', 'aggressive'] as const) {
      const p = STYLE_MEANS[style];
      const plan = planTrip(track, p, createRng(5), { congestion: 0, noTraffic: true, mood: 0 });
      const trace = simulateDrive(plan, p, CAR, createRng(5), { phone: false });
      const maxA = Math.max(...trace.aMps2);
      assert.ok(maxA <= p.maxAccelMps2 + 1e-9, `${style}: ${maxA}`);
      assert.ok(trace.vMps.every((v) => v >= 0));
      assert.ok(trace.sM[trace.n - 1]! > track.lengthM - 4);
      assert.equal(trace.vMps[trace.n - 1], 0);
      const top = Math.max(...trace.vMps);
      assert.ok(Math.abs(top / (25 * p.speedFactor) - 1) < 0.2, `${style}: top speed ${top}`);
    }
  });

  test('reading a phone makes the same driver brake harder (harsh braking emerges from distraction)', () => {
    const heavyPhone = { ...STYLE_MEANS.normal, screenUsePerHour: 60, callsPerHour: 0 };
    let withPhone = 0;
    let without = 0;
    const track = buildTrack(gridRoute(400, 9, { speedLimitKmh: 60 }));
    for (let seed = 0; seed < 12; seed++) {
      // Busy traffic: cars ahead stop where the driver learns of it only by looking.
      const plan = planTrip(track, heavyPhone, createRng(seed), { congestion: 0.8, mood: 0 });
      const a = simulateDrive(plan, heavyPhone, CAR, createRng(seed), { phone: true });
      const b = simulateDrive(plan, heavyPhone, CAR, createRng(seed), { phone: false });
      const count = (t: typeof a): number =>
        harshEvents(t, lateralAccel(t, plan.track), 0).filter((h) => h.kind === 'harsh_braking').length;
      withPhone += count(a);
      without += count(b);
      assert.ok(a.phone.length > 0);
    }
    assert.ok(withPhone > without + 3, `with phone ${withPhone}, without ${without}`);
  });
});
