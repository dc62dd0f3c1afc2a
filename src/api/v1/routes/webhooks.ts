// Webhook endpoints, delivery log and replay (owner: api).
import type { RouteSpec } from '../types.ts';

export const webhookRoutes: RouteSpec[] = [];
