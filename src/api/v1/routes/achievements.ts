// A driver's achievements: badges, streaks, leaderboard, tips (owner: dashboard).
import type { RouteSpec } from '../types.ts';

export const achievementRoutes: RouteSpec[] = [];
