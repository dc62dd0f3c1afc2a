// Matrix probes for the foundation's routes (auth, people, trips).
import { createApiKey } from '../../src/api/v1/index.ts';
import { login } from '../api-seed.ts';
import { type Fixture, ids, uniq } from './types.ts';

export const coreFixtures: Record<string, Fixture> = {
  'POST /v1/auth/login': async (fx) => ({
    url: '/v1/auth/login',
    body: {
      tenant: fx.tenants.a,
      email: fx.accounts.analystA.email,
      password: fx.accounts.analystA.password,
    },
    subject: null,
  }),
  'POST /v1/auth/refresh': async (fx, t) => {
    const a = fx.accounts.analystA;
    const { refreshToken } = await login(t, a.tenant, a.email, a.password);
    return { url: '/v1/auth/refresh', body: { refreshToken }, subject: null };
  },
  'POST /v1/auth/logout': async (fx, t) => {
    const a = fx.accounts.analystA;
    const { refreshToken } = await login(t, a.tenant, a.email, a.password);
    return { url: '/v1/auth/logout', body: { refreshToken }, subject: null };
  },
  'GET /v1/me': async () => ({ url: '/v1/me', subject: null }),
  'POST /v1/api-keys': async () => ({
    url: '/v1/api-keys',
    body: { name: `k-${uniq()}`, scopes: ['trips:read'] },
    subject: null,
  }),
  'GET /v1/api-keys': async (fx, t) => {
    const k = await createApiKey(t.db, { tenantId: fx.tenants.a, name: 'listed', scopes: ['trips:read'] });
    return {
      url: '/v1/api-keys',
      subject: { tenant: 'a', driver: null },
      contains: (b) => ids(b).includes(k.id),
    };
  },
  'POST /v1/api-keys/:id/revoke': async (fx, t) => {
    const k = await createApiKey(t.db, { tenantId: fx.tenants.a, name: 'doomed', scopes: ['trips:read'] });
    return { url: `/v1/api-keys/${k.id}/revoke`, subject: { tenant: 'a', driver: null } };
  },
  'POST /v1/api-keys/:id/rotate': async (fx, t) => {
    const k = await createApiKey(t.db, { tenantId: fx.tenants.a, name: 'rotated', scopes: ['trips:read'] });
    return {
      url: `/v1/api-keys/${k.id}/rotate`,
      body: { graceMs: 60_000 },
      subject: { tenant: 'a', driver: null },
    };
  },
  'GET /v1/drivers': async (fx) => ({
    url: '/v1/drivers?limit=200',
    subject: { tenant: 'a', driver: fx.drivers.a1 },
    contains: (b) => ids(b).includes(fx.drivers.a1),
  }),
  'GET /v1/drivers/:id': async (fx) => ({
    url: `/v1/drivers/${fx.drivers.a1}`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'POST /v1/drivers': async () => ({
    url: '/v1/drivers',
    body: { displayName: 'New driver', externalRef: `ext-${uniq()}` },
    subject: null,
  }),
  'POST /v1/users': async (fx) => ({
    url: '/v1/users',
    body: {
      email: `u-${uniq()}@a.example`,
      password: `pw-${uniq()}-long`,
      role: 'driver',
      driverId: fx.drivers.a1,
    },
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'POST /v1/devices': async (fx) => ({
    url: '/v1/devices',
    body: { driverId: fx.drivers.a1 },
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/trips': async (fx) => ({
    url: '/v1/trips?limit=200',
    subject: { tenant: 'a', driver: fx.drivers.a1 },
    contains: (b) => ids(b).includes(fx.trips.a1),
  }),
  'GET /v1/trips/:id': async (fx) => ({
    url: `/v1/trips/${fx.trips.a1}`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
  'GET /v1/trips/:id/events': async (fx) => ({
    url: `/v1/trips/${fx.trips.a1}/events`,
    subject: { tenant: 'a', driver: fx.drivers.a1 },
  }),
};
