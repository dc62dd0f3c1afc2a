// Consents per purpose, export my data and delete my data (owner: api).
import { type Static, Type } from '@sinclair/typebox';
import {
  CONSENT_PURPOSES,
  eraseDriver,
  exportDriverData,
  getConsents,
  setConsents,
} from '../../../services/privacy.ts';
import { badRequest, notFound } from '../errors.ts';
import { type Principal, ROLES, route, type RouteSpec, scopeOf, type Settings } from '../types.ts';

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const ConsentsBody = Type.Object(
  {
    consents: Type.Partial(
      Type.Object(Object.fromEntries(CONSENT_PURPOSES.map((p) => [p, Type.Boolean()])), {
        additionalProperties: false,
      }),
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);

/** 404 unless the caller may see this driver (their tenant; a driver only themselves). */
async function visibleDriver(s: Settings, p: Principal, id: string): Promise<void> {
  const sc = scopeOf(p);
  const { rowCount } = await s.db.query(
    'SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR id = $3)',
    [id, sc.tenantId, sc.driverId],
  );
  if (!rowCount) throw notFound(`driver ${id}`);
}

export const privacyRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/drivers/:id/consents',
    summary: "the driver's consent per purpose (telematics_scoring, marketing, leaderboard, research)",
    access: { roles: ROLES, scope: 'drivers:read' },
    status: 200,
    audit: 'consents.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      await visibleDriver(s, principal, id);
      audit('driver', id);
      return { driverId: id, items: await getConsents(s.db, id) };
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/drivers/:id/consents',
    summary: 'give or withdraw consents (the driver only: staff cannot consent for them)',
    access: { roles: ['driver'], scope: null },
    status: 200,
    schema: { params: IdParam, body: ConsentsBody },
    handler: async ({ req, principal, s }) => {
      const { id } = req.params as Static<typeof IdParam>;
      await visibleDriver(s, principal, id);
      const b = req.body as Static<typeof ConsentsBody>;
      // Unknown purposes are stripped by the schema (Fastify's removeAdditional): nothing left is an error.
      if (Object.keys(b.consents).length === 0)
        throw badRequest(`consents: give at least one of ${CONSENT_PURPOSES.join(', ')} as true or false`);
      return { driverId: id, items: await setConsents(s.db, principal.tenantId, id, b.consents) };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:id/export',
    summary:
      'export my data: every row naming the driver, their devices or users (credentials left out; raw sensor batches summarised)',
    access: { roles: ['driver', 'admin'], scope: null },
    status: 200,
    audit: 'driver.export',
    schema: { params: IdParam },
    handler: async ({ req, reply, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      await visibleDriver(s, principal, id);
      const data = await s.db.tx(async (c) => {
        await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        return exportDriverData(c, principal.tenantId, id, s.now());
      });
      if (!data) throw notFound(`driver ${id}`);
      audit('driver', id);
      reply.header('content-disposition', `attachment; filename="openubi-export-${id}.json"`);
      return data;
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/drivers/:id',
    summary:
      'delete my data: the driver, their trips, events, devices, users, policies and every other row naming them; the audit log keeps that it happened',
    access: { roles: ['driver', 'admin'], scope: null },
    status: 200,
    schema: { params: IdParam },
    handler: async ({ req, principal, s }) => {
      const { id } = req.params as Static<typeof IdParam>;
      await visibleDriver(s, principal, id);
      const receipt = await eraseDriver(s.db, principal.tenantId, id, principal, req.id);
      if (!receipt) throw notFound(`driver ${id}`);
      return { erased: true, ...receipt };
    },
  }),
];
