// Matrix probes for src/api/v1/routes/privacy.ts: one per route.
import type { Fixture } from './types.ts';

export const privacyFixtures: Record<string, Fixture> = {};
