// Portfolio analytics for insurer staff: KPIs, distributions, events over time, event density (owner: risk).
import type { RouteSpec } from '../types.ts';

export const portfolioRoutes: RouteSpec[] = [];
