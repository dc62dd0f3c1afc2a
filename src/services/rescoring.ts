// Keeping every driver's risk and price current: after trips, after a dispute, after a model promotion. The
// per-driver step runs inside the caller's transaction; the sweep finds drivers whose risk row is stale (newer
// trips, or scored by another model version than the tenant's champion) and catches them up in bounded batches.
import type { Logger } from 'pino';
import { TELEMATICS_MODEL_NAME } from '../risk/telematics/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { refreshDriverRisk } from './driver-risk.ts';
import { requote } from './pricing.ts';

export async function rescoreAndReprice(
  q: Queryable,
  tenantId: string,
  driverId: string,
  reason: string,
  logger: Logger,
): Promise<void> {
  await refreshDriverRisk(q, tenantId, driverId);
  const r = await requote(q, tenantId, driverId, { reason });
  // A driver without an active policy has a risk but no price: that is a state, not an error.
  if (!r.ok) logger.debug({ driverId, code: r.error.code, reason: r.error.message }, 'driver not requoted');
}

/** Drivers whose risk is stale: trips stored since, or another model version than the tenant's champion. */
async function staleDrivers(q: Queryable, tenantId: string | null, limit: number) {
  const { rows } = await q.query<{ tenant_id: string; id: string }>(
    `SELECT d.tenant_id, d.id FROM drivers d
       LEFT JOIN driver_risk r ON r.driver_id = d.id
       LEFT JOIN risk_models m ON m.tenant_id = d.tenant_id AND m.name = $3 AND m.champion
      WHERE ($2::text IS NULL OR d.tenant_id = $2)
        AND ((r.driver_id IS NULL AND EXISTS (SELECT 1 FROM trips t WHERE t.driver_id = d.id))
             OR (r.driver_id IS NOT NULL AND r.model_version IS DISTINCT FROM m.version)
             OR EXISTS (SELECT 1 FROM trips t WHERE t.driver_id = d.id AND t.created_at > r.updated_at))
      ORDER BY d.id LIMIT $1`,
    [limit, tenantId, TELEMATICS_MODEL_NAME],
  );
  return rows;
}

/**
 * Rescoring and requoting every stale driver (of one tenant, or all), `batch` at a time, each driver in its own
 * transaction so one failure does not hold back the rest. Returns how many drivers were brought up to date.
 */
export async function reconcileDriverRisk(
  db: Db,
  logger: Logger,
  opts: { tenantId?: string; reason?: string; batch?: number; maxDrivers?: number } = {},
): Promise<number> {
  const batch = opts.batch ?? 200;
  const max = opts.maxDrivers ?? 10_000;
  const failed = new Set<string>();
  let done = 0;
  while (done < max) {
    const rows = (await staleDrivers(db, opts.tenantId ?? null, batch + failed.size)).filter(
      (r) => !failed.has(r.id),
    );
    if (rows.length === 0) break;
    for (const r of rows) {
      try {
        await db.tx((c) => rescoreAndReprice(c, r.tenant_id, r.id, opts.reason ?? 'reconciliation', logger));
        done++;
      } catch (e) {
        failed.add(r.id);
        logger.warn({ driverId: r.id, err: (e as Error).message }, 'rescoring a driver failed');
      }
    }
  }
  if (done) logger.info({ drivers: done, tenantId: opts.tenantId ?? 'all' }, 'drivers rescored and requoted');
  return done;
}
