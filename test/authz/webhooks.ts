// Matrix probes for src/api/v1/routes/webhooks.ts: one per route.
import type { Fixture } from './types.ts';

export const webhookFixtures: Record<string, Fixture> = {};
