// Matrix probes for src/api/v1/routes/map.ts: one per route.
import type { Fixture } from './types.ts';

export const mapFixtures: Record<string, Fixture> = {
  // The road network is shared reference data (no tenant, no person).
  'GET /v1/map/roads': async () => ({ url: '/v1/map/roads?bbox=1.4,42.4,1.8,42.7', subject: null }),
  'GET /v1/trips/:id/map': async (fx) => ({
    url: `/v1/trips/${fx.trips.a1}/map`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/events/:id/evidence': async (fx) => ({
    url: `/v1/events/${fx.trips.a1}-e0/evidence`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/drivers/:id/crash-candidates': async (fx) => ({
    url: `/v1/drivers/${fx.drivers.a1}/crash-candidates`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
};
