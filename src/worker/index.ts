// The worker: consumes ingest batches in order per device and applies each exactly once — archive the raw
// batch, advance the device's pipeline, store finished trips and events, checkpoint — in one transaction.
import type { Logger } from 'pino';
import type { Bus, BusMessage, Subscription } from '../bus/index.ts';
import type { SensorBatch } from '../domain/index.ts';
import { decodeBatch } from '../ingest/codec.ts';
import { INGEST_TOPIC } from '../ingest/gateway.ts';
import type { PlatformMetrics } from '../ops/metrics.ts';
import type { LiveTripView, PipelineOutput } from '../pipeline/types.ts';
import type { Db, Queryable } from '../store/db.ts';
import { type DeviceRecord, getDevice } from '../store/devices.ts';
import { saveOutputs } from '../store/trips.ts';

export const WORKER_GROUP = 'pipeline';

/** What the worker needs from the pipeline (src/pipeline implements it). */
export interface DeviceProcessorPort {
  push(batch: SensorBatch): PipelineOutput;
  tick(nowMs: number): PipelineOutput;
  snapshot(): unknown;
  readonly activeTrip: LiveTripView | null;
}

export interface PipelinePort {
  create(deviceId: string): DeviceProcessorPort;
  restore(deviceId: string, snapshot: unknown): DeviceProcessorPort;
}

export interface WorkerHooks {
  /** After a transaction that stored new trips commits (scoring, pricing, webhooks hang here). */
  onTripsStored?(device: DeviceRecord, output: PipelineOutput): Promise<void>;
}

export interface Worker {
  stop(): Promise<void>;
  /** Closes trips of devices silent for longer than idleMs (called on a timer). */
  sweepIdle(nowMs: number): Promise<number>;
}

export function startWorker(opts: {
  db: Db;
  bus: Bus;
  pipeline: PipelinePort;
  logger: Logger;
  metrics: PlatformMetrics;
  concurrency: number;
  idleCloseMs?: number;
  hooks?: WorkerHooks;
}): Worker {
  const { db, bus, pipeline, logger, metrics } = opts;
  const devices = new Map<string, DeviceRecord>();
  // In-memory processors keyed by device, trusted only while their version matches the stored checkpoint.
  const live = new Map<string, { version: number; proc: DeviceProcessorPort }>();
  const idleCloseMs = opts.idleCloseMs ?? 15 * 60_000;

  async function device(q: Queryable, id: string): Promise<DeviceRecord | null> {
    const hit = devices.get(id);
    if (hit) return hit;
    const d = await getDevice(q, id);
    if (d) devices.set(id, d);
    return d;
  }

  async function loadProcessor(
    q: Queryable,
    deviceId: string,
  ): Promise<{ version: number; proc: DeviceProcessorPort }> {
    const { rows } = await q.query<{ state: unknown; batches: number }>(
      'SELECT state, batches FROM device_state WHERE device_id = $1 FOR UPDATE',
      [deviceId],
    );
    const row = rows[0];
    const cached = live.get(deviceId);
    if (!row) return { version: 0, proc: pipeline.create(deviceId) };
    if (cached && cached.version === row.batches) return cached;
    return { version: row.batches, proc: pipeline.restore(deviceId, row.state) };
  }

  async function checkpoint(
    q: Queryable,
    deviceId: string,
    version: number,
    proc: DeviceProcessorPort,
  ): Promise<void> {
    await q.query(
      `INSERT INTO device_state (device_id, state, batches, open_trip, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (device_id) DO UPDATE SET state = $2, batches = $3, open_trip = $4, updated_at = now()`,
      [deviceId, JSON.stringify(proc.snapshot()), version, proc.activeTrip !== null],
    );
  }

  async function handle(msg: BusMessage): Promise<void> {
    const batch = decodeBatch(msg.payload);
    const stored = await db.tx(async (c) => {
      const mark = await c.query(
        'INSERT INTO processed_batches (device_id, batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [batch.deviceId, batch.batchId],
      );
      if (mark.rowCount === 0) return null; // already applied: a redelivery
      const dev = await device(c, batch.deviceId);
      if (!dev) throw new Error(`device ${batch.deviceId} is not registered`);
      const span = timeSpan(batch);
      await c.query(
        `INSERT INTO raw_batches (received_at, device_id, batch_id, source, sample_count, first_t, last_t, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          new Date(batch.receivedAtMs),
          batch.deviceId,
          batch.batchId,
          batch.source,
          (batch.gps?.t.length ?? 0) + (batch.imu?.t.length ?? 0) + (batch.phone?.length ?? 0),
          span?.firstMs ?? null,
          span?.lastMs ?? null,
          Buffer.from(msg.payload),
        ],
      );
      const state = await loadProcessor(c, batch.deviceId);
      const out = state.proc.push(batch);
      const saved = await saveOutputs(c, dev, out);
      const version = state.version + 1;
      await checkpoint(c, batch.deviceId, version, state.proc);
      return { dev, out, saved, version, proc: state.proc };
    });
    if (!stored) {
      metrics.processed.inc({ outcome: 'duplicate' });
      return;
    }
    live.set(batch.deviceId, { version: stored.version, proc: stored.proc });
    metrics.processed.inc({ outcome: 'applied' });
    await afterCommit(stored.dev, stored.out, stored.saved.trips.length, stored.saved.events);
  }

  async function afterCommit(
    dev: DeviceRecord,
    out: PipelineOutput,
    trips: number,
    events: number,
  ): Promise<void> {
    if (trips === 0) return;
    metrics.trips.inc({}, trips);
    for (const e of out.events) metrics.events.inc({ kind: e.kind });
    logger.info({ deviceId: dev.id, trips, events }, 'trips stored');
    await opts.hooks?.onTripsStored?.(dev, out).catch((e) => logger.error({ err: e }, 'trip hook failed'));
  }

  const sub: Subscription = bus.subscribe(INGEST_TOPIC, handle, {
    group: WORKER_GROUP,
    concurrency: opts.concurrency,
    maxInFlight: 64,
    onError: (e) => logger.warn({ err: e.message }, 'worker retrying a batch'),
    onDeadLetter: async (m, e) => {
      metrics.deadLetters.inc();
      logger.error({ msgId: m.id, err: e.message }, 'batch moved to the dead-letter store');
      await db.query(
        `INSERT INTO dead_letters (topic, grp, partition, msg_id, key, payload, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [m.topic, WORKER_GROUP, m.partition, m.id, m.key, Buffer.from(m.payload), e.stack ?? e.message],
      );
    },
  });
  metrics.lag.collect(async () =>
    metrics.lag.set(await bus.lag(INGEST_TOPIC, WORKER_GROUP), { group: WORKER_GROUP }),
  );

  async function sweepIdle(nowMs: number): Promise<number> {
    const { rows } = await db.query<{ device_id: string }>(
      `SELECT device_id FROM device_state WHERE open_trip AND updated_at < now() - ($1 || ' milliseconds')::interval`,
      [String(idleCloseMs)],
    );
    let closed = 0;
    for (const { device_id } of rows) {
      const r = await db.tx(async (c) => {
        const dev = await device(c, device_id);
        if (!dev) return null;
        const state = await loadProcessor(c, device_id);
        const out = state.proc.tick(nowMs);
        const saved = await saveOutputs(c, dev, out);
        await checkpoint(c, device_id, state.version + 1, state.proc);
        return { dev, out, saved, version: state.version + 1, proc: state.proc };
      });
      if (!r) continue;
      live.set(device_id, { version: r.version, proc: r.proc });
      closed += r.saved.trips.length;
      await afterCommit(r.dev, r.out, r.saved.trips.length, r.saved.events);
    }
    return closed;
  }

  const timer = setInterval(() => {
    sweepIdle(Date.now()).catch((e) => logger.warn({ err: (e as Error).message }, 'idle sweep failed'));
  }, 30_000);
  timer.unref();

  return {
    sweepIdle,
    async stop() {
      clearInterval(timer);
      await sub.stop();
    },
  };
}

/** First and last sample time of a batch over all its sections (samples within a section are not sorted). */
export function timeSpan(b: SensorBatch): { firstMs: number; lastMs: number } | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const scan = (ts: readonly number[] | undefined): void => {
    if (!ts) return;
    for (const x of ts) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  };
  scan(b.gps?.t);
  scan(b.imu?.t);
  scan(b.phone?.map((p) => p.t));
  scan(b.deviceEvents?.map((e) => e.t));
  return lo <= hi ? { firstMs: lo, lastMs: hi } : null;
}
