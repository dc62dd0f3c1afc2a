// Secrets never in logs, answers (after the one that hands them out) or the database in clear: passwords,
// refresh and access tokens, API keys, device credentials and webhook secrets, through success and failure paths
// of the API and the webhook dispatcher.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { V1TestApp } from '../src/api/v1/testing.ts';
import { publishEvent } from '../src/services/events.ts';
import { startWebhookDispatcher } from '../src/services/webhook-dispatcher.ts';
import { startApiApp, until } from './api-harness.ts';
import { inject, login, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');
if (targets.length === 0) test.skip(`secrets: ${missing.join('; ')}`, () => {});

for (const target of targets.slice(0, 1)) {
  describe('secrets stay secret', () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    const secrets: string[] = [];
    const answers: string[] = [];
    const dispatcherLogs: string[] = [];
    const admin = () => `Bearer ${fx.accounts.adminA.accessToken}`;
    const call = async (...args: Parameters<typeof inject> extends [unknown, ...infer R] ? R : never) => {
      const r = await inject(t, ...args);
      answers.push(r.text);
      return r;
    };

    before(async () => {
      tdb = await freshDatabase(target);
      t = await startApiApp(tdb.url, SECRET, {
        rateLimits: { userPerMin: 1000, apiKeyPerMin: 1000, anonymousPerMin: 1000 },
      });
      fx = await seed(t);
      secrets.push(...fx.secrets);

      // Hand out one of each credential (those answers are the one place a secret may appear)...
      const hook = await inject(t, 'POST', '/v1/webhooks', {
        auth: admin(),
        body: { url: 'http://127.0.0.1:9/never', eventTypes: ['trip.completed'] },
      });
      const rotated = await inject(t, 'PATCH', `/v1/webhooks/${hook.body.id}`, {
        auth: admin(),
        body: { rotateSecret: true },
      });
      const device = await inject(t, 'POST', '/v1/devices', {
        auth: admin(),
        body: { driverId: fx.drivers.a1 },
      });
      const key = await inject(t, 'POST', '/v1/api-keys', {
        auth: admin(),
        body: { name: 'p', scopes: ['trips:read'] },
      });
      const a = fx.accounts.analystA;
      const session = await login(t, a.tenant, a.email, a.password);
      const handedOut = [hook.body.secret, rotated.body.secret, session.refreshToken] as string[];
      for (const s of handedOut) secrets.push(s, s.replace(/^(whsec_|oubi_rt_)/, ''));
      for (const s of [device.body.token, key.body.key] as string[]) secrets.push(s, s.split('.')[1]!);
      secrets.push(session.accessToken);
      assert.ok(
        secrets.every((s) => typeof s === 'string' && s.length >= 20),
        'each handed out',
      );

      // ...then use and misuse them: every answer and log line from here on must be free of them.
      const guess = `guess-${randomBytes(8).toString('hex')}`;
      secrets.push(guess);
      await call('POST', '/v1/auth/login', { body: { tenant: a.tenant, email: a.email, password: guess } });
      await call('POST', '/v1/users', {
        auth: admin(),
        body: { email: 'short@a.example', password: guess.slice(0, 8), role: 'analyst' },
      });
      const r1 = await inject(t, 'POST', '/v1/auth/refresh', {
        body: { refreshToken: session.refreshToken },
      });
      secrets.push(r1.body.refreshToken as string, r1.body.accessToken as string);
      await call('POST', '/v1/auth/refresh', { body: { refreshToken: session.refreshToken } });
      await call('GET', '/v1/me', { auth: `Bearer ${session.accessToken}x` });
      await call('GET', '/v1/trips', { auth: `ApiKey ${key.body.key}` });
      await call('GET', '/v1/trips', { auth: `ApiKey ${key.body.key}`.slice(0, -2) });
      await call('GET', '/v1/me', { auth: `Bearer ${device.body.token}` });
      await call('GET', '/v1/webhooks', { auth: admin() });
      await call('GET', `/v1/webhooks/${hook.body.id}`, { auth: admin() });
      await call('GET', '/v1/api-keys', { auth: admin() });
      await call('GET', `/v1/drivers/${fx.drivers.a1}/export`, { auth: admin() });
      await call('POST', '/v1/auth/logout', { body: { refreshToken: r1.body.refreshToken } });

      // The dispatcher signs with the secret and fails to deliver (nothing listens on port 9): it logs.
      const d = startWebhookDispatcher({
        db: t.db,
        logger: pino({ level: 'trace' }, { write: (l: string) => void dispatcherLogs.push(l) }),
        backoffBaseMs: 10,
        maxAttempts: 2,
        pollMs: 50,
      });
      try {
        await publishEvent(t.db, {
          tenantId: fx.tenants.a,
          type: 'trip.completed',
          driverId: fx.drivers.a1,
          subjectId: null,
          data: {},
        });
        await until('the failed deliveries', () => dispatcherLogs.length >= 2);
      } finally {
        await d.stop();
      }
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('no secret appears in any log line', () => {
      assert.ok(secrets.length > 40, 'the secrets were collected');
      assert.ok(
        t.logs.some((l) => l.includes('"status":401')),
        'failures were logged',
      );
      assert.ok(dispatcherLogs.some((l) => l.includes('webhook delivery failed')));
      for (const s of secrets) {
        const line = [...t.logs, ...dispatcherLogs].find((l) => l.includes(s));
        assert.equal(line, undefined, 'a secret was logged');
      }
    });

    test('no answer carries a secret or a stored hash', () => {
      for (const body of answers) {
        for (const s of secrets) assert.ok(!body.includes(s), 'a secret was in an answer');
        assert.equal(
          /scrypt\$|whsec_|password_?hash|secret_?(hash|enc)|token_?hash|credential_?hash/i.test(body),
          false,
          body,
        );
      }
    });

    test('no secret is stored in clear in any table', async () => {
      const { rows: tables } = await t.db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r'`,
      );
      let scanned = 0;
      for (const { name } of tables) {
        const { rows } = await t.db.query<{ r: string }>(`SELECT t::text AS r FROM "${name}" t`);
        for (const { r } of rows) {
          scanned++;
          for (const s of secrets) if (r.includes(s)) assert.fail(`a secret is stored in clear in ${name}`);
        }
      }
      assert.ok(scanned > 50);
    });
  });
}
