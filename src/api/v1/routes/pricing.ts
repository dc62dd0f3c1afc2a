// Vehicles, policies, rating plans, scores, quotes, PAYD statements and what-if (owner: pricing).
import type { RouteSpec } from '../types.ts';

export const pricingRoutes: RouteSpec[] = [];
