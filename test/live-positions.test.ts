// The worker's batch hook announces a driver's newest fix while it is current, so live maps follow a trip in
// progress; history being uploaded late (a buffered phone, the demo fleet) is not presented as live.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { announceLivePosition } from '../src/api/trip-hooks.ts';
import type { SensorBatch } from '../src/domain/index.ts';
import { LIVE_POSITIONS_CHANNEL } from '../src/services/live.ts';
import type { DeviceRecord } from '../src/store/index.ts';
import { freshDatabase, pgTargets } from './support/env.ts';

const target = pgTargets().targets[0]!;
const dev: DeviceRecord = {
  id: 'dev-live',
  tenantId: 't1',
  driverId: 'drv-live',
  vehicleId: null,
  kind: 'phone',
  externalId: null,
};

function batch(lastMs: number): SensorBatch {
  return {
    deviceId: dev.id,
    batchId: `b-${lastMs}`,
    source: 'v1',
    receivedAtMs: lastMs,
    gps: {
      t: [lastMs - 1000, lastMs, lastMs - 2000],
      lat: [42.5, 42.51, 42.49],
      lon: [1.5, 1.51, 1.49],
      speedMps: [10, 12, 9],
    },
  } as SensorBatch;
}

describe('live positions from the worker', () => {
  test('the newest current fix is announced; old or driverless data is not', async () => {
    const tdb = await freshDatabase(target);
    const listener = new pg.Client({ connectionString: tdb.url });
    await listener.connect();
    const heard: unknown[] = [];
    listener.on('notification', (n) => heard.push(JSON.parse(n.payload ?? 'null')));
    await listener.query(`LISTEN ${LIVE_POSITIONS_CHANNEL}`);
    const q = new pg.Client({ connectionString: tdb.url });
    await q.connect();
    try {
      const now = Date.now();
      assert.equal(await announceLivePosition(q, dev, batch(now - 5_000), now), true);
      assert.equal(await announceLivePosition(q, dev, batch(now - 3_600_000), now), false, 'an hour old');
      assert.equal(await announceLivePosition(q, { ...dev, driverId: null }, batch(now), now), false);
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(heard, [
        {
          tenantId: 't1',
          driverId: 'drv-live',
          deviceId: 'dev-live',
          tMs: now - 5_000,
          lat: 42.51,
          lon: 1.51,
          speedMps: 12,
        },
      ]);
    } finally {
      await q.end();
      await listener.end();
      await tdb.drop();
    }
  });
});
