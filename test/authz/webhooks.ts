// Matrix probes for src/api/v1/routes/webhooks.ts: one per route.
import { publishEvent } from '../../src/services/events.ts';
import { createEndpoint, webhookKey } from '../../src/services/webhooks.ts';
import type { V1TestApp } from '../../src/api/v1/testing.ts';
import type { Seed } from '../api-seed.ts';
import { type Fixture, ids, uniq } from './types.ts';

/** An endpoint of tenant a (nothing listens on port 9: deliveries fail, which the probes do not care about). */
async function endpoint(fx: Seed, t: V1TestApp) {
  return createEndpoint(t.db, await webhookKey(t.db, null), {
    tenantId: fx.tenants.a,
    url: 'http://127.0.0.1:9/hook',
    eventTypes: ['trip.completed'],
  });
}

export const webhookFixtures: Record<string, Fixture> = {
  'POST /v1/webhooks': async () => ({
    url: '/v1/webhooks',
    body: { url: `https://partner.example/hooks/${uniq()}`, eventTypes: ['trip.completed', 'score.changed'] },
    subject: null,
  }),
  'GET /v1/webhooks': async (fx, t) => {
    const e = await endpoint(fx, t);
    return {
      url: '/v1/webhooks',
      subject: { tenant: 'a', driver: null },
      contains: (b) => ids(b).includes(e.id),
    };
  },
  'GET /v1/webhooks/:id': async (fx, t) => ({
    url: `/v1/webhooks/${(await endpoint(fx, t)).id}`,
    subject: { tenant: 'a', driver: null },
  }),
  'PATCH /v1/webhooks/:id': async (fx, t) => ({
    url: `/v1/webhooks/${(await endpoint(fx, t)).id}`,
    body: { enabled: false },
    subject: { tenant: 'a', driver: null },
  }),
  'DELETE /v1/webhooks/:id': async (fx, t) => ({
    url: `/v1/webhooks/${(await endpoint(fx, t)).id}`,
    subject: { tenant: 'a', driver: null },
  }),
  'GET /v1/webhooks/:id/deliveries': async (fx, t) => ({
    url: `/v1/webhooks/${(await endpoint(fx, t)).id}/deliveries`,
    subject: { tenant: 'a', driver: null },
  }),
  'POST /v1/webhooks/deliveries/:id/replay': async (fx, t) => {
    const e = await endpoint(fx, t);
    const eventId = `evt-${uniq()}`;
    await publishEvent(t.db, {
      id: eventId,
      tenantId: fx.tenants.a,
      type: 'trip.completed',
      driverId: fx.drivers.a1,
      subjectId: fx.trips.a1,
      data: {},
    });
    const id = `dlv_${uniq()}`;
    await t.db.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, driver_id, status)
       VALUES ($1, $2, $3, $4, 'trip.completed', $5, 'failed')`,
      [id, fx.tenants.a, e.id, eventId, fx.drivers.a1],
    );
    return { url: `/v1/webhooks/deliveries/${id}/replay`, subject: { tenant: 'a', driver: null } };
  },
};
