// What happens when the worker has stored finished trips: they are announced (trip.completed, crash.detected), the
// driver's risk is recomputed from counted trips and the premium requoted — all in one transaction, so the outbox
// events, the risk row and the quote agree. Event ids are deterministic: a repeated hook publishes nothing twice.
// It runs after the worker's commit; if it fails (or the process dies first) the reconciliation sweep
// (services/rescoring.ts) catches the driver up, so a pricing problem never stalls ingest.
import type { Logger } from 'pino';
import type { SensorBatch } from '../domain/index.ts';
import type { PipelineOutput } from '../pipeline/types.ts';
import { notifyLivePosition } from '../services/live.ts';
import { publishEvent } from '../services/events.ts';
import { rescoreAndReprice } from '../services/rescoring.ts';
import type { Db, DeviceRecord, Queryable } from '../store/index.ts';
import type { WorkerHooks } from '../worker/index.ts';

/** Publishes the trips' events, then rescoring and requoting the driver (no-op for devices without a driver). */
export async function onTripsStored(
  db: Db,
  dev: DeviceRecord,
  out: PipelineOutput,
  logger: Logger,
): Promise<void> {
  if (out.trips.length === 0) return;
  await db.tx(async (c) => {
    for (const t of out.trips) {
      await publishEvent(c, {
        tenantId: dev.tenantId,
        type: 'trip.completed',
        driverId: dev.driverId,
        subjectId: t.id,
        id: `trip.completed:${t.id}`,
        data: {
          tripId: t.id,
          deviceId: dev.id,
          startMs: t.startMs,
          endMs: t.endMs,
          distanceM: Math.round(t.features.distanceM),
          mode: t.mode,
          needsConfirmation: t.needsConfirmation,
          eventCounts: t.features.eventCounts,
        },
      });
    }
    for (const e of out.events.filter((x) => x.kind === 'crash_candidate')) {
      await publishEvent(c, {
        tenantId: dev.tenantId,
        type: 'crash.detected',
        driverId: dev.driverId,
        subjectId: e.id,
        id: `crash.detected:${e.id}`,
        data: {
          eventId: e.id,
          tripId: e.tripId,
          atMs: e.startMs,
          lat: e.lat,
          lon: e.lon,
          peakMps2: e.peakValue,
          speedBeforeMps: e.speedBeforeMps,
        },
      });
    }
    if (dev.driverId) await rescoreAndReprice(c, dev.tenantId, dev.driverId, 'trip.completed', logger);
  });
}

/** Positions older than this are history being uploaded (a buffered phone, the demo), not a live trip. */
export const LIVE_POSITION_MAX_AGE_MS = 120_000;

/** The batch's newest fix, when it is recent, for a driver's live map (ephemeral: pg_notify, not stored). */
export async function announceLivePosition(
  q: Queryable,
  dev: DeviceRecord,
  batch: SensorBatch,
  nowMs = Date.now(),
): Promise<boolean> {
  const g = batch.gps;
  if (!dev.driverId || !g || g.t.length === 0) return false;
  let i = 0;
  for (let k = 1; k < g.t.length; k++) if (g.t[k]! > g.t[i]!) i = k;
  const tMs = g.t[i]!;
  if (nowMs - tMs > LIVE_POSITION_MAX_AGE_MS || tMs - nowMs > LIVE_POSITION_MAX_AGE_MS) return false;
  await notifyLivePosition(q, {
    tenantId: dev.tenantId,
    driverId: dev.driverId,
    deviceId: dev.id,
    tMs,
    lat: g.lat[i]!,
    lon: g.lon[i]!,
    speedMps: g.speedMps?.[i] ?? 0,
  });
  return true;
}

export function platformWorkerHooks(db: Db, logger: Logger): WorkerHooks {
  return {
    onTripsStored: (dev, out) => onTripsStored(db, dev, out, logger),
    onBatchApplied: async (dev, batch) => {
      await announceLivePosition(db, dev, batch);
    },
  };
}
