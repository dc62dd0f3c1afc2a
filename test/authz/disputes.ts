// Matrix probes for src/api/v1/routes/disputes.ts: one per route.
import type { Fixture } from './types.ts';

export const disputeFixtures: Record<string, Fixture> = {};
