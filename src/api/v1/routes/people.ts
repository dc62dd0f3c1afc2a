// Drivers, users and devices of the caller's tenant.
import { type Static, Type } from '@sinclair/typebox';
import { registerDevice } from '../../../store/index.ts';
import { createUser } from '../accounts.ts';
import { randomId } from '../crypto.ts';
import { conflict, isUniqueViolation, notFound } from '../errors.ts';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_LIMIT } from '../pagination.ts';
import { ROLES, route, type RouteSpec, scopeOf } from '../types.ts';

interface DriverRow {
  id: string;
  external_ref: string | null;
  display_name: string;
  birth_year: number | null;
  created_at: Date;
}

const driverView = (r: DriverRow) => ({
  id: r.id,
  externalRef: r.external_ref,
  displayName: r.display_name,
  birthYear: r.birth_year,
  createdAtMs: r.created_at.getTime(),
});

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const NewDriver = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    externalRef: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
  },
  { additionalProperties: false },
);
const NewUser = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    driverId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
const NewDevice = Type.Object(
  {
    driverId: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.Optional(
      Type.Union([Type.Literal('phone'), Type.Literal('teltonika'), Type.Literal('osmand')]),
    ),
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const peopleRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/drivers',
    summary: "the tenant's drivers, by id, cursor-paginated",
    access: { roles: ['analyst', 'admin'], scope: 'drivers:read' },
    status: 200,
    audit: 'drivers.list',
    schema: { querystring: ListQuery },
    handler: async ({ req, principal, s, audit }) => {
      const q = req.query as Static<typeof ListQuery>;
      const limit = q.limit ?? DEFAULT_LIMIT;
      const after = q.cursor ? (decodeCursor(q.cursor, ['string'])[0] as string) : null;
      const { rows } = await s.db.query<DriverRow>(
        `SELECT * FROM drivers WHERE tenant_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
        [principal.tenantId, after, limit + 1],
      );
      const page = rows.slice(0, limit);
      audit('tenant', principal.tenantId);
      return {
        items: page.map(driverView),
        nextCursor: rows.length > limit ? encodeCursor([page[page.length - 1]!.id]) : null,
      };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/drivers/:id',
    summary: 'one driver (a driver user: only their own)',
    access: { roles: ROLES, scope: 'drivers:read' },
    status: 200,
    audit: 'driver.read',
    schema: { params: IdParam },
    handler: async ({ req, principal, s, audit }) => {
      const { id } = req.params as Static<typeof IdParam>;
      const sc = scopeOf(principal);
      const { rows } = await s.db.query<DriverRow>(
        `SELECT * FROM drivers WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR id = $3)`,
        [id, sc.tenantId, sc.driverId],
      );
      if (!rows[0]) throw notFound(`driver ${id}`);
      audit('driver', id);
      return driverView(rows[0]);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/drivers',
    summary: 'create a driver',
    access: { roles: ['admin'], scope: 'drivers:write' },
    status: 201,
    schema: { body: NewDriver },
    handler: async ({ req, principal, s }) => {
      const b = req.body as Static<typeof NewDriver>;
      try {
        const { rows } = await s.db.query<DriverRow>(
          `INSERT INTO drivers (id, tenant_id, external_ref, display_name, birth_year)
           VALUES ($1, $2, $3, $4, $5) RETURNING *`,
          [randomId('drv'), principal.tenantId, b.externalRef ?? null, b.displayName, b.birthYear ?? null],
        );
        return driverView(rows[0]!);
      } catch (e) {
        if (isUniqueViolation(e))
          throw conflict(`externalRef: a driver with ${b.externalRef} already exists`);
        throw e;
      }
    },
  }),
  route({
    method: 'POST',
    url: '/v1/users',
    summary: 'create a user; a driver user is linked to a driver of the tenant',
    access: { roles: ['admin'], scope: null },
    status: 201,
    audit: 'user.create',
    schema: { body: NewUser },
    handler: async ({ req, principal, s, audit }) => {
      const b = req.body as Static<typeof NewUser>;
      const u = await createUser(s.db, {
        tenantId: principal.tenantId,
        email: b.email,
        password: b.password,
        role: b.role,
        driverId: b.driverId ?? null,
      });
      audit('user', u.id);
      return u;
    },
  }),
  route({
    method: 'POST',
    url: '/v1/devices',
    summary: "register a driver's device; the ingest credential is in the answer, once",
    access: { roles: ['admin'], scope: 'devices:write' },
    status: 201,
    audit: 'device.create',
    schema: { body: NewDevice },
    handler: async ({ req, principal, s, audit }) => {
      const b = req.body as Static<typeof NewDevice>;
      const d = await s.db.query('SELECT 1 FROM drivers WHERE id = $1 AND tenant_id = $2', [
        b.driverId,
        principal.tenantId,
      ]);
      if (d.rowCount === 0) throw notFound(`driver ${b.driverId}`);
      audit('driver', b.driverId);
      try {
        return await registerDevice(s.db, {
          tenantId: principal.tenantId,
          kind: b.kind ?? 'phone',
          driverId: b.driverId,
          externalId: b.externalId ?? null,
        });
      } catch (e) {
        if (isUniqueViolation(e))
          throw conflict(`externalId: a ${b.kind} device ${b.externalId} already exists`);
        throw e;
      }
    },
  }),
];
