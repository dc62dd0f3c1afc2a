// Matrix probes for src/api/v1/routes/map.ts: one per route.
import type { Fixture } from './types.ts';

export const mapFixtures: Record<string, Fixture> = {};
