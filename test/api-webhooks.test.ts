// Webhooks end to end against a real local HTTP receiver: signed deliveries of the outbox's events, retries after
// a 500, the delivery log, replay, disabled endpoints, secret rotation, several dispatchers sharing the work.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { V1TestApp } from '../src/api/v1/testing.ts';
import { type DomainEventType, publishEvent } from '../src/services/events.ts';
import { startWebhookDispatcher, type WebhookDispatcher } from '../src/services/webhook-dispatcher.ts';
import { verifyWebhookSignature } from '../src/services/webhooks.ts';
import { startApiApp, until } from './api-harness.ts';
import { inject, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Records every POST; answers with the next status of its path's script (200 once the script is spent). */
function receiver(): Promise<{
  url: string;
  got: Received[];
  script: Map<string, number[]>;
  server: Server;
}> {
  const got: Received[] = [];
  const script = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      got.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = script.get(path)?.shift() ?? 200;
      res.end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, script, server }),
    ),
  );
}

if (targets.length === 0) test.skip(`webhooks: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  describe(`webhooks on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    let rx: Awaited<ReturnType<typeof receiver>>;
    let dispatcher: WebhookDispatcher;
    const admin = () => `Bearer ${fx.accounts.adminA.accessToken}`;
    const logs: string[] = [];

    before(async () => {
      tdb = await freshDatabase(target);
      t = await startApiApp(tdb.url, SECRET);
      fx = await seed(t);
      rx = await receiver();
      dispatcher = startWebhookDispatcher({
        db: t.db,
        logger: pino({ level: 'trace' }, { write: (l: string) => void logs.push(l) }),
        backoffBaseMs: 100,
        maxBackoffMs: 400,
        pollMs: 100,
        maxAttempts: 3,
      });
    });
    after(async () => {
      await dispatcher?.stop();
      rx?.server.close();
      await t?.close();
      await tdb?.drop();
    });

    const register = async (path: string, eventTypes: DomainEventType[]) => {
      const r = await inject(t, 'POST', '/v1/webhooks', {
        auth: admin(),
        body: { url: `${rx.url}${path}`, eventTypes, description: path },
      });
      assert.equal(r.status, 201, r.text);
      return r.body as { id: string; secret: string };
    };
    const publish = async (type: DomainEventType, tenantId = fx.tenants.a) => {
      const id = `evt-${randomBytes(6).toString('hex')}`;
      await publishEvent(t.db, {
        id,
        tenantId,
        type,
        driverId: fx.drivers.a1,
        subjectId: fx.trips.a1,
        data: { tripId: fx.trips.a1, distanceM: 1234.5 },
      });
      return id;
    };
    const at = (path: string) => rx.got.filter((g) => g.path === path);
    const deliveries = async (endpointId: string) => {
      const r = await inject(t, 'GET', `/v1/webhooks/${endpointId}/deliveries`, { auth: admin() });
      assert.equal(r.status, 200, r.text);
      return r.body.items as Array<{
        id: string;
        eventId: string;
        status: string;
        replayOf: string | null;
        attempts: Array<{ status: number | null }>;
      }>;
    };

    test('a subscribed event arrives signed with the endpoint secret; other types and tenants do not', async () => {
      const ep = await register('/signed', ['trip.completed']);
      assert.match(ep.secret, /^whsec_/);
      const listed = await inject(t, 'GET', '/v1/webhooks', { auth: admin() });
      assert.ok(!listed.text.includes(ep.secret), 'the list shows no secret');
      const { rows } = await t.db.query<{ secret_enc: Buffer }>(
        'SELECT secret_enc FROM webhook_endpoints WHERE id = $1',
        [ep.id],
      );
      assert.ok(!rows[0]!.secret_enc.includes(Buffer.from(ep.secret)), 'the secret is not stored in clear');
      assert.ok(!rows[0]!.secret_enc.includes(Buffer.from(ep.secret.slice(6))), 'nor its random part');

      await publish('premium.changed');
      await publish('trip.completed', fx.tenants.b);
      const eventId = await publish('trip.completed');
      const got = await until('the delivery', () => at('/signed')[0]);
      await dispatcher.kick();
      assert.equal(at('/signed').length, 1, 'only the subscribed type of this tenant');
      assert.equal(got.headers['x-openubi-event-id'], eventId);
      assert.equal(got.headers['content-type'], 'application/json');
      const sig = String(got.headers['x-openubi-signature']);
      assert.match(sig, /^t=\d+,v1=[0-9a-f]{64}$/);
      const nowS = Math.floor(Date.now() / 1000);
      assert.ok(verifyWebhookSignature(ep.secret, sig, got.body, nowS));
      assert.ok(!verifyWebhookSignature(ep.secret, sig, `${got.body} `, nowS), 'a changed body fails');
      assert.ok(!verifyWebhookSignature(`${ep.secret}x`, sig, got.body, nowS), 'another secret fails');
      const body = JSON.parse(got.body);
      assert.equal(body.id, eventId);
      assert.equal(body.type, 'trip.completed');
      assert.equal(body.driverId, fx.drivers.a1);
      assert.deepEqual(body.data, { tripId: fx.trips.a1, distanceM: 1234.5 });
      const log = await deliveries(ep.id);
      assert.equal(log.length, 1);
      assert.equal(log[0]!.status, 'succeeded');
    });

    test('a 500 is retried with backoff and the log shows both attempts', async () => {
      const ep = await register('/flaky', ['score.changed']);
      rx.script.set('/flaky', [500]);
      const eventId = await publish('score.changed');
      await until('the retry', () => at('/flaky').length >= 2);
      const [first, second] = at('/flaky');
      assert.equal(first!.headers['x-openubi-event-id'], eventId);
      assert.equal(second!.headers['x-openubi-event-id'], eventId);
      assert.equal(first!.body, second!.body, 'the same bytes each attempt');
      const log = await until('the success', async () => {
        const l = await deliveries(ep.id);
        return l[0]?.status === 'succeeded' ? l : undefined;
      });
      assert.deepEqual(
        log[0]!.attempts.map((a) => a.status),
        [500, 200],
      );
    });

    test('a delivery that keeps failing stops after the attempt limit', async () => {
      const ep = await register('/down', ['crash.detected']);
      rx.script.set('/down', [503, 503, 503, 503, 503]);
      await publish('crash.detected');
      const log = await until('the give-up', async () => {
        const l = await deliveries(ep.id);
        return l[0]?.status === 'failed' ? l : undefined;
      });
      assert.equal(log[0]!.attempts.length, 3);
      assert.equal(at('/down').length, 3);
    });

    test('replay sends the event again as a new delivery; the log keeps both', async () => {
      const ep = await register('/replayed', ['dispute.resolved']);
      const eventId = await publish('dispute.resolved');
      await until('the first delivery', () => at('/replayed').length === 1);
      const [original] = await until('the log', async () => {
        const l = await deliveries(ep.id);
        return l[0]?.status === 'succeeded' ? l : undefined;
      });
      const r = await inject(t, 'POST', `/v1/webhooks/deliveries/${original!.id}/replay`, { auth: admin() });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.body.replayOf, original!.id);
      await until('the replay', () => at('/replayed').length === 2);
      const [a, b] = at('/replayed');
      assert.equal(b!.headers['x-openubi-event-id'], eventId);
      assert.equal(a!.body, b!.body);
      const log = await deliveries(ep.id);
      assert.equal(log.length, 2);
      assert.deepEqual(log.map((d) => d.replayOf).sort(), [null, original!.id].sort());
      const other = await inject(t, 'POST', `/v1/webhooks/deliveries/${original!.id}/replay`, {
        auth: `Bearer ${fx.accounts.adminB.accessToken}`,
      });
      assert.equal(other.status, 404, "another tenant cannot replay this tenant's delivery");
    });

    test('a disabled endpoint gets nothing while an enabled one gets the event', async () => {
      const off = await register('/disabled', ['dispute.created']);
      await register('/enabled', ['dispute.created']);
      const p = await inject(t, 'PATCH', `/v1/webhooks/${off.id}`, {
        auth: admin(),
        body: { enabled: false },
      });
      assert.equal(p.status, 200);
      assert.equal(p.body.enabled, false);
      await publish('dispute.created');
      await until('the enabled endpoint', () => at('/enabled').length === 1);
      await dispatcher.kick();
      assert.equal(at('/disabled').length, 0);
      assert.deepEqual(await deliveries(off.id), []);
    });

    test('a rotated secret signs from then on; a deleted endpoint is gone', async () => {
      const ep = await register('/rotated', ['premium.changed']);
      const r = await inject(t, 'PATCH', `/v1/webhooks/${ep.id}`, {
        auth: admin(),
        body: { rotateSecret: true },
      });
      assert.equal(r.status, 200);
      const secret = r.body.secret as string;
      assert.notEqual(secret, ep.secret);
      await publish('premium.changed');
      const got = await until('the delivery', () => at('/rotated')[0]);
      const sig = String(got.headers['x-openubi-signature']);
      const nowS = Math.floor(Date.now() / 1000);
      assert.ok(verifyWebhookSignature(secret, sig, got.body, nowS));
      assert.ok(!verifyWebhookSignature(ep.secret, sig, got.body, nowS));
      assert.equal((await inject(t, 'DELETE', `/v1/webhooks/${ep.id}`, { auth: admin() })).status, 204);
      assert.equal((await inject(t, 'GET', `/v1/webhooks/${ep.id}`, { auth: admin() })).status, 404);
    });

    test('two dispatchers (two API processes) deliver every event exactly once', async () => {
      await register('/shared', ['trip.completed']);
      const second = startWebhookDispatcher({ db: t.db, logger: pino({ level: 'silent' }), pollMs: 50 });
      try {
        const ids = new Set<string>();
        for (let i = 0; i < 20; i++) ids.add(await publish('trip.completed'));
        await until('20 deliveries', () => at('/shared').length >= 20);
        await Promise.all([dispatcher.kick(), second.kick()]);
        const seen = at('/shared').map((g) => String(g.headers['x-openubi-event-id']));
        assert.equal(seen.length, 20);
        assert.deepEqual(new Set(seen), ids);
      } finally {
        await second.stop();
      }
    });

    test('invalid input is refused with the field named; secrets never reach the logs', async () => {
      const bad = await inject(t, 'POST', '/v1/webhooks', {
        auth: admin(),
        body: { url: 'ftp://partner.example/x', eventTypes: ['trip.completed'] },
      });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /url/);
      const unknownType = await inject(t, 'POST', '/v1/webhooks', {
        auth: admin(),
        body: { url: 'https://partner.example/x', eventTypes: ['trip.deleted'] },
      });
      assert.equal(unknownType.status, 400);
      const { rows } = await t.db.query<{ id: string }>('SELECT id FROM webhook_endpoints');
      assert.ok(rows.length > 0);
      const all = [...t.logs, ...logs].join('\n');
      assert.ok(!/whsec_/.test(all), 'no webhook secret in any log line');
    });
  });
}
