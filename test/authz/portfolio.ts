// Matrix probes for src/api/v1/routes/portfolio.ts: one per route (tenant aggregates, staff and models:read).
import type { Fixture } from './types.ts';

const tenantWide =
  (url: string): Fixture =>
  async () => ({ url, subject: null });

export const portfolioFixtures: Record<string, Fixture> = {
  'GET /v1/portfolio/summary': tenantWide('/v1/portfolio/summary'),
  'GET /v1/portfolio/distributions': tenantWide('/v1/portfolio/distributions'),
  'GET /v1/portfolio/events': tenantWide('/v1/portfolio/events?days=7'),
  'GET /v1/portfolio/event-density': tenantWide('/v1/portfolio/event-density?resolution=7'),
};
