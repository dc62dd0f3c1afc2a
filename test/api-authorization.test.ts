// The authorization matrix, generated from the route table: every route × every kind of caller → the status
// the route's declaration implies, and list routes show another driver's or tenant's data to nobody.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  type Role,
  type RouteSpec,
  routeId,
  routeTable,
  type Scope,
  SCOPES,
  signAccessToken,
} from '../src/api/v1/index.ts';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { inject, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';
import { achievementFixtures } from './authz/achievements.ts';
import { coreFixtures } from './authz/core.ts';
import { disputeFixtures } from './authz/disputes.ts';
import { docFixtures } from './authz/docs.ts';
import { liveFixtures } from './authz/live.ts';
import { mapFixtures } from './authz/map.ts';
import { modelFixtures } from './authz/models.ts';
import { portfolioFixtures } from './authz/portfolio.ts';
import { pricingFixtures } from './authz/pricing.ts';
import { privacyFixtures } from './authz/privacy.ts';
import { type Fixture, ids, type Probe } from './authz/types.ts';
import { webhookFixtures } from './authz/webhooks.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');

type Caller =
  | { name: string; kind: 'invalid'; auth: string | undefined }
  | { name: string; kind: 'user'; auth: string; tenant: 'a' | 'b'; role: Role; driver: string | null }
  | { name: string; kind: 'key'; auth: string; tenant: 'a' | 'b'; scopes: readonly Scope[] };

/** One probe per route (each module's file); the matrix test fails if a route has none. */
const fixtures: Record<string, Fixture> = {
  ...coreFixtures,
  ...modelFixtures,
  ...pricingFixtures,
  ...disputeFixtures,
  ...privacyFixtures,
  ...webhookFixtures,
  ...liveFixtures,
  ...mapFixtures,
  ...portfolioFixtures,
  ...achievementFixtures,
  ...docFixtures,
};

function callers(fx: Seed, nowMs: number): Caller[] {
  const acc = fx.accounts;
  const nowS = Math.floor(nowMs / 1000);
  const claims = { sub: 'x', tid: fx.tenants.a, role: 'admin' as const, did: null };
  const [h, p, sig] = acc.driverA2.accessToken.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const escalated = Buffer.from(JSON.stringify({ ...payload, role: 'admin', did: null })).toString(
    'base64url',
  );
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const user = (name: string, a: typeof acc.adminA, tenant: 'a' | 'b', role: Role, driver: string | null) =>
    ({ name, kind: 'user', auth: `Bearer ${a.accessToken}`, tenant, role, driver }) as const;
  return [
    { name: 'anonymous', kind: 'invalid', auth: undefined },
    { name: 'garbage bearer', kind: 'invalid', auth: 'Bearer not-a-token' },
    { name: 'unknown scheme', kind: 'invalid', auth: `Basic ${Buffer.from('a:b').toString('base64')}` },
    { name: 'tampered token (role escalated)', kind: 'invalid', auth: `Bearer ${h}.${escalated}.${sig}` },
    { name: 'alg=none token', kind: 'invalid', auth: `Bearer ${none}.${escalated}.` },
    {
      name: 'expired token',
      kind: 'invalid',
      auth: `Bearer ${signAccessToken(SECRET, { ...claims, iat: nowS - 3600, exp: nowS - 60 })}`,
    },
    {
      name: 'token signed with another secret',
      kind: 'invalid',
      auth: `Bearer ${signAccessToken(randomBytes(32).toString('hex'), { ...claims, iat: nowS, exp: nowS + 600 })}`,
    },
    user('driver (own)', acc.driverA1, 'a', 'driver', fx.drivers.a1),
    user('driver (other)', acc.driverA2, 'a', 'driver', fx.drivers.a2),
    user('analyst', acc.analystA, 'a', 'analyst', null),
    user('admin', acc.adminA, 'a', 'admin', null),
    user('admin of another tenant', acc.adminB, 'b', 'admin', null),
    ...SCOPES.map((s) => ({
      name: `API key [${s}]`,
      kind: 'key' as const,
      auth: `ApiKey ${fx.keys[s]}`,
      tenant: 'a' as const,
      scopes: [s],
    })),
    {
      name: 'API key of another tenant',
      kind: 'key',
      auth: `ApiKey ${fx.keys.allB}`,
      tenant: 'b',
      scopes: SCOPES,
    },
    { name: 'expired API key', kind: 'invalid', auth: `ApiKey ${fx.keys.expiredA}` },
    { name: 'revoked API key', kind: 'invalid', auth: `ApiKey ${fx.keys.revokedA}` },
    { name: 'API key with a wrong secret', kind: 'invalid', auth: `ApiKey ${fx.keys.tamperedA}` },
  ];
}

/** What the route's declaration and the probe's subject imply; `visible` for list routes. */
function expected(spec: RouteSpec, c: Caller, probe: Probe): { status: number; visible: boolean } {
  if (spec.access === 'public') return { status: spec.status, visible: true };
  if (c.kind === 'invalid') return { status: 401, visible: false };
  const allowed =
    c.kind === 'user'
      ? spec.access.roles.includes(c.role)
      : spec.access.scope === 'any' || (spec.access.scope !== null && c.scopes.includes(spec.access.scope));
  if (!allowed) return { status: 403, visible: false };
  const s = probe.subject;
  const sees =
    !s || (s.tenant === c.tenant && !(c.kind === 'user' && c.role === 'driver' && s.driver !== c.driver));
  if (probe.contains) return { status: spec.status, visible: sees };
  return { status: sees ? spec.status : 404, visible: sees };
}

if (targets.length === 0) test.skip(`API authorization matrix: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  describe(`API authorization matrix on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, SECRET);
      fx = await seed(t);
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('every route in the table is registered, and every registered /v1 route is in the table and matrix', () => {
      const table = routeTable.map(routeId).sort();
      assert.deepEqual([...t.routes].sort(), table);
      assert.deepEqual(Object.keys(fixtures).sort(), table);
    });

    test('every route × caller answers the status its declaration implies', async () => {
      const failures: string[] = [];
      let cells = 0;
      for (const spec of routeTable) {
        const fixture = fixtures[routeId(spec)];
        assert.ok(fixture, `no matrix fixture for ${routeId(spec)}`);
        for (const c of callers(fx, t.clock.nowMs)) {
          const probe = await fixture(fx, t);
          const want = expected(spec, c, probe);
          const r = await inject(t, spec.method, probe.url, { auth: c.auth, body: probe.body });
          cells++;
          const where = `${routeId(spec)} as ${c.name}`;
          if (r.status !== want.status)
            failures.push(`${where}: ${r.status} (want ${want.status}) ${r.text}`);
          else if (
            r.status >= 400 &&
            !String(r.headers['content-type']).startsWith('application/problem+json')
          )
            failures.push(`${where}: error is not problem+json`);
          else if (probe.contains && r.status === 200 && probe.contains(r.body) !== want.visible)
            failures.push(`${where}: subject ${want.visible ? 'missing from' : 'leaked into'} the list`);
        }
      }
      assert.deepEqual(failures.slice(0, 8), [], `${failures.length} failing cells`);
      assert.equal(cells, routeTable.length * callers(fx, t.clock.nowMs).length);
    });

    test('a driver listing trips sees only their own, even when asking for another driver', async () => {
      const auth = `Bearer ${fx.accounts.driverA1.accessToken}`;
      const all = await inject(t, 'GET', '/v1/trips', { auth });
      assert.deepEqual(ids(all.body), [fx.trips.a1]);
      const other = await inject(t, 'GET', `/v1/trips?driverId=${fx.drivers.a2}`, { auth });
      assert.deepEqual(ids(other.body), []);
    });

    test('an analyst lists the tenant’s trips, never another tenant’s', async () => {
      const r = await inject(t, 'GET', '/v1/trips', { auth: `Bearer ${fx.accounts.analystA.accessToken}` });
      assert.deepEqual(ids(r.body).sort(), [fx.trips.a1, fx.trips.a2].sort());
      const events = await inject(t, 'GET', `/v1/trips/${fx.trips.b1}/events`, {
        auth: `Bearer ${fx.accounts.analystA.accessToken}`,
      });
      assert.equal(events.status, 404);
    });
  });
}
