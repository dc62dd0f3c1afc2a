// Trip context end to end: imported weather and area-risk data become stored trip features; without them the
// trip says what is missing and the rest still works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Platform } from '../src/api/platform.ts';
import { createLogger } from '../src/config/logger.ts';
import type { SensorBatch } from '../src/domain/index.ts';
import { tripAround } from '../src/pipeline/testkit.ts';
import { createDb, ensureTenant, importContextCsv, migrate, registerDevice } from '../src/store/index.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';
import { startOn } from './support/platform.ts';

const target = pgTargets().targets[0]!;
const HOUR = 3_600_000;
const tripStart = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR + 10 * 60_000;

async function driveAndRead(p: Platform, deviceId: string): Promise<Record<string, any>> {
  const dev = await registerDevice(p.db, { tenantId: 'default', kind: 'phone', id: deviceId });
  const batches: SensorBatch[] = tripAround([{ durationS: 20 }], {
    deviceId,
    startMs: tripStart,
    frame: 'vehicle',
  });
  const body = batches.map(({ source: _s, receivedAtMs: _r, ...w }) => JSON.stringify(w)).join('\n');
  const res = await fetch(`${p.url}/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${dev.token}` },
    body,
  });
  assert.equal(res.status, 202);
  for (let i = 0; i < 400; i++) {
    const { rows } = await p.db.query<{ features: Record<string, any> }>(
      'SELECT features FROM trips WHERE device_id = $1',
      [deviceId],
    );
    if (rows[0]) return rows[0].features.context;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no trip stored');
}

describe(`trip context (${target.name} PostgreSQL)`, () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await freshDatabase(target);
    const db = createDb(tdb.url, { max: 2 });
    await migrate(db, createLogger('silent'));
    await ensureTenant(db, 'default', 'Default');
    await db.close();
  });
  after(async () => tdb.drop());

  test('without imported data a trip says weather and area risk are unavailable, and darkness is still computed', async () => {
    const p = await startOn(tdb.url);
    try {
      const ctx = await driveAndRead(p, 'ctx-none');
      assert.equal(ctx.wetShare, null);
      assert.equal(ctx.areaRiskExposure, null);
      assert.equal(typeof ctx.darkShare, 'number');
      assert.equal(ctx.detail.weather.available, false);
      assert.match(ctx.detail.weather.reason, /weather/i);
    } finally {
      await p.stop();
    }
  });

  test('imported rain and incident data become the trip’s wet share and area-risk exposure', async () => {
    const db = createDb(tdb.url, { max: 2 });
    const hours = [-2, -1, 0, 1, 2].map((h) => new Date(tripStart + h * HOUR).toISOString().slice(0, 13));
    const weather = [
      'time,lat,lon,precipitation_mm,temperature_c',
      ...hours.map((h) => `${h}:00:00Z,42.5063,1.5218,2.5,4.0`),
    ];
    const bad = await importContextCsv(
      db,
      'weather',
      'bad.csv',
      'time,lat,lon,precipitation_mm\n2024-01-01T00:00Z,north,1,1\n',
    );
    assert.equal(bad.ok, false);
    assert.ok((await importContextCsv(db, 'weather', 'rain.csv', weather.join('\n'))).ok);
    const incidents = ['lat,lon,count', '42.5063,1.5218,40', '42.5070,1.5230,10', '42.60,1.60,1'];
    assert.ok((await importContextCsv(db, 'area_risk', 'incidents.csv', incidents.join('\n'))).ok);
    await db.close();
    const p = await startOn(tdb.url);
    try {
      const ctx = await driveAndRead(p, 'ctx-rain');
      assert.equal(ctx.detail.weather.available, true);
      assert.ok(ctx.wetShare > 0.9, `wetShare ${ctx.wetShare}`);
      assert.ok(ctx.areaRiskExposure > 0, `areaRiskExposure ${ctx.areaRiskExposure}`);
    } finally {
      await p.stop();
    }
  });
});
