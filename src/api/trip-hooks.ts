// What happens when the worker has stored finished trips: they are announced (trip.completed, crash.detected), the
// driver's risk is recomputed from counted trips and the premium requoted — all in one transaction, so the outbox
// events, the risk row and the quote agree. Event ids are deterministic: a repeated hook publishes nothing twice.
// It runs after the worker's commit; if it fails (or the process dies first) the reconciliation sweep below
// catches the driver up, so a pricing problem never stalls ingest.
import type { Logger } from 'pino';
import type { PipelineOutput } from '../pipeline/types.ts';
import { refreshDriverRisk } from '../services/driver-risk.ts';
import { publishEvent } from '../services/events.ts';
import { requote } from '../services/pricing.ts';
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

async function rescoreAndReprice(
  q: Queryable,
  tenantId: string,
  driverId: string,
  reason: string,
  logger: Logger,
): Promise<void> {
  await refreshDriverRisk(q, tenantId, driverId);
  const r = await requote(q, tenantId, driverId, { reason });
  // A driver without an active policy has a risk but no price: that is a state, not an error.
  if (!r.ok) logger.info({ driverId, code: r.error.code, reason: r.error.message }, 'driver not requoted');
}

/**
 * Drivers whose stored trips are newer than their risk row (a hook that failed or never ran): rescored and
 * requoted, a bounded number per call. Run from the platform's maintenance timer.
 */
export async function reconcileDriverRisk(db: Db, logger: Logger, limit = 200): Promise<number> {
  const { rows } = await db.query<{ tenant_id: string; driver_id: string }>(
    `SELECT t.tenant_id, t.driver_id FROM trips t
       LEFT JOIN driver_risk r ON r.driver_id = t.driver_id
      WHERE t.driver_id IS NOT NULL
      GROUP BY t.tenant_id, t.driver_id, r.updated_at
     HAVING r.updated_at IS NULL OR max(t.created_at) > r.updated_at
      LIMIT $1`,
    [limit],
  );
  for (const r of rows) {
    try {
      await db.tx((c) => rescoreAndReprice(c, r.tenant_id, r.driver_id, 'reconciliation', logger));
    } catch (e) {
      logger.warn({ driverId: r.driver_id, err: (e as Error).message }, 'risk reconciliation failed');
    }
  }
  if (rows.length) logger.info({ drivers: rows.length }, 'drivers rescored by reconciliation');
  return rows.length;
}

export function platformWorkerHooks(db: Db, logger: Logger): WorkerHooks {
  return { onTripsStored: (dev, out) => onTripsStored(db, dev, out, logger) };
}
