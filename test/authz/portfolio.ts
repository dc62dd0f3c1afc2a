// Matrix probes for src/api/v1/routes/portfolio.ts: one per route.
import type { Fixture } from './types.ts';

export const portfolioFixtures: Record<string, Fixture> = {};
