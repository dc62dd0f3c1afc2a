// One contract every Bus adapter passes: run by test/bus.test.ts against PostgreSQL (embedded and server)
// and NATS JetStream.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { Bus, BusMessage } from '../src/bus/index.ts';

export interface BusFactory {
  name: string;
  make(): Promise<Bus>;
  /** Environment for a child process that opens the same bus (test/support/bus-child.ts). */
  childEnv: Record<string, string>;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const topicName = (): string => `t${randomBytes(4).toString('hex')}`;

async function until(pred: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function busContract(f: BusFactory): void {
  test(`${f.name}: delivers every message once, in order per key`, async () => {
    const bus = await f.make();
    const topic = topicName();
    const keys = ['dev-a', 'dev-b', 'dev-c', 'dev-d', 'dev-e'];
    const sent: Record<string, number[]> = {};
    const msgs = [];
    for (let i = 0; i < 200; i++) {
      const key = keys[i % keys.length]!;
      (sent[key] ??= []).push(i);
      msgs.push({ key, id: `${key}-${i}`, payload: enc(String(i)) });
    }
    // Published concurrently in small groups, as many gateway requests would.
    for (let i = 0; i < msgs.length; i += 20)
      await Promise.all([
        bus.publish(topic, msgs.slice(i, i + 10)),
        bus.publish(topic, msgs.slice(i + 10, i + 20)),
      ]);
    const got: Record<string, number[]> = {};
    const sub = bus.subscribe(topic, async (m) => void (got[m.key] ??= []).push(Number(dec(m.payload))), {
      group: 'g1',
      concurrency: 3,
    });
    await until(() => Object.values(got).reduce((n, a) => n + a.length, 0) >= 200);
    await sub.stop();
    assert.deepEqual(got, sent);
    await until(() => true);
    assert.equal(await bus.lag(topic, 'g1'), 0);
    await bus.close();
  });

  test(`${f.name}: the same id published twice is stored and delivered once`, async () => {
    const bus = await f.make();
    const topic = topicName();
    const [first] = await bus.publish(topic, [{ key: 'k', id: 'batch-1', payload: enc('x') }]);
    const [second] = await bus.publish(topic, [{ key: 'k', id: 'batch-1', payload: enc('x') }]);
    assert.equal(first!.duplicate, false);
    assert.equal(second!.duplicate, true);
    await bus.publish(topic, [{ key: 'k', id: 'batch-2', payload: enc('y') }]);
    const got: string[] = [];
    const sub = bus.subscribe(topic, async (m) => void got.push(m.id), { group: 'g' });
    await until(() => got.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    await sub.stop();
    assert.deepEqual(got, ['batch-1', 'batch-2']);
    await bus.close();
  });

  test(`${f.name}: a failing message is retried in place, later ones wait for it`, async () => {
    const bus = await f.make();
    const topic = topicName();
    await bus.publish(
      topic,
      [1, 2, 3].map((i) => ({ key: 'k', id: `m${i}`, payload: enc(String(i)) })),
    );
    const seen: string[] = [];
    let failures = 0;
    const sub = bus.subscribe(
      topic,
      async (m) => {
        seen.push(`${m.id}#${m.deliveryCount}`);
        if (m.id === 'm2' && failures < 2) {
          failures++;
          throw new Error('transient');
        }
      },
      { group: 'g', retryDelayMs: 10 },
    );
    await until(() => seen.includes('m3#1'));
    await sub.stop();
    assert.deepEqual(seen, ['m1#1', 'm2#1', 'm2#2', 'm2#3', 'm3#1']);
    await bus.close();
  });

  test(`${f.name}: after maxDeliver attempts a message is dead-lettered and the stream goes on`, async () => {
    const bus = await f.make();
    const topic = topicName();
    await bus.publish(
      topic,
      [1, 2].map((i) => ({ key: 'k', id: `m${i}`, payload: enc(String(i)) })),
    );
    const dead: Array<[string, string]> = [];
    const ok: string[] = [];
    const sub = bus.subscribe(
      topic,
      async (m: BusMessage) => {
        if (m.id === 'm1') throw new Error('poison');
        ok.push(m.id);
      },
      {
        group: 'g',
        maxDeliver: 3,
        retryDelayMs: 5,
        onDeadLetter: async (m, e) => void dead.push([m.id, e.message]),
      },
    );
    await until(() => ok.length === 1);
    await sub.stop();
    assert.deepEqual(dead, [['m1', 'poison']]);
    assert.deepEqual(ok, ['m2']);
    await bus.close();
  });

  test(`${f.name}: in-flight work is bounded by concurrency`, async () => {
    const bus = await f.make();
    const topic = topicName();
    const msgs = Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 12}`, id: `m${i}`, payload: enc('') }));
    await bus.publish(topic, msgs);
    let now = 0;
    let peak = 0;
    let done = 0;
    const sub = bus.subscribe(
      topic,
      async () => {
        now++;
        peak = Math.max(peak, now);
        await new Promise((r) => setTimeout(r, 3));
        now--;
        done++;
      },
      { group: 'g', concurrency: 2, maxInFlight: 4 },
    );
    await until(() => done === 60);
    await sub.stop();
    assert.ok(peak <= 2, `peak concurrency ${peak}`);
    await bus.close();
  });

  test(`${f.name}: a consumer killed before acking loses nothing: the message is redelivered`, async () => {
    const bus = await f.make();
    const topic = topicName();
    await bus.publish(topic, [{ key: 'k', id: 'only', payload: enc('1') }]);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./support/bus-child.ts', import.meta.url)), topic],
      { env: { ...process.env, ...f.childEnv }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    await until(() => out.includes('received only'), 30_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const got: BusMessage[] = [];
    const sub = bus.subscribe(topic, async (m) => void got.push(m), { group: 'g', leaseMs: 1500 });
    await until(() => got.length >= 1, 30_000);
    await sub.stop();
    assert.equal(got[0]!.id, 'only');
    await bus.close();
  });
}
