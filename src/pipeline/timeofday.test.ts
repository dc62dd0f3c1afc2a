import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProcessor } from './index.ts';
import { runAll, synthDrive } from './testkit.ts';
import { localTime, utcOffsetMs } from './timezone.ts';

const drive = (startMs: number, cruiseS = 600) =>
  synthDrive({
    startMs,
    frame: null,
    segments: [
      { durationS: 10, accelMps2: 1.5 },
      { durationS: cruiseS },
      { durationS: 10, accelMps2: -1.5 },
      { durationS: 330 },
    ],
  });

describe('time of day', () => {
  test('time-zone offsets are right across daylight saving and half-hour zones', () => {
    assert.equal(utcOffsetMs('Europe/Madrid', Date.UTC(2024, 0, 15, 12)), 3_600_000);
    assert.equal(utcOffsetMs('Europe/Madrid', Date.UTC(2024, 6, 15, 12)), 7_200_000);
    assert.equal(utcOffsetMs('America/St_Johns', Date.UTC(2024, 0, 15, 12)), -12_600_000);
    // Madrid switches to summer time at 01:00 UTC on 31 March 2024.
    assert.equal(localTime('Europe/Madrid', Date.UTC(2024, 2, 31, 0, 59)).hour, 1 + 59 / 60);
    assert.equal(localTime('Europe/Madrid', Date.UTC(2024, 2, 31, 1, 0)).hour, 3);
  });

  test('a drive at 23:00 local time is night driving; the same drive at 15:00 is not', () => {
    const cfg = { timeZone: 'Europe/Madrid' };
    // 22:00 UTC = 23:00 in Madrid (winter time)
    const night = runAll(createProcessor('synth-1', cfg), drive(Date.UTC(2024, 1, 6, 22, 0))).trips[0]!;
    assert.equal(night.features.nightShare, 1);
    assert.equal(night.features.eventCounts.night_driving, 1);
    const day = runAll(createProcessor('synth-1', cfg), drive(Date.UTC(2024, 1, 6, 14, 0))).trips[0]!;
    assert.equal(day.features.nightShare, 0);
    assert.equal(day.features.eventCounts.night_driving, 0);
  });

  test('a drive through 22:00 local is partly night', () => {
    const t = runAll(
      createProcessor('synth-1', { timeZone: 'Europe/Madrid' }),
      drive(Date.UTC(2024, 1, 6, 20, 50), 1200),
    ).trips[0]!;
    assert.ok(
      t.features.nightShare > 0.4 && t.features.nightShare < 0.65,
      `night share ${t.features.nightShare}`,
    );
  });

  test('weekday 08:00 is rush hour, Saturday 08:00 is not', () => {
    const cfg = { timeZone: 'Europe/Madrid' };
    const tue = runAll(createProcessor('synth-1', cfg), drive(Date.UTC(2024, 1, 6, 7, 0))).trips[0]!;
    assert.equal(tue.features.rushHourShare, 1);
    const sat = runAll(createProcessor('synth-1', cfg), drive(Date.UTC(2024, 1, 10, 7, 0))).trips[0]!;
    assert.equal(sat.features.rushHourShare, 0);
  });

  test('fatigue: 2 h 10 min of driving without a 15-minute break gives 10 minutes of fatigue', () => {
    const start = Date.UTC(2024, 1, 6, 9, 0);
    const t = runAll(createProcessor('synth-1'), drive(start, 130 * 60 - 20)).trips[0]!;
    const f = t.features;
    assert.equal(f.eventCounts.fatigue, 1);
    assert.ok(Math.abs(f.fatigueMs - 10 * 60_000) <= 15_000, `fatigue ${f.fatigueMs / 1000} s`);
    assert.ok(f.continuousDrivingMs >= 130 * 60_000 - 15_000);
  });

  test('fatigue carries across trips separated by a stop shorter than 15 minutes', () => {
    const start = Date.UTC(2024, 1, 6, 9, 0);
    const a = drive(start, 70 * 60);
    // 5.5 min parked closes the first trip; the second starts 10 min after the first ended.
    const b = drive(start + 70 * 60_000 + 20_000 + 330_000 + 270_000, 70 * 60);
    b.forEach((x, i) => {
      x.batchId = `b-${i}`;
    });
    const o = runAll(createProcessor('synth-1'), [...a, ...b]);
    assert.equal(o.trips.length, 2);
    assert.equal(o.trips[0]!.features.fatigueMs, 0);
    assert.ok(o.trips[1]!.features.fatigueMs > 0, 'second trip passes 2 h of driving');
    assert.equal(o.trips[1]!.features.eventCounts.fatigue, 1);
  });
});
