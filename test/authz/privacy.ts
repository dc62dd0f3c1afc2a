// Matrix probes for src/api/v1/routes/privacy.ts: one per route.
import { uniq, type Fixture } from './types.ts';

export const privacyFixtures: Record<string, Fixture> = {
  'GET /v1/drivers/:id/consents': async (fx) => ({
    url: `/v1/drivers/${fx.drivers.a1}/consents`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'PUT /v1/drivers/:id/consents': async (fx) => ({
    url: `/v1/drivers/${fx.drivers.a1}/consents`,
    body: { consents: { marketing: true, research: false } },
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/drivers/:id/export': async (fx) => ({
    url: `/v1/drivers/${fx.drivers.a1}/export`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  // A fresh driver each time: a caller allowed to delete must not take the seed's drivers with it.
  'DELETE /v1/drivers/:id': async (fx, t) => {
    const id = `drv-doomed-${uniq()}`;
    await t.db.query('INSERT INTO drivers (id, tenant_id, display_name) VALUES ($1, $2, $3)', [
      id,
      fx.tenants.a,
      'Doomed driver',
    ]);
    return { url: `/v1/drivers/${id}`, subject: { tenant: 'a', driver: id } };
  },
};
