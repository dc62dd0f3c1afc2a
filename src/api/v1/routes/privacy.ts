// Consents per purpose, export my data, delete my data (owner: api).
import type { RouteSpec } from '../types.ts';

export const privacyRoutes: RouteSpec[] = [];
