// Matrix probes for src/api/v1/routes/achievements.ts: one per route.
import type { Fixture } from './types.ts';

export const achievementFixtures: Record<string, Fixture> = {};
