import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkFix, newCleanState } from './clean.ts';
import { DEFAULT_PIPELINE_CONFIG as cfg, createProcessor } from './index.ts';
import type { GpsItem } from './reorder.ts';
import { runAll, synthDrive } from './testkit.ts';

const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);
const fix = (t: number, lat: number, lon: number, accuracyM: number | null = 5): GpsItem => ({
  t,
  lat,
  lon,
  speedMps: null,
  headingDeg: null,
  accuracyM,
  ignition: null,
});

describe('GPS cleaning', () => {
  test('drops (0,0), inaccurate and out-of-range fixes', () => {
    const s = newCleanState();
    assert.equal(checkFix(s, cfg, fix(T0, 0, 0)), 'null_island');
    assert.equal(checkFix(s, cfg, fix(T0, 42.5, 1.5, 150)), 'inaccurate');
    assert.equal(checkFix(s, cfg, fix(T0, 95, 1.5)), 'invalid');
    assert.equal(checkFix(s, cfg, fix(T0, 42.5, 1.5, 100)), 'ok');
  });

  test('drops a teleport, then believes a new place once several fixes agree on it', () => {
    const s = newCleanState();
    assert.equal(checkFix(s, cfg, fix(T0, 42.5, 1.5)), 'ok');
    assert.equal(checkFix(s, cfg, fix(T0 + 1000, 42.6, 1.5)), 'jump', '11 km in 1 s');
    assert.equal(checkFix(s, cfg, fix(T0 + 2000, 42.50001, 1.5)), 'ok', 'back on track');
    const verdicts: string[] = [];
    for (let i = 0; i < cfg.jumpResetFixes; i++)
      verdicts.push(checkFix(s, cfg, fix(T0 + 3000 + i * 1000, 43.5, 1.5 + i * 1e-5)));
    assert.deepEqual(verdicts, [...Array(cfg.jumpResetFixes - 1).fill('jump'), 'ok']);
  });

  test('bad fixes in a real stream are dropped, counted, and do not change the trip', () => {
    const segments = [
      { durationS: 10, accelMps2: 1.5 },
      { durationS: 400 },
      { durationS: 10, accelMps2: -1.5 },
      { durationS: 330 },
    ];
    const clean = runAll(createProcessor('synth-1'), synthDrive({ startMs: T0, frame: null, segments }));
    const dirty = synthDrive({ startMs: T0, frame: null, segments });
    const g = (i: number) => dirty[i]!.gps!;
    g(100).lat[0] = 0;
    g(100).lon[0] = 0;
    g(150).accuracyM![0] = 150;
    g(200).lat[0]! += 0.05; // 5.5 km off for one second
    const p = createProcessor('synth-1');
    const out = runAll(p, dirty);
    assert.deepEqual(p.stats().fixesDropped, { nullIsland: 1, inaccurate: 1, invalid: 0, jump: 1 });
    assert.equal(out.trips.length, 1);
    const a = clean.trips[0]!.features;
    const b = out.trips[0]!.features;
    assert.equal(b.gpsFixesDropped, 3);
    assert.ok(Math.abs(a.distanceM - b.distanceM) < 20, `distance ${a.distanceM} vs ${b.distanceM}`);
    assert.ok(Math.abs((a.maxSpeedMps ?? 0) - (b.maxSpeedMps ?? 0)) < 0.5);
  });

  test('the Kalman filter derives a smooth speed from jittery positions when the receiver gives none', () => {
    const b = synthDrive({
      startMs: T0,
      frame: null,
      segments: [{ durationS: 10, accelMps2: 1.5 }, { durationS: 400 }],
    });
    let k = 0;
    for (const x of b) {
      const g = x.gps!;
      g.lat = g.lat.map((v) => v + ((((k++ * 7919) % 11) - 5) / 5) * 5e-5); // ±5.5 m
      delete g.speedMps;
      delete g.headingDeg;
      g.accuracyM = g.accuracyM!.map(() => 6);
    }
    const t = runAll(createProcessor('synth-1'), b).trips[0]!;
    const cruise = t.trace.speedMps.slice(60, 300);
    const mean = cruise.reduce((s, v) => s + v, 0) / cruise.length;
    const sd = Math.sqrt(cruise.reduce((s, v) => s + (v - mean) ** 2, 0) / cruise.length);
    assert.ok(Math.abs(mean - 15) < 0.5, `mean ${mean.toFixed(2)} m/s`);
    assert.ok(sd < 1.5, `speed sd ${sd.toFixed(2)} m/s (raw position jitter alone would give ~7 m/s)`);
  });
});
