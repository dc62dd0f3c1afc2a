// Matrix probes for src/api/v1/routes/disputes.ts: one per route. Probes dispute the seeded trip of driver a1 and
// its two events, and add no trips (other tests count a1's trips). A subject has at most one open dispute, so
// each probe reuses its subject's open dispute or files a new one after a staff caller rejected the last.
import { randomBytes } from 'node:crypto';
import type { V1TestApp } from '../../src/api/v1/testing.ts';
import { fileDispute } from '../../src/services/disputes.ts';
import type { Seed } from '../api-seed.ts';
import { type Fixture, ids } from './types.ts';

/** An open 'evasive_manoeuvre' dispute on one of the seeded harsh-braking events of a1's trip. */
export async function openEventDispute(fx: Seed, t: V1TestApp, eventIndex: 0 | 1): Promise<string> {
  const eventId = `${fx.trips.a1}-e${eventIndex}`;
  const { rows } = await t.db.query<{ id: string }>(
    "SELECT id FROM disputes WHERE event_id = $1 AND status = 'open'",
    [eventId],
  );
  if (rows[0]) return rows[0].id;
  const d = await fileDispute(t.db, {
    tenantId: fx.tenants.a,
    driverId: fx.drivers.a1,
    eventId,
    reason: 'evasive_manoeuvre',
    comment: 'A cyclist pulled out in front of me',
  });
  if (!d.ok) throw new Error(d.error.message);
  return d.value.id;
}

/** A crash candidate on the driver's trip. */
export async function insertCrashEvent(t: V1TestApp, tenant: string, driverId: string, tripId: string) {
  const id = `${tripId}-crash-${randomBytes(3).toString('hex')}`;
  const { rows } = await t.db.query<{ start_at: Date }>('SELECT start_at FROM trips WHERE id = $1', [tripId]);
  const at = new Date(rows[0]!.start_at.getTime() + 120_000);
  await t.db.query(
    `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at, peak)
     VALUES ($1, $2, $3, $4, $5, 'crash_candidate', 'severe', $6, $6, 38.5)`,
    [id, tripId, tenant, `dev-${driverId}`, driverId, at],
  );
  return id;
}

const crashEvents = new Map<string, Promise<string>>();

export const disputeFixtures: Record<string, Fixture> = {
  // Only driver a1 gets past authorization, once per matrix: the trip has no dispute before.
  'POST /v1/disputes': async (fx) => ({
    url: '/v1/disputes',
    body: { tripId: fx.trips.a1, reason: 'passenger', comment: 'My partner drove' },
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/disputes': async (fx, t) => {
    const id = await openEventDispute(fx, t, 0);
    return {
      url: '/v1/disputes?limit=200&status=open',
      subject: { tenant: 'a', driver: fx.drivers.a1 },
      contains: (b) => ids(b).includes(id),
    };
  },
  'GET /v1/disputes/:id': async (fx, t) => ({
    url: `/v1/disputes/${await openEventDispute(fx, t, 0)}`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'POST /v1/disputes/:id/resolve': async (fx, t) => ({
    url: `/v1/disputes/${await openEventDispute(fx, t, 1)}/resolve`,
    body: { decision: 'reject', note: 'The trace shows a braking with nothing ahead.' },
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'POST /v1/events/:id/crash-response': async (fx, t) => {
    let id = crashEvents.get(fx.trips.a1);
    if (!id)
      crashEvents.set(fx.trips.a1, (id = insertCrashEvent(t, fx.tenants.a, fx.drivers.a1, fx.trips.a1)));
    return {
      url: `/v1/events/${await id}/crash-response`,
      body: { response: 'ok' },
      subject: { tenant: 'a', driver: fx.drivers.a1 },
    };
  },
};
