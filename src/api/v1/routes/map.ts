// Road geometry for the dashboard's offline base map (owner: dashboard).
import type { RouteSpec } from '../types.ts';

export const mapRoutes: RouteSpec[] = [];
