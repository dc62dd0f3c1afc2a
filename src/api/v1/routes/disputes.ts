// Disputes of trips and events: filed by drivers, reviewed by staff, re-scored and re-priced (owner: pricing).
import type { RouteSpec } from '../types.ts';

export const disputeRoutes: RouteSpec[] = [];
