// Matrix probes for src/api/v1/routes/live.ts: `?once=1` makes a stream answer its snapshot and close.
import type { Fixture } from './types.ts';

export const liveFixtures: Record<string, Fixture> = {
  'GET /v1/live/driver/:id': async (fx) => ({
    url: `/v1/live/driver/${fx.drivers.a1}?once=1`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/live/portfolio': async () => ({ url: '/v1/live/portfolio?once=1', subject: null }),
};
