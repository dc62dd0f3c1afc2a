// Who is calling (a user or a partner key), what the plugin needs, and how a route declares its access.
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../../store/index.ts';
import type { RateLimitConfig } from '../rate-limit.ts';
import type { Role } from './crypto.ts';

export type { Role };
export const ROLES: readonly Role[] = ['driver', 'analyst', 'admin'];
export const STAFF: readonly Role[] = ['analyst', 'admin'];

export const SCOPES = [
  'trips:read',
  'drivers:read',
  'drivers:write',
  'devices:write',
  'policies:read',
  'policies:write',
  'quotes:read',
  'disputes:read',
  'models:read',
  'webhooks:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

export type Principal =
  | { kind: 'user'; id: string; tenantId: string; role: Role; driverId: string | null }
  | { kind: 'api_key'; id: string; tenantId: string; scopes: Scope[] };

export interface V1Deps {
  db: Db;
  logger: Logger;
  /** HMAC key of access tokens; at least 32 characters. */
  jwtSecret: string;
  now?: () => number;
  accessTtlMs?: number;
  refreshTtlMs?: number;
  maxFailedLogins?: number;
  lockoutMs?: number;
  /** Token-bucket limits per user, API key and anonymous IP (per process); null: unlimited. */
  rateLimits?: RateLimitConfig | null;
  /** Webhook secrets' encryption key (base64, 32 bytes); null: generated once, kept in the settings table. */
  webhookSecretKey?: string | null;
}

export type Settings = Required<V1Deps>;

/** Who may call: users with one of `roles`; API keys holding `scope` ('any': every valid key; null: none). */
export interface Access {
  roles: readonly Role[];
  scope: Scope | 'any' | null;
}

export interface Ctx<P extends Principal | null> {
  req: FastifyRequest;
  reply: FastifyReply;
  principal: P;
  s: Settings;
  /** Records that the caller read or changed this subject's personal data (written for staff and keys). */
  audit(subjectType: string, subjectId: string | null): void;
}

interface RouteBase {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  /** Success status. */
  status: number;
  schema?: FastifySchema;
  /** The audit action written when staff or a partner key read personal data or change people and credentials. */
  audit?: string;
}

export interface PublicRoute extends RouteBase {
  access: 'public';
  handler(ctx: Ctx<null>): Promise<unknown>;
}

export interface ProtectedRoute extends RouteBase {
  access: Access;
  handler(ctx: Ctx<Principal>): Promise<unknown>;
}

export type RouteSpec = PublicRoute | ProtectedRoute;

/** The rows a caller may see: always their tenant; a driver only their own driver's. */
export function scopeOf(p: Principal): { tenantId: string; driverId: string | null } {
  return { tenantId: p.tenantId, driverId: p.kind === 'user' && p.role === 'driver' ? p.driverId : null };
}

// Identity helpers that give each route's handler its context type.
export const publicRoute = (r: PublicRoute): RouteSpec => r;
export const route = (r: ProtectedRoute): RouteSpec => r;
