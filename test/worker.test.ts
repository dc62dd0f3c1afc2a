// The worker on the real platform: stored trips and events equal an offline run of the same input, also when
// the worker restarts mid-trip (snapshot + replay of raw batches).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Platform } from '../src/api/platform.ts';
import type { Bus, MessageHandler } from '../src/bus/index.ts';
import { createLogger } from '../src/config/logger.ts';
import { encodeBatch } from '../src/ingest/codec.ts';
import { platformMetrics } from '../src/ops/metrics.ts';
import { startWorker, type Worker } from '../src/worker/index.ts';
import { pipelinePort } from '../src/worker/pipeline.ts';
import type { SensorBatch } from '../src/domain/index.ts';
import { createProcessor } from '../src/pipeline/index.ts';
import { mountRotation, runAll, tripAround } from '../src/pipeline/testkit.ts';
import { ensureTenant, registerDevice } from '../src/store/index.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';
import { startOn } from './support/platform.ts';

const target = pgTargets().targets[0]!;

function drive(deviceId: string, startMs: number, cruiseS = 0): SensorBatch[] {
  const opts = {
    deviceId,
    startMs,
    frame: 'device' as const,
    mount: mountRotation(35, 10, -5),
    seed: 7,
  };
  const cruise = cruiseS > 0 ? [{ durationS: cruiseS }] : [];
  const first = tripAround([...cruise, { durationS: 2, accelMps2: -4.5 }, { durationS: 20 }], opts);
  const lastT = Math.max(...first.flatMap((b) => b.gps?.t ?? []));
  const second = tripAround([{ durationS: 3, accelMps2: 3.8 }, { durationS: 20 }], {
    ...opts,
    startMs: lastT + 60_000,
  });
  // Each synthetic drive numbers its batches from 0: make the second drive's ids its own.
  return [...first, ...second.map((b) => ({ ...b, batchId: `second-${b.batchId}` }))];
}

async function send(p: Platform, token: string, batches: SensorBatch[]): Promise<void> {
  for (let i = 0; i < batches.length; i += 25) {
    const body = batches
      .slice(i, i + 25)
      .map(({ source: _s, receivedAtMs: _r, ...wire }) => JSON.stringify(wire))
      .join('\n');
    const res = await fetch(`${p.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
      body,
    });
    assert.equal(res.status, 202, await res.text());
  }
}

async function drained(p: Platform, n: number, deviceId?: string): Promise<void> {
  for (let i = 0; i < 2400; i++) {
    const { rows } = await p.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM processed_batches WHERE $1::text IS NULL OR device_id = $1',
      [deviceId ?? null],
    );
    if (rows[0]!.n >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the worker did not process every batch');
}

async function stored(p: Platform, deviceId: string) {
  const trips = await p.db.query<{ id: string; distance_m: number }>(
    'SELECT id, distance_m FROM trips WHERE device_id = $1 ORDER BY id',
    [deviceId],
  );
  const events = await p.db.query<{ id: string }>('SELECT id FROM events WHERE device_id = $1 ORDER BY id', [
    deviceId,
  ]);
  return { trips: trips.rows.map((r) => r.id), events: events.rows.map((r) => r.id) };
}

/**
 * A second worker on the platform's database with a bus of its own that delivers nothing unless the test calls
 * the handler it is given: a scaled-out process whose idle sweep runs, or a worker fed by hand.
 */
function sideWorker(p: Platform, onSubscribe: (h: MessageHandler) => void = () => {}): Worker {
  const bus: Bus = {
    kind: 'postgres',
    partitions: 1,
    publish: async () => [],
    subscribe: (_topic, h) => {
      onSubscribe(h);
      return { stop: async () => {} };
    },
    lag: async () => 0,
    ready: async () => true,
    close: async () => {},
  };
  return startWorker({
    db: p.db,
    bus,
    pipeline: pipelinePort(),
    logger: createLogger('silent'),
    metrics: platformMetrics(),
    concurrency: 1,
  });
}

describe(`worker (${target.name} PostgreSQL)`, () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await freshDatabase(target);
  });
  after(async () => tdb.drop());

  test('stores the trips and events an offline run finds, and survives a restart mid-trip', async () => {
    let p = await startOn(tdb.url);
    try {
      await ensureTenant(p.db, 'default', 'Default');
      const dev = await registerDevice(p.db, { tenantId: 'default', kind: 'phone', id: 'phone-w1' });
      const batches = drive(dev.id, Date.now() - 3 * 3_600_000);
      const proc = createProcessor(dev.id);
      const offline = runAll(proc, batches, false);
      const closeAt = Date.now();
      const closed = proc.tick(closeAt);
      offline.trips.push(...closed.trips);
      offline.events.push(...closed.events);
      assert.equal(offline.trips.length, 2, 'the synthetic drive should make two trips');
      assert.ok(offline.events.some((e) => e.kind === 'harsh_braking'));

      // A third of the way into the first trip, the platform stops; a new one (empty caches) takes over.
      const cut = Math.floor(batches.length / 6);
      await send(p, dev.token, batches.slice(0, cut));
      await drained(p, cut);
      await p.stop();
      p = await startOn(tdb.url);
      await send(p, dev.token, batches.slice(cut));
      await drained(p, batches.length);
      // The second trip ends in a parked phone that goes silent: the idle sweep closes it.
      assert.equal((await stored(p, dev.id)).trips.length, 1);
      assert.equal(await p.worker!.sweepIdle(Date.now(), 0), 1);

      const got = await stored(p, dev.id);
      assert.deepEqual(got.trips, offline.trips.map((t) => t.id).sort());
      assert.deepEqual(got.events, offline.events.map((e) => e.id).sort());
      const { rows } = await p.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM raw_batches WHERE device_id = 'phone-w1'",
      );
      assert.equal(rows[0]!.n, batches.length);
    } finally {
      await p.stop();
    }
  });
  test("another process's writes between two batches: the worker does not reuse its in-memory pipeline", async () => {
    const p = await startOn(tdb.url);
    // A second worker on the same database (a scaled-out process) that receives no batches: only its idle sweep
    // runs, and closes the device's open trip while the first worker holds the device's pipeline in memory.
    const other = sideWorker(p);
    try {
      await ensureTenant(p.db, 'default', 'Default');
      const dev = await registerDevice(p.db, { tenantId: 'default', kind: 'phone', id: 'phone-w3' });
      // 100 s into a first drive that cruises for two minutes (1 s batches): the close splits it.
      const batches = drive(dev.id, Date.now() - 3 * 3_600_000, 120).map((b) => ({
        ...b,
        batchId: `w3-${b.batchId}`,
      }));
      const cut = 100;
      await send(p, dev.token, batches.slice(0, cut));
      await drained(p, cut, dev.id);
      const sweepAt = Date.now() + 60_000;
      assert.equal(await other.sweepIdle(sweepAt, 0), 1, 'the other process closes the open trip');
      await send(p, dev.token, batches.slice(cut));
      await drained(p, batches.length, dev.id);
      const endAt = Date.now() + 120_000;
      await p.worker!.sweepIdle(endAt, 0);

      // Offline, the same operations in the same order; a worker that kept pushing into the pipeline it held
      // (which never saw the other process's close) would store different trips.
      const proc = createProcessor(dev.id);
      const offline = runAll(proc, batches.slice(0, cut), false);
      for (const o of [proc.tick(sweepAt), runAll(proc, batches.slice(cut), false), proc.tick(endAt)]) {
        offline.trips.push(...o.trips);
        offline.events.push(...o.events);
      }
      assert.equal(offline.trips.length, 3, 'the close splits the first drive in two');
      const got = await stored(p, dev.id);
      assert.deepEqual(got.trips, offline.trips.map((t) => t.id).sort());
      assert.deepEqual(got.events, offline.events.map((e) => e.id).sort());
      // Trip ids are per-device ordinals: compare what the trips cover too.
      const { rows } = await p.db.query<{ id: string; start_ms: number; end_ms: number }>(
        `SELECT id, (extract(epoch FROM start_at) * 1000)::bigint AS start_ms,
                (extract(epoch FROM end_at) * 1000)::bigint AS end_ms
           FROM trips WHERE device_id = $1 ORDER BY id`,
        [dev.id],
      );
      const want = offline.trips
        .map((t) => ({ id: t.id, start_ms: t.startMs, end_ms: t.endMs }))
        .sort((a, b) => a.id.localeCompare(b.id));
      assert.deepEqual(rows, want);
    } finally {
      await other.stop();
      await p.stop();
    }
  });
  test('a batch delivered again after it was applied (a lost ack) changes nothing, and the next ones still apply', async () => {
    const p = await startOn(tdb.url);
    // A worker whose bus hands it whatever the test delivers, twice if it likes.
    let handler: MessageHandler | null = null;
    const w = sideWorker(p, (h) => {
      handler = h;
    });
    try {
      await ensureTenant(p.db, 'default', 'Default');
      const dev = await registerDevice(p.db, { tenantId: 'default', kind: 'phone', id: 'phone-w4' });
      const batches = drive(dev.id, Date.now() - 3 * 3_600_000, 120).map((b) => ({
        ...b,
        batchId: `w4-${b.batchId}`,
      }));
      let seq = 0;
      const deliver = (b: SensorBatch) =>
        handler!({
          topic: 'ingest',
          partition: 0,
          seq: ++seq,
          id: `${b.deviceId}/${b.batchId}`,
          key: b.deviceId,
          payload: encodeBatch({ ...b, receivedAtMs: Date.now() }, false),
          deliveryCount: 1,
        });
      for (const [i, b] of batches.entries()) {
        await deliver(b);
        // Mid-drive, and again right after: the same batch once more, then the one before it.
        if (i === 100 || i === 101) await deliver(b);
        if (i === 101) await deliver(batches[100]!);
      }
      const endAt = Date.now() + 60_000;
      await w.sweepIdle(endAt, 0);

      const proc = createProcessor(dev.id);
      const offline = runAll(proc, batches, false);
      const closed = proc.tick(endAt);
      offline.trips.push(...closed.trips);
      offline.events.push(...closed.events);
      const got = await stored(p, dev.id);
      assert.deepEqual(got.trips, offline.trips.map((t) => t.id).sort());
      assert.deepEqual(got.events, offline.events.map((e) => e.id).sort());
      const { rows } = await p.db.query<{ raw: number; done: number; batches: number }>(
        `SELECT (SELECT count(*)::int FROM raw_batches WHERE device_id = $1) AS raw,
                (SELECT count(*)::int FROM processed_batches WHERE device_id = $1) AS done,
                (SELECT batches::int FROM device_state WHERE device_id = $1) AS batches`,
        [dev.id],
      );
      assert.deepEqual(rows[0], { raw: batches.length, done: batches.length, batches: batches.length });
    } finally {
      await w.stop();
      await p.stop();
    }
  });
  test('late buffered uploads: the idle sweep waits for arrival silence, ends the trip at its own data, and the late data still makes its trips', async () => {
    const p = await startOn(tdb.url);
    try {
      await ensureTenant(p.db, 'default', 'Default');
      const dev = await registerDevice(p.db, { tenantId: 'default', kind: 'phone', id: 'phone-w2' });
      // Data hours old: what a phone that drove offline uploads when it finds a network.
      const batches = drive(dev.id, Date.now() - 5 * 3_600_000, 60).map((b) => ({
        ...b,
        batchId: `w2-${b.batchId}`,
      }));
      // 100 s into the first drive (1 s batches), cruising before its harsh braking, the network goes.
      const cut = 100;
      const live = batches.slice(0, cut);
      const buffered = batches.slice(cut);
      const MIN = 60_000;

      await send(p, dev.token, live);
      await drained(p, cut, dev.id);
      // Data times are hours behind the clock, but data arrived just now: nothing to close yet.
      assert.equal(await p.worker!.sweepIdle(Date.now()), 0, 'closed a trip whose device is still sending');
      // 31 minutes without any arrival (IDLE_CLOSE_MS default 30 min): the open trip ends at its own last data.
      const sweep1 = Date.now() + 31 * MIN;
      assert.equal(await p.worker!.sweepIdle(sweep1), 1);

      // Then the phone uploads what it buffered: the rest of the first drive and a second drive.
      await send(p, dev.token, buffered);
      await drained(p, batches.length, dev.id);
      const sweep2 = Date.now() + 31 * MIN;
      assert.equal(await p.worker!.sweepIdle(sweep2), 1, 'the last trip is closed after silence again');

      // The same operations offline give the same trips and events, ids included.
      const proc = createProcessor(dev.id);
      const offline = runAll(proc, live, false);
      for (const o of [proc.tick(sweep1), runAll(proc, buffered, false), proc.tick(sweep2)]) {
        offline.trips.push(...o.trips);
        offline.events.push(...o.events);
      }
      assert.equal(proc.stats().samplesDropped.late, 0, 'no buffered sample is dropped as late');
      const got = await stored(p, dev.id);
      assert.deepEqual(got.trips, offline.trips.map((t) => t.id).sort());
      assert.deepEqual(got.events, offline.events.map((e) => e.id).sort());

      // Nothing lost: the live part, the rest of the first drive and the second drive are each a trip, and
      // nothing counted twice: they do not overlap and each event lies in its own trip.
      const { rows } = await p.db.query<{ id: string; start_ms: string; end_ms: string }>(
        `SELECT id, (extract(epoch FROM start_at) * 1000)::bigint AS start_ms,
                (extract(epoch FROM end_at) * 1000)::bigint AS end_ms
         FROM trips WHERE device_id = $1 ORDER BY start_at`,
        [dev.id],
      );
      assert.equal(rows.length, 3, JSON.stringify(rows));
      for (let i = 1; i < rows.length; i++)
        assert.ok(Number(rows[i]!.start_ms) >= Number(rows[i - 1]!.end_ms), 'trips overlap');
      const outside = await p.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events e JOIN trips t ON t.id = e.trip_id
         WHERE e.device_id = $1 AND (e.start_at < t.start_at OR e.start_at > t.end_at)`,
        [dev.id],
      );
      assert.equal(outside.rows[0]!.n, 0, 'an event outside its trip');
      const secondDriveStart = Math.min(
        ...batches.filter((b) => b.batchId.includes('second-')).flatMap((b) => b.gps?.t ?? []),
      );
      assert.ok(
        Math.abs(Number(rows[2]!.start_ms) - secondDriveStart) < 30_000,
        'the second drive is its own trip',
      );
      const firstLate = Number(rows[1]!.start_ms);
      assert.ok(offline.events.some((e) => e.kind === 'harsh_braking' && e.startMs > firstLate));
      assert.ok(offline.events.some((e) => e.kind === 'harsh_acceleration' && e.startMs > secondDriveStart));
    } finally {
      await p.stop();
    }
  });
});
