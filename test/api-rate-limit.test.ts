// Rate limits with small buckets: per user, per API key, per IP on login, per device on ingest; 429 problem+json
// with Retry-After and RateLimit-* headers, and the bucket refills with time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { createRateLimiter } from '../src/api/rate-limit.ts';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import type { Gateway } from '../src/ingest/gateway.ts';
import { registerIngestRoutes } from '../src/ingest/http.ts';
import { platformMetrics } from '../src/ops/metrics.ts';
import { startApiApp } from './api-harness.ts';
import { inject, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

describe('token bucket', () => {
  test('allows the burst, refuses the next with the wait, refills at the rate', () => {
    let nowMs = 0;
    const l = createRateLimiter(3, () => nowMs);
    assert.deepEqual(
      [1, 2, 3].map(() => l.take('k').allowed),
      [true, true, true],
    );
    const refused = l.take('k');
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterS, 20, 'one token every 20 s at 3 a minute');
    assert.equal(l.take('other').allowed, true, 'keys have their own buckets');
    nowMs += 19_000;
    assert.equal(l.take('k').allowed, false);
    nowMs += 1_000;
    const again = l.take('k');
    assert.equal(again.allowed, true);
    assert.equal(again.remaining, 0);
  });

  test('memory stays bounded: full buckets are dropped first', () => {
    let nowMs = 0;
    const l = createRateLimiter(10, () => nowMs, 100);
    for (let i = 0; i < 1000; i++) {
      nowMs += 10;
      l.take(`k${i}`);
    }
    assert.ok(l.size <= 100);
  });
});

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');
if (targets.length === 0) test.skip(`rate limits: ${missing.join('; ')}`, () => {});

for (const target of targets.slice(0, 1)) {
  describe('rate limits on the API', () => {
    let tdb: TestDatabase;
    let seeded: V1TestApp;
    let t: V1TestApp;
    let fx: Seed;
    before(async () => {
      tdb = await freshDatabase(target);
      // Seeding logs in and creates users: done without limits, then the limited app serves the same data.
      seeded = await startV1TestApp(tdb.url, SECRET);
      fx = await seed(seeded);
      t = await startApiApp(tdb.url, SECRET, {
        rateLimits: { userPerMin: 3, apiKeyPerMin: 2, anonymousPerMin: 2 },
      });
    });
    after(async () => {
      await t?.close();
      await seeded?.close();
      await tdb?.drop();
    });

    test('a user gets their burst, then 429 with Retry-After; other users are not affected', async () => {
      const auth = `Bearer ${fx.accounts.driverA1.accessToken}`;
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await inject(t, 'GET', '/v1/me', { auth });
        assert.equal(r.status, 200);
        assert.equal(r.headers['ratelimit-limit'], '3');
        remaining.push(String(r.headers['ratelimit-remaining']));
      }
      assert.deepEqual(remaining, ['2', '1', '0']);
      const limited = await inject(t, 'GET', '/v1/me', { auth });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(limited.body.code, 'rate_limited');
      assert.equal(limited.headers['retry-after'], '20');
      assert.equal(limited.headers['ratelimit-remaining'], '0');
      const other = await inject(t, 'GET', '/v1/me', { auth: `Bearer ${fx.accounts.analystA.accessToken}` });
      assert.equal(other.status, 200);
      t.clock.advance(20_000);
      assert.equal((await inject(t, 'GET', '/v1/me', { auth })).status, 200, 'refilled after Retry-After');
    });

    test('an API key has its own limit', async () => {
      const auth = `ApiKey ${fx.keys['trips:read']}`;
      assert.equal((await inject(t, 'GET', '/v1/trips', { auth })).status, 200);
      assert.equal((await inject(t, 'GET', '/v1/trips', { auth })).status, 200);
      const r = await inject(t, 'GET', '/v1/trips', { auth });
      assert.equal(r.status, 429);
      assert.ok(Number(r.headers['retry-after']) >= 1);
    });

    test('login is limited per client IP, even with the right password', async () => {
      const a = fx.accounts.analystA;
      const body = { tenant: a.tenant, email: a.email, password: a.password };
      const from = (ip: string) =>
        t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: body, remoteAddress: ip });
      assert.equal((await from('10.9.0.1')).statusCode, 200);
      assert.equal((await from('10.9.0.1')).statusCode, 200);
      const r = await from('10.9.0.1');
      assert.equal(r.statusCode, 429);
      assert.ok(r.headers['retry-after']);
      assert.equal((await from('10.9.0.2')).statusCode, 200, 'another IP has its own bucket');
    });
  });
}

describe('rate limit on device ingest', () => {
  test('a device that sends too often gets 429 before its body is even parsed', async () => {
    const app = Fastify();
    const limiter = createRateLimiter(2);
    const gateway = {
      accept: async () => {
        throw new Error('not reached: the bodies are invalid');
      },
    } as unknown as Gateway;
    registerIngestRoutes(app, {
      gateway,
      metrics: platformMetrics(),
      authenticate: async () => ({
        id: 'dev-1',
        tenantId: 't',
        driverId: 'd',
        vehicleId: null,
        kind: 'phone',
        externalId: null,
      }),
      limitDevice: (id) => limiter.take(id),
    });
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: { authorization: 'Bearer oubi_x', 'content-type': 'application/json' },
        payload: '{"not":"a batch"}',
      });
    assert.equal((await send()).statusCode, 400);
    assert.equal((await send()).statusCode, 400);
    const r = await send();
    assert.equal(r.statusCode, 429);
    assert.equal(r.headers['retry-after'], '30');
    assert.equal(r.headers['ratelimit-limit'], '2');
    assert.equal(JSON.parse(r.body).code, 'rate_limited');
    await app.close();
  });
});
