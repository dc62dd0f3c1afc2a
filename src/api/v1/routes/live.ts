// Live updates over server-sent events (owner: api).
import type { RouteSpec } from '../types.ts';

export const liveRoutes: RouteSpec[] = [];
