// What happens when the worker has stored finished trips: they are announced (trip.completed, crash.detected), the
// driver's risk is recomputed from counted trips and the premium requoted — all in one transaction, so the outbox
// events, the risk row and the quote agree. Event ids are deterministic: a repeated hook publishes nothing twice.
// It runs after the worker's commit; if it fails (or the process dies first) the reconciliation sweep
// (services/rescoring.ts) catches the driver up, so a pricing problem never stalls ingest.
import type { Logger } from 'pino';
import type { PipelineOutput } from '../pipeline/types.ts';
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

export function platformWorkerHooks(db: Db, logger: Logger): WorkerHooks {
  return { onTripsStored: (dev, out) => onTripsStored(db, dev, out, logger) };
}
