// Matrix probes for src/api/v1/routes/pricing.ts: one per route.
import type { Fixture } from './types.ts';

export const pricingFixtures: Record<string, Fixture> = {};
