// The worker: consumes ingest batches in order per device and applies each exactly once — archive the raw
// batch, advance the device's pipeline, store finished trips and events, checkpoint — in one transaction (one
// statement when the worker already holds the device's pipeline: see applyFast).
import type pg from 'pg';
import type { Logger } from 'pino';
import { type Bus, type BusMessage, type Subscription, sleep } from '../bus/index.ts';
import type { SensorBatch } from '../domain/index.ts';
import { archived, decodeBatch } from '../ingest/codec.ts';
import { INGEST_TOPIC } from '../ingest/gateway.ts';
import type { PlatformMetrics } from '../ops/metrics.ts';
import { reducedPrecision } from '../ops/precision.ts';
import { isTransientDbError } from '../ops/transient.ts';
import type { LiveTripView, PipelineOutput, Trip } from '../pipeline/types.ts';
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
  /** After every applied batch commits (live positions); must be cheap, failures are only logged. */
  onBatchApplied?(device: DeviceRecord, batch: SensorBatch): Promise<void>;
}

export interface Worker {
  stop(): Promise<void>;
  /**
   * Closes the open trips of devices from which no data has *arrived* for longer than silentForMs before nowMs
   * (default idleCloseMs); runs on a timer. A trip ends at its own last data; data that arrives later for the
   * time since (a phone's buffered upload) is processed as new data, not dropped as late.
   */
  sweepIdle(nowMs: number, silentForMs?: number): Promise<number>;
}

export function startWorker(opts: {
  db: Db;
  bus: Bus;
  pipeline: PipelinePort;
  logger: Logger;
  metrics: PlatformMetrics;
  concurrency: number;
  /** Arrival silence after which the idle sweep closes a device's open trip (IDLE_CLOSE_MS), default 30 min. */
  idleCloseMs?: number;
  /** Batches between snapshots of a device's pipeline state (replayed from raw batches after a restart). */
  checkpointEvery?: number;
  /** Extra stored features per finished trip (context enrichment). */
  enrichTrip?: (trip: Trip) => Record<string, unknown>;
  hooks?: WorkerHooks;
  /** Decimal places kept in stored trip traces and event coordinates (LOCATION_PRECISION_DECIMALS). */
  locationDecimals?: number | null;
}): Worker {
  const { db, bus, logger, metrics } = opts;
  const pipeline =
    opts.locationDecimals == null ? opts.pipeline : reducedPrecision(opts.pipeline, opts.locationDecimals);
  let stopping = false;
  const devices = new Map<string, DeviceRecord>();
  // In-memory processors keyed by device, trusted only while their sequence and rev match the stored ones.
  const live = new Map<string, LiveProcessor>();
  const idleCloseMs = opts.idleCloseMs ?? 30 * 60_000;
  // A snapshot is ~200 kB of JSON (the reorder window holds raw IMU) and costs milliseconds to write; replaying a
  // batch costs under a millisecond. So snapshots are rare (and taken when a trip closes): a restart replays at
  // most 120 batches (20 minutes of a phone's 10 s batches), about a tenth of a second.
  const checkpointEvery = opts.checkpointEvery ?? 120;
  // Snapshots are large: one every checkpointEvery batches, and whenever a trip closes (the state is small then).
  const snapshotDue = (seq: number, checkpointSeq: number, out: PipelineOutput): boolean =>
    seq - checkpointSeq >= checkpointEvery || out.trips.length > 0;

  async function device(q: Queryable, id: string): Promise<DeviceRecord | null> {
    const hit = devices.get(id);
    if (hit) return hit;
    const d = await getDevice(q, id);
    if (d) devices.set(id, d);
    return d;
  }

  /**
   * The device's processor as of batch `seq - 1`: the in-memory one when it is current, else the last snapshot
   * with the raw batches after it replayed (their outputs are re-saved; ids make that a no-op).
   */
  async function processorAt(
    q: Queryable,
    dev: DeviceRecord,
    seq: number,
    checkpointSeq: number,
    /** The stored rev before this write: the in-memory processor is current only if it saw exactly that. */
    rev: number,
  ): Promise<DeviceProcessorPort> {
    const cached = live.get(dev.id);
    live.delete(dev.id); // whatever happens next mutates it: only a commit puts it back
    if (cached && cached.rev === rev && cached.version === seq - 1) return cached.proc;
    let proc: DeviceProcessorPort;
    if (checkpointSeq === 0) proc = pipeline.create(dev.id);
    else {
      const { rows } = await q.query<{ state: unknown }>(
        'SELECT state FROM device_state WHERE device_id = $1',
        [dev.id],
      );
      proc = pipeline.restore(dev.id, rows[0]!.state);
    }
    const { rows: replay } = await q.query<{ payload: Buffer }>(
      `SELECT payload FROM raw_batches WHERE device_id = $1 AND dev_seq > $2 AND dev_seq < $3 ORDER BY dev_seq`,
      [dev.id, checkpointSeq, seq],
    );
    for (const r of replay) await saveOutputs(q, dev, proc.push(decodeBatch(r.payload)), opts.enrichTrip);
    if (replay.length > 0) metrics.processed.inc({ outcome: 'replayed' }, replay.length);
    return proc;
  }

  async function saveState(
    q: Queryable,
    deviceId: string,
    seq: number,
    proc: DeviceProcessorPort,
    snapshot: boolean,
    bumpRev = false,
  ): Promise<void> {
    if (snapshot) {
      await q.query(
        `UPDATE device_state SET state = $2, checkpoint_seq = $3, open_trip = $4, updated_at = now()
                ${bumpRev ? ', rev = rev + 1' : ''}
          WHERE device_id = $1`,
        [deviceId, JSON.stringify(proc.snapshot()), seq, proc.activeTrip !== null],
      );
    } else {
      await q.query('UPDATE device_state SET open_trip = $2 WHERE device_id = $1', [
        deviceId,
        proc.activeTrip !== null,
      ]);
    }
  }

  /**
   * A database outage is not the batch's fault: it is waited out here, keeping the batch in place (order holds),
   * instead of spending the attempts that would move a poison batch to the dead-letter store.
   */
  async function handle(msg: BusMessage): Promise<void> {
    for (let waitMs = 250; ; waitMs = Math.min(waitMs * 2, 5000)) {
      try {
        return await apply(msg);
      } catch (e) {
        if (stopping || !isTransientDbError(e)) throw e;
        metrics.errors.inc({ kind: 'database_unavailable' });
        logger.warn({ msgId: msg.id, err: (e as Error).message }, 'database unavailable; batch waits');
        await sleep(waitMs);
      }
    }
  }

  /**
   * The common case, in one statement and one round trip: this worker holds the device's pipeline as of the
   * stored sequence, so the batch is pushed first and its effects written at once, guarded by that sequence.
   * 'fallback' when the guess was wrong (another worker moved the device on, or the batch is a redelivery):
   * nothing was written and the in-memory pipeline is dropped, and the full path below takes over.
   */
  async function applyFast(
    msg: BusMessage,
    batch: SensorBatch,
    dev: DeviceRecord,
    cached: LiveProcessor,
  ): Promise<
    { out: PipelineOutput; saved: { trips: Trip[]; events: number }; entry: LiveProcessor } | 'fallback'
  > {
    live.delete(dev.id); // pushing mutates it: only a commit puts it back
    const seq = cached.version + 1;
    const out = cached.proc.push(batch);
    const snapshot = snapshotDue(seq, cached.checkpointSeq, out);
    const hasOutputs = out.trips.length > 0 || out.events.length > 0;
    const span = timeSpan(batch);
    const params: unknown[] = [
      batch.deviceId,
      batch.batchId,
      seq,
      cached.proc.activeTrip !== null,
      new Date(batch.receivedAtMs),
      batch.source,
      sampleTotal(batch),
      span?.firstMs ?? null,
      span?.lastMs ?? null,
      archived(msg.payload),
      cached.rev,
    ];
    if (snapshot) params.push(JSON.stringify(cached.proc.snapshot()));
    const sql = `WITH st AS (
        UPDATE device_state SET batches = $3, open_trip = $4, updated_at = now(), rev = rev + 1
               ${snapshot ? ', state = $12, checkpoint_seq = $3' : ''}
         WHERE device_id = $1 AND batches = $3 - 1 AND rev = $11
        RETURNING batches),
      mark AS (
        INSERT INTO processed_batches (device_id, batch_id) SELECT $1, $2 FROM st
        ON CONFLICT DO NOTHING RETURNING 1),
      raw AS (
        INSERT INTO raw_batches (received_at, device_id, batch_id, source, sample_count, first_t, last_t, payload, dev_seq)
        SELECT $5, $1, $2, $6, $7, $8, $9, $10, $3 FROM mark)
      SELECT n.st, CASE WHEN n.st = 1 AND n.marked = 0 THEN openubi_abort('${REDELIVERY}') ELSE n.marked END AS marked
        FROM (SELECT (SELECT count(*) FROM st)::int AS st, (SELECT count(*) FROM mark)::int AS marked) n`;
    // A named (prepared) statement: parsed and planned once per connection, not for every batch.
    const write = async (q: pg.Pool | pg.PoolClient): Promise<{ trips: Trip[]; events: number } | null> => {
      const { rows } = await q.query<{ st: number; marked: number }>({
        name: snapshot ? 'openubi-apply-batch-snapshot' : 'openubi-apply-batch',
        text: sql,
        values: params,
      });
      if (rows[0]!.st !== 1) return null;
      return hasOutputs ? saveOutputs(q, dev, out, opts.enrichTrip) : { trips: [], events: 0 };
    };
    try {
      const saved = hasOutputs
        ? await db.tx(async (c) => (await write(c)) ?? Promise.reject(new StaleGuess()))
        : await write(db.pool);
      if (!saved) return 'fallback';
      return {
        out,
        saved,
        entry: {
          version: seq,
          rev: cached.rev + 1,
          checkpointSeq: snapshot ? seq : cached.checkpointSeq,
          proc: cached.proc,
        },
      };
    } catch (e) {
      if (e instanceof StaleGuess || (e as Error).message === REDELIVERY) return 'fallback';
      throw e;
    }
  }

  async function apply(msg: BusMessage): Promise<void> {
    const batch = decodeBatch(msg.payload);
    const cached = live.get(batch.deviceId);
    const known = devices.get(batch.deviceId);
    if (cached && known) {
      try {
        const fast = await applyFast(msg, batch, known, cached);
        if (fast !== 'fallback') {
          live.set(batch.deviceId, fast.entry);
          metrics.processed.inc({ outcome: 'applied' });
          await afterApplied(known, batch, fast.out, fast.saved);
          return;
        }
      } catch (e) {
        live.delete(batch.deviceId);
        throw e;
      }
    }
    try {
      const stored = await db.tx(async (c) => {
        const mark = await c.query(
          'INSERT INTO processed_batches (device_id, batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [batch.deviceId, batch.batchId],
        );
        if (mark.rowCount === 0) return null; // already applied: a redelivery
        const dev = await device(c, batch.deviceId);
        if (!dev) throw new Error(`device ${batch.deviceId} is not registered`);
        // Takes the device's row lock: one writer per device, sequence numbers without gaps.
        const { rows } = await c.query<{ batches: number; checkpoint_seq: number; rev: number }>(
          `INSERT INTO device_state (device_id, state, batches, rev) VALUES ($1, 'null', 1, 1)
           ON CONFLICT (device_id) DO UPDATE SET batches = device_state.batches + 1, rev = device_state.rev + 1,
                                                 updated_at = now()
           RETURNING batches, checkpoint_seq, rev`,
          [batch.deviceId],
        );
        const { batches: seq, checkpoint_seq: checkpointSeq, rev } = rows[0]!;
        const span = timeSpan(batch);
        await c.query(
          `INSERT INTO raw_batches (received_at, device_id, batch_id, source, sample_count, first_t, last_t, payload, dev_seq)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            new Date(batch.receivedAtMs),
            batch.deviceId,
            batch.batchId,
            batch.source,
            sampleTotal(batch),
            span?.firstMs ?? null,
            span?.lastMs ?? null,
            archived(msg.payload),
            seq,
          ],
        );
        const proc = await processorAt(c, dev, seq, checkpointSeq, rev - 1);
        const out = proc.push(batch);
        const saved = await saveOutputs(c, dev, out, opts.enrichTrip);
        const snapshotted = snapshotDue(seq, checkpointSeq, out);
        await saveState(c, batch.deviceId, seq, proc, snapshotted);
        return { dev, out, saved, seq, rev, proc, checkpointSeq: snapshotted ? seq : checkpointSeq };
      });
      if (!stored) {
        metrics.processed.inc({ outcome: 'duplicate' });
        return;
      }
      live.set(batch.deviceId, {
        version: stored.seq,
        rev: stored.rev,
        checkpointSeq: stored.checkpointSeq,
        proc: stored.proc,
      });
      metrics.processed.inc({ outcome: 'applied' });
      await afterApplied(stored.dev, batch, stored.out, stored.saved);
    } catch (e) {
      live.delete(batch.deviceId);
      throw e;
    }
  }

  async function afterApplied(
    dev: DeviceRecord,
    batch: SensorBatch,
    out: PipelineOutput,
    saved: { trips: Trip[]; events: number },
  ): Promise<void> {
    await afterCommit(dev, out, saved.trips.length, saved.events);
    await opts.hooks?.onBatchApplied?.(dev, batch).catch((e) => {
      metrics.errors.inc({ kind: 'batch_hook' });
      logger.warn({ err: (e as Error).message }, 'batch hook failed');
    });
  }

  async function afterCommit(
    dev: DeviceRecord,
    out: PipelineOutput,
    trips: number,
    events: number,
  ): Promise<void> {
    if (trips === 0) return;
    metrics.trips.inc({}, trips);
    const nowMs = Date.now();
    for (const t of out.trips) metrics.tripLatency.observe(Math.max(0, nowMs - t.endMs) / 1000);
    for (const e of out.events) metrics.events.inc({ kind: e.kind });
    logger.info({ deviceId: dev.id, trips, events }, 'trips stored');
    await opts.hooks?.onTripsStored?.(dev, out).catch((e) => {
      metrics.errors.inc({ kind: 'trip_hook' });
      logger.error({ err: e }, 'trip hook failed');
    });
  }

  const sub: Subscription = bus.subscribe(INGEST_TOPIC, handle, {
    group: WORKER_GROUP,
    concurrency: opts.concurrency,
    maxInFlight: 64,
    onError: (e) => {
      metrics.errors.inc({ kind: 'worker_retry' });
      logger.warn({ err: e.message }, 'worker retrying a batch');
    },
    onDeadLetter: async (m, e) => {
      metrics.deadLetters.inc();
      metrics.errors.inc({ kind: 'dead_letter' });
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
  metrics.partitionLag.collect(async () => {
    const lags = (await bus.lagByPartition?.(INGEST_TOPIC, WORKER_GROUP)) ?? [];
    for (const [p, n] of lags.entries())
      metrics.partitionLag.set(n, { group: WORKER_GROUP, partition: String(p) });
  });

  async function sweepIdle(nowMs: number, silentForMs = idleCloseMs): Promise<number> {
    // updated_at moves with every batch applied: arrival time, not the data's own (possibly hours-old) time.
    const { rows } = await db.query<{ device_id: string }>(
      `SELECT device_id FROM device_state
       WHERE open_trip AND updated_at < to_timestamp($1::double precision / 1000) - ($2 || ' milliseconds')::interval`,
      [nowMs, String(silentForMs)],
    );
    let closed = 0;
    for (const { device_id } of rows) {
      try {
        const r = await db.tx(async (c) => {
          const dev = await device(c, device_id);
          if (!dev) return null;
          const { rows: st } = await c.query<{
            batches: number;
            checkpoint_seq: number;
            rev: number;
            open_trip: boolean;
            silent: boolean;
          }>(
            `SELECT batches, checkpoint_seq, rev, open_trip,
                    updated_at < to_timestamp($2::double precision / 1000) - ($3 || ' milliseconds')::interval AS silent
             FROM device_state WHERE device_id = $1 FOR UPDATE`,
            [device_id, nowMs, String(silentForMs)],
          );
          const row = st[0];
          // Re-checked under the row lock: a batch may have arrived since the scan.
          if (!row?.open_trip || !row.silent) return null;
          const { batches, rev } = row;
          const proc = await processorAt(c, dev, batches + 1, row.checkpoint_seq, rev);
          // The pipeline ends the trip at its own last data and keeps its watermark there (not at nowMs).
          const out = proc.tick(nowMs);
          const saved = await saveOutputs(c, dev, out, opts.enrichTrip);
          // A tick is not a raw batch and cannot be replayed: its effect is kept by a snapshot at once.
          await saveState(c, device_id, batches, proc, true, true);
          return { dev, out, saved, seq: batches, rev: rev + 1, proc };
        });
        if (!r) continue;
        live.set(device_id, { version: r.seq, rev: r.rev, checkpointSeq: r.seq, proc: r.proc });
        closed += r.saved.trips.length;
        await afterCommit(r.dev, r.out, r.saved.trips.length, r.saved.events);
      } catch (e) {
        live.delete(device_id);
        throw e;
      }
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
      stopping = true;
      await sub.stop();
    },
  };
}

interface LiveProcessor {
  /** The device_state sequence (batches applied) this processor has seen. */
  version: number;
  /** The sequence of the stored snapshot that a restart would resume from. */
  checkpointSeq: number;
  /** device_state.rev after this processor's last write. */
  rev: number;
  proc: DeviceProcessorPort;
}

const REDELIVERY = 'openubi: batch already applied';

/** The fast path guessed a stale sequence: nothing was written. */
class StaleGuess extends Error {}

const sampleTotal = (b: SensorBatch): number =>
  (b.gps?.t.length ?? 0) + (b.imu?.t.length ?? 0) + (b.phone?.length ?? 0);

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
