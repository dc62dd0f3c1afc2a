// Model registry: metrics, versions, champion/challenger and promote (owner: risk).
import type { RouteSpec } from '../types.ts';

export const modelRoutes: RouteSpec[] = [];
