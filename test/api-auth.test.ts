// Sessions and credentials on the real app and database: access-token expiry, refresh rotation and reuse
// detection, logout, lockout, API key revocation, the audit trail, and secrets kept out of logs and answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ensureAdmin } from '../src/api/v1/index.ts';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { authenticateDevice } from '../src/store/index.ts';
import { inject, login, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');
const MIN_MS = 60_000;

if (targets.length === 0) test.skip(`API sessions and credentials: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  describe(`API sessions and credentials on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    /** Secrets created in the tests below, added to the seed's. */
    const secrets: string[] = [];
    const bodies: string[] = [];
    const call = async (...args: Parameters<typeof inject> extends [unknown, ...infer R] ? R : never) => {
      const r = await inject(t, ...args);
      bodies.push(r.text);
      return r;
    };
    const bearer = (token: string) => `Bearer ${token}`;
    /** Runs with the clock moved; puts it back so the seed's tokens stay fresh for the other tests. */
    const timeTravel = async (fn: () => Promise<void>) => {
      const start = t.clock.nowMs;
      try {
        await fn();
      } finally {
        t.clock.nowMs = start;
      }
    };
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, SECRET);
      fx = await seed(t);
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('an access token works until it expires, then a refresh gives a working one', () =>
      timeTravel(async () => {
        const a = fx.accounts.analystA;
        const s = await login(t, a.tenant, a.email, a.password);
        secrets.push(s.accessToken, s.refreshToken);
        assert.equal((await call('GET', '/v1/me', { auth: bearer(s.accessToken) })).status, 200);
        t.clock.advance(15 * MIN_MS + 1000);
        const expired = await call('GET', '/v1/me', { auth: bearer(s.accessToken) });
        assert.equal(expired.status, 401);
        assert.equal(expired.headers['content-type'], 'application/problem+json; charset=utf-8');
        const r = await call('POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
        assert.equal(r.status, 200);
        secrets.push(r.body.accessToken as string, r.body.refreshToken as string);
        const me = await call('GET', '/v1/me', { auth: bearer(r.body.accessToken as string) });
        assert.equal(me.status, 200);
        assert.equal(me.body.email, a.email);
        assert.equal(me.body.role, 'analyst');
      }));

    test('refresh rotates; replaying a rotated token revokes the whole family', async () => {
      const a = fx.accounts.driverA1;
      const s = await login(t, a.tenant, a.email, a.password);
      const r1 = await call('POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
      assert.equal(r1.status, 200);
      assert.notEqual(r1.body.refreshToken, s.refreshToken);
      const r2 = await call('POST', '/v1/auth/refresh', { body: { refreshToken: r1.body.refreshToken } });
      assert.equal(r2.status, 200);
      secrets.push(s.refreshToken, r1.body.refreshToken as string, r2.body.refreshToken as string);
      // The first token again: someone holds a copy; the family ends, including the newest token.
      const replay = await call('POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
      assert.equal(replay.status, 401);
      const newest = await call('POST', '/v1/auth/refresh', { body: { refreshToken: r2.body.refreshToken } });
      assert.equal(newest.status, 401);
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refresh_reuse' AND tenant_id = $1`,
        [a.tenant],
      );
      assert.equal(rows[0]!.n, 1);
      // Another session of the same user is untouched.
      assert.equal(
        (await call('POST', '/v1/auth/refresh', { body: { refreshToken: a.refreshToken } })).status,
        200,
      );
    });

    test('logout revokes the session; refresh tokens expire', () =>
      timeTravel(async () => {
        const a = fx.accounts.analystA;
        const s = await login(t, a.tenant, a.email, a.password);
        assert.equal(
          (await call('POST', '/v1/auth/logout', { body: { refreshToken: s.refreshToken } })).status,
          204,
        );
        assert.equal(
          (await call('POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })).status,
          401,
        );
        const s2 = await login(t, a.tenant, a.email, a.password);
        secrets.push(s.refreshToken, s2.refreshToken);
        t.clock.advance(31 * 24 * 60 * MIN_MS);
        assert.equal(
          (await call('POST', '/v1/auth/refresh', { body: { refreshToken: s2.refreshToken } })).status,
          401,
        );
        assert.equal(
          (await call('POST', '/v1/auth/refresh', { body: { refreshToken: 'oubi_rt_made-up' } })).status,
          401,
        );
      }));

    test('five wrong passwords lock the account for 15 minutes, even against the right one', () =>
      timeTravel(async () => {
        const a = fx.accounts.driverA2;
        const wrong = { tenant: a.tenant, email: a.email, password: 'not-the-password' };
        // Failures below the limit are forgotten after a success.
        for (let i = 0; i < 4; i++)
          assert.equal((await call('POST', '/v1/auth/login', { body: wrong })).status, 401);
        await login(t, a.tenant, a.email, a.password);
        for (let i = 0; i < 5; i++)
          assert.equal((await call('POST', '/v1/auth/login', { body: wrong })).status, 401);
        const right = { tenant: a.tenant, email: a.email.toUpperCase(), password: a.password };
        const locked = await call('POST', '/v1/auth/login', { body: right });
        assert.equal(locked.status, 423);
        assert.equal(locked.body.code, 'account_locked');
        t.clock.advance(15 * MIN_MS + 1000);
        assert.equal((await call('POST', '/v1/auth/login', { body: right })).status, 200);
        const { rows } = await t.db.query(
          `SELECT action FROM audit_log WHERE action IN ('auth.lockout', 'auth.login_locked') ORDER BY id`,
        );
        assert.deepEqual(
          rows.map((r) => r.action),
          ['auth.lockout', 'auth.login_locked'],
        );
      }));

    test('unknown email, wrong tenant and wrong password answer the same', async () => {
      const a = fx.accounts.analystA;
      const answers = await Promise.all(
        [
          { tenant: a.tenant, email: 'nobody@a.example', password: a.password },
          { tenant: fx.tenants.b, email: a.email, password: a.password },
          { tenant: a.tenant, email: a.email, password: `${a.password}x` },
        ].map((body) => call('POST', '/v1/auth/login', { body })),
      );
      assert.deepEqual(
        answers.map((r) => [r.status, r.body.title]),
        answers.map(() => [401, 'invalid tenant, email or password']),
      );
    });

    test('an API key works, records its last use, and stops at once when revoked', async () => {
      const admin = bearer(fx.accounts.adminA.accessToken);
      const created = await call('POST', '/v1/api-keys', {
        auth: admin,
        body: { name: 'broker', scopes: ['trips:read'] },
      });
      assert.equal(created.status, 201);
      const key = created.body.key as string;
      secrets.push(key, key.split('.')[1]!);
      assert.match(key, /^oubi_pk_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]{43}$/);
      const trips = await call('GET', '/v1/trips', { auth: `ApiKey ${key}` });
      assert.equal(trips.status, 200);
      const listed = await call('GET', '/v1/api-keys', { auth: admin });
      const mine = (listed.body.items as Array<Record<string, unknown>>).find(
        (k) => k.id === created.body.id,
      )!;
      assert.equal(mine.lastUsedAtMs, t.clock.nowMs);
      assert.equal('key' in mine, false);
      const revoked = await call('POST', `/v1/api-keys/${created.body.id}/revoke`, { auth: admin });
      assert.equal(revoked.status, 200);
      assert.equal((await call('GET', '/v1/trips', { auth: `ApiKey ${key}` })).status, 401);
      // Another tenant's admin can neither see nor revoke it.
      const other = await call('POST', `/v1/api-keys/${created.body.id}/revoke`, {
        auth: bearer(fx.accounts.adminB.accessToken),
      });
      assert.equal(other.status, 404);
    });

    test('rotating a key: the new key works at once, the old one until the grace period ends', async () => {
      const admin = bearer(fx.accounts.adminA.accessToken);
      const created = await call('POST', '/v1/api-keys', {
        auth: admin,
        body: { name: 'tpa', scopes: ['trips:read'] },
      });
      const oldKey = `ApiKey ${created.body.key}`;
      const rotated = await call('POST', `/v1/api-keys/${created.body.id}/rotate`, {
        auth: admin,
        body: { graceMs: 10 * MIN_MS },
      });
      assert.equal(rotated.status, 201);
      const newKey = `ApiKey ${rotated.body.key}`;
      secrets.push(created.body.key as string, rotated.body.key as string);
      assert.deepEqual(rotated.body.scopes, ['trips:read']);
      assert.equal((await call('GET', '/v1/trips', { auth: oldKey })).status, 200);
      await timeTravel(async () => {
        t.clock.advance(10 * MIN_MS);
        assert.equal((await call('GET', '/v1/trips', { auth: oldKey })).status, 401);
        assert.equal((await call('GET', '/v1/trips', { auth: newKey })).status, 200);
      });
      // Without a grace period (and without a body) the old key stops at once; a revoked key cannot be rotated.
      const again = await call('POST', `/v1/api-keys/${rotated.body.id}/rotate`, { auth: admin });
      assert.equal(again.status, 201);
      secrets.push(again.body.key as string);
      assert.equal((await call('GET', '/v1/trips', { auth: newKey })).status, 401);
      assert.equal(
        (await call('POST', `/v1/api-keys/${rotated.body.id}/rotate`, { auth: admin })).status,
        404,
      );
      const { rows } = await t.db.query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id`, [
        created.body.id,
      ]);
      assert.deepEqual(
        rows.map((r) => r.action),
        ['api_key.create', 'api_key.rotate'],
      );
    });

    test('staff and partner reads of personal data are audited; a driver reading their own is not', async () => {
      const count = async () =>
        (
          await t.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM audit_log WHERE action = 'driver.read' AND subject_id = $1`,
            [fx.drivers.a1],
          )
        ).rows[0]!.n;
      const before = await count();
      const url = `/v1/drivers/${fx.drivers.a1}`;
      assert.equal((await call('GET', url, { auth: bearer(fx.accounts.driverA1.accessToken) })).status, 200);
      assert.equal(await count(), before);
      assert.equal((await call('GET', url, { auth: bearer(fx.accounts.analystA.accessToken) })).status, 200);
      assert.equal((await call('GET', url, { auth: `ApiKey ${fx.keys['drivers:read']}` })).status, 200);
      assert.equal(await count(), before + 2);
      const { rows } = await t.db.query(
        `SELECT actor_kind, request_id FROM audit_log WHERE action = 'driver.read' AND subject_id = $1 ORDER BY id`,
        [fx.drivers.a1],
      );
      assert.deepEqual(
        rows.slice(-2).map((r) => r.actor_kind),
        ['user', 'api_key'],
      );
      assert.ok(rows.every((r) => typeof r.request_id === 'string'));
      // A refused read is not a read.
      await call('GET', url, { auth: bearer(fx.accounts.adminB.accessToken) });
      assert.equal(await count(), before + 2);
    });

    test('a registered device gets a working ingest credential, shown once', async () => {
      const r = await call('POST', '/v1/devices', {
        auth: bearer(fx.accounts.adminA.accessToken),
        body: {
          driverId: fx.drivers.a2,
          kind: 'teltonika',
          externalId: `3560${randomBytes(5).toString('hex')}`,
        },
      });
      assert.equal(r.status, 201);
      const token = r.body.token as string;
      secrets.push(token, token.split('.')[1]!);
      const device = await authenticateDevice(t.db, token);
      assert.equal(device?.driverId, fx.drivers.a2);
      assert.equal(device?.tenantId, fx.tenants.a);
      const dup = await call('POST', '/v1/devices', {
        auth: bearer(fx.accounts.adminA.accessToken),
        body: { driverId: fx.drivers.a2, kind: 'teltonika', externalId: r.body.externalId },
      });
      assert.equal(dup.status, 409);
    });

    test('users: email unique per tenant, a driver user needs a driver of the tenant, weak passwords refused', async () => {
      const auth = bearer(fx.accounts.adminA.accessToken);
      const password = `pw-${randomBytes(8).toString('hex')}`;
      secrets.push(password);
      const cases: Array<[unknown, number]> = [
        [{ email: fx.accounts.analystA.email.toUpperCase(), password, role: 'analyst' }, 409],
        [{ email: 'x@a.example', password, role: 'driver' }, 400],
        [{ email: 'y@a.example', password, role: 'driver', driverId: fx.drivers.b1 }, 404],
        [{ email: 'z@a.example', password, role: 'analyst', driverId: fx.drivers.a1 }, 400],
        [{ email: 'w@a.example', password: 'short', role: 'analyst' }, 400],
        [{ email: 'not-an-email', password, role: 'analyst' }, 400],
        [{ email: 'v@a.example', password, role: 'superuser' }, 400],
      ];
      for (const [body, status] of cases) {
        const r = await call('POST', '/v1/users', { auth, body });
        assert.equal(r.status, status, `${JSON.stringify(body)} → ${r.text}`);
        assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
      }
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS n FROM users WHERE email LIKE '_@a.example'`,
      );
      assert.equal(rows[0]!.n, 0);
    });

    test('ensureAdmin creates the first admin once and never resets a password', async () => {
      const tenantId = `fresh-${randomBytes(3).toString('hex')}`;
      const p1 = `first-${randomBytes(8).toString('hex')}`;
      const p2 = `second-${randomBytes(8).toString('hex')}`;
      secrets.push(p1, p2);
      const a = await ensureAdmin(t.db, { tenantId, email: 'Root@Fresh.example', password: p1 });
      assert.equal(a.created, true);
      assert.equal(a.user.role, 'admin');
      const b = await ensureAdmin(t.db, { tenantId, email: 'root@fresh.example', password: p2 });
      assert.deepEqual(b, { created: false, user: a.user });
      await login(t, tenantId, 'root@fresh.example', p1);
      const r = await call('POST', '/v1/auth/login', {
        body: { tenant: tenantId, email: 'root@fresh.example', password: p2 },
      });
      assert.equal(r.status, 401);
    });

    test('no secret ever appears in a log line or an answer', async () => {
      const all = [...fx.secrets, ...secrets];
      assert.ok(all.length > 30, 'the secrets were collected');
      // The capture works: refused requests above were logged.
      assert.ok(t.logs.some((l) => l.includes('"status":401')));
      for (const s of all) {
        const inLog = t.logs.find((l) => l.includes(s));
        assert.equal(inLog, undefined, 'a secret was logged');
      }
      // Answers carry tokens only where they are issued; never a password or a stored hash.
      const passwords = all.filter((s) => s.startsWith('pw-') || /^(first|second)-/.test(s));
      for (const b of bodies) {
        for (const p of passwords) assert.equal(b.includes(p), false, 'a password was echoed');
        assert.equal(/scrypt\$|password_?hash|secret_?hash|token_?hash/i.test(b), false, b);
      }
    });
  });
}
