// Matrix probes for src/api/v1/routes/live.ts: one per route.
import type { Fixture } from './types.ts';

export const liveFixtures: Record<string, Fixture> = {};
