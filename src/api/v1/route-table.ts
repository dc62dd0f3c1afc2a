// Every /v1 route with who may call it: the plugin registers exactly these, the authorization matrix tests them.
import { achievementRoutes } from './routes/achievements.ts';
import { authRoutes } from './routes/auth.ts';
import { disputeRoutes } from './routes/disputes.ts';
import { docRoutes } from './routes/docs.ts';
import { liveRoutes } from './routes/live.ts';
import { mapRoutes } from './routes/map.ts';
import { modelRoutes } from './routes/models.ts';
import { peopleRoutes } from './routes/people.ts';
import { portfolioRoutes } from './routes/portfolio.ts';
import { pricingRoutes } from './routes/pricing.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { tripRoutes } from './routes/trips.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import type { RouteSpec } from './types.ts';

export const routeTable: readonly RouteSpec[] = [
  ...authRoutes,
  ...peopleRoutes,
  ...tripRoutes,
  ...modelRoutes,
  ...pricingRoutes,
  ...disputeRoutes,
  ...privacyRoutes,
  ...webhookRoutes,
  ...liveRoutes,
  ...mapRoutes,
  ...portfolioRoutes,
  ...achievementRoutes,
  ...docRoutes,
];

export const routeId = (r: Pick<RouteSpec, 'method' | 'url'>): string => `${r.method} ${r.url}`;
