// Matrix probes for src/api/v1/routes/models.ts: one per route.
import type { Fixture } from './types.ts';

export const modelFixtures: Record<string, Fixture> = {};
