// Matrix probes for src/api/v1/routes/achievements.ts: one per route.
import type { Fixture } from './types.ts';

export const achievementFixtures: Record<string, Fixture> = {
  'GET /v1/drivers/:id/achievements': async (fx) => ({
    url: `/v1/drivers/${fx.drivers.a1}/achievements`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'PUT /v1/drivers/:id/leaderboard': async (fx) => ({
    url: `/v1/drivers/${fx.drivers.a1}/leaderboard`,
    body: { optIn: true },
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  // Aliases only, always the caller's own tenant: every allowed caller gets an answer.
  'GET /v1/leaderboard': async () => ({ url: '/v1/leaderboard', subject: null }),
};
