// Every /v1 route with who may call it: the plugin registers exactly these, the authorization matrix tests them.
import { authRoutes } from './routes/auth.ts';
import { peopleRoutes } from './routes/people.ts';
import { tripRoutes } from './routes/trips.ts';
import type { RouteSpec } from './types.ts';

export const routeTable: readonly RouteSpec[] = [...authRoutes, ...peopleRoutes, ...tripRoutes];

export const routeId = (r: Pick<RouteSpec, 'method' | 'url'>): string => `${r.method} ${r.url}`;
