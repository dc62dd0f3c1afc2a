// Faults, tested for real: a worker killed (-9) mid-trip, PostgreSQL restarted during ingest, an overload burst,
// and a poison batch. Each time nothing acknowledged is lost and the stored result equals a fault-free run.
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { type Platform, startPlatform } from '../src/api/platform.ts';
import { loadConfig } from '../src/config/index.ts';
import { createLogger } from '../src/config/logger.ts';
import type { SensorBatch } from '../src/domain/index.ts';
import { createDb } from '../src/store/db.ts';
import { ensureTenant, registerDevice } from '../src/store/index.ts';
import { migrate } from '../src/store/migrate.ts';
import type { PipelinePort } from '../src/worker/index.ts';
import { pipelinePort } from '../src/worker/pipeline.ts';
import { freePort, freshDatabase, pgTargets, type TestDatabase, waitForPort } from './support/env.ts';
import {
  countProcessed,
  multiTripDrive,
  newStats,
  offlineResult,
  rssOf,
  sendAsDevice,
  startChild,
  stopChild,
  storedFor,
  waitFor,
} from './support/fleet-client.ts';
import { ownPostgresMissing, startOwnPostgres } from './support/own-postgres.ts';
import { startOn } from './support/platform.ts';

const BIN = fileURLToPath(new URL('../bin/openubi.js', import.meta.url));
const { targets, missing } = pgTargets();
const missingOwnPg = ownPostgresMissing();
const target = targets[0];
const children: ChildProcess[] = [];
const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of children) await stopChild(c, 'SIGKILL').catch(() => {});
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

type Device = { id: string; token: string; batches: SensorBatch[] };

async function seedFleet(url: string, prefix: string, n: number, trips: number): Promise<Device[]> {
  const db = createDb(url, { max: 2 });
  try {
    await migrate(db, createLogger('silent'));
    await ensureTenant(db, 'default', 'Default');
    const start = Date.now() - 8 * 3_600_000;
    const out: Device[] = [];
    for (let i = 0; i < n; i++) {
      const d = await registerDevice(db, { tenantId: 'default', kind: 'phone', id: `${prefix}-${i}` });
      out.push({
        id: d.id,
        token: d.token,
        batches: multiTripDrive(d.id, start + i * 13_000, trips, 40 + i),
      });
    }
    return out;
  } finally {
    await db.close();
  }
}

async function assertAsOffline(url: string, fleet: Device[]): Promise<void> {
  for (const d of fleet) {
    const got = await storedFor(url, d.id);
    assert.deepEqual(
      got.appliedOrder,
      d.batches.map((b) => b.batchId),
      `${d.id}: each batch once, in order`,
    );
    const want = offlineResult(d.id, d.batches);
    assert.ok(want.trips.length >= 1);
    assert.deepEqual(got.trips, want.trips, `${d.id}: trips equal the fault-free run`);
    assert.deepEqual(got.events, want.events, `${d.id}: events equal the fault-free run`);
  }
}

const fresh = async (): Promise<TestDatabase> => {
  const tdb = await freshDatabase(target!);
  cleanup.push(() => tdb.drop());
  return tdb;
};

if (target) {
  describe('faults', () => {
    test('kill -9 of a worker mid-trip: after restart every acknowledged batch is applied exactly once', async (t) => {
      const tdb = await fresh();
      const fleet = await seedFleet(tdb.url, 'kill', 3, 3);
      const total = fleet.reduce((s, d) => s + d.batches.length, 0);
      const env = { DATABASE_URL: tdb.url, WORKER_CONCURRENCY: '2' };
      const gwPort = await freePort();
      const gw = startChild({ ...env, ROLES: 'gateway,api', PORT: String(gwPort) });
      children.push(gw);
      await waitForPort(gwPort, 60_000);
      const launchWorker = async () => {
        const port = await freePort();
        const w = startChild({ ...env, ROLES: 'worker', PORT: String(port) });
        children.push(w);
        await waitForPort(port, 60_000);
        return w;
      };
      const w1 = await launchWorker();
      const stats = newStats();
      let acked = 0;
      let killed: Promise<void> | null = null;
      let processedAtKill = 0;
      await Promise.all(
        fleet.map((d) =>
          sendAsDevice({
            urls: () => [`http://127.0.0.1:${gwPort}`],
            token: d.token,
            batches: d.batches,
            perRequest: 3,
            stats,
            onAck: async () => {
              acked += 3;
              if (killed || acked < total / 2) return;
              // Mid-trip: the worker is applying batches while devices are still sending.
              killed = (async () => {
                processedAtKill = await countProcessed(tdb.url);
                await stopChild(w1, 'SIGKILL');
              })();
              await killed;
            },
          }),
        ),
      );
      assert.ok(
        processedAtKill > 0 && processedAtKill < total,
        `killed mid-stream (${processedAtKill}/${total})`,
      );
      await launchWorker();
      await waitFor(async () => (await countProcessed(tdb.url)) >= total, 'every acknowledged batch applied');
      t.diagnostic(`killed at ${processedAtKill}/${total} batches applied`);
      await assertAsOffline(tdb.url, fleet);
    });

    test('PostgreSQL restarting during ingest: 503 + Retry-After while down, nothing lost, no platform restart', {
      skip: missingOwnPg ?? false,
    }, async (t) => {
      // A PostgreSQL of this test's own (never the shared test server), stopped and started again mid-ingest.
      const pg = await startOwnPostgres();
      cleanup.push(() => pg.destroy());
      const fleet = await seedFleet(pg.url, 'pgr', 3, 2);
      const total = fleet.reduce((s, d) => s + d.batches.length, 0);
      const p: Platform = await startOn(pg.url, { WORKER_CONCURRENCY: '2', RATE_LIMIT_DEVICE_PER_MIN: '0' });
      cleanup.push(() => p.stop());
      const stats = newStats();
      let acked = 0;
      let outage: Promise<void> | null = null;
      let readyWhileDown = 0;
      await Promise.all(
        fleet.map((d) =>
          sendAsDevice({
            urls: () => [p.url],
            token: d.token,
            batches: d.batches,
            perRequest: 4,
            stats,
            onAck: async () => {
              acked += 4;
              if (outage || acked < total / 3) return;
              outage = (async () => {
                await pg.stop();
                // Down until the devices have been told to come back later a few times.
                await waitFor(
                  async () => stats.withRetryAfter >= 5,
                  'devices answered 503 + Retry-After',
                  60_000,
                );
                readyWhileDown = (await fetch(`${p.url}/ready`)).status;
                await pg.start();
              })();
              await outage;
            },
          }),
        ),
      );
      assert.ok(outage, 'the database was restarted during ingest');
      assert.ok((stats.byStatus[503] ?? 0) >= 5, `503 while the database was down: ${JSON.stringify(stats)}`);
      assert.equal(readyWhileDown, 503, '/ready says not ready while the database is down');
      await waitFor(async () => (await countProcessed(pg.url)) >= total, 'every acknowledged batch applied');
      t.diagnostic(`${total} batches; ${JSON.stringify(stats)}`);
      await assertAsOffline(pg.url, fleet);
      assert.equal((await fetch(`${p.url}/ready`)).status, 200, 'the same platform is ready again');
    });

    test('overload: 429 with Retry-After, and RSS stays bounded over a long burst', async (t) => {
      const tdb = await fresh();
      const [dev] = await seedFleet(tdb.url, 'burst', 1, 1);
      const port = await freePort();
      const child = startChild({
        DATABASE_URL: tdb.url,
        ROLES: 'gateway,api',
        PORT: String(port),
        MAX_PENDING_BATCHES: '16',
      });
      children.push(child);
      await waitForPort(port, 60_000);
      // 8 batches of 500 IMU samples a request (~110 kB), 48 requests in flight at once.
      const imu = (i: number) => {
        const t0 = Date.now() - 3_600_000 + (i % 300) * 10_000;
        const ts = Array.from({ length: 500 }, (_, k) => t0 + k * 20);
        return {
          frame: 'device',
          t: ts,
          ax: ts.map(() => 0.12),
          ay: ts.map(() => 0.05),
          az: ts.map(() => 9.79),
        };
      };
      let seq = 0;
      const body = () =>
        Array.from({ length: 8 }, () => {
          const n = seq++;
          return JSON.stringify({ deviceId: dev!.id, batchId: `burst-${n}`, imu: imu(n) });
        }).join('\n');
      const counts: Record<string, number> = {};
      let missingRetryAfter = 0;
      const post = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${dev!.token}` },
          body: body(),
        });
        const text = await res.text();
        // A 429 must be the gateway shedding load, not the per-device rate limit (disabled here).
        const key =
          res.status === 429 ? `429 ${(JSON.parse(text) as { code: string }).code}` : String(res.status);
        counts[key] = (counts[key] ?? 0) + 1;
        if (res.status === 429 && !res.headers.get('retry-after')) missingRetryAfter++;
      };
      for (let i = 0; i < 20; i++) await post();
      const baseline = rssOf(child.pid!);
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssOf(child.pid!)), 250);
      const requests = 2500;
      let next = 0;
      const deadline = Date.now() + 60_000;
      await Promise.all(
        Array.from({ length: 48 }, async () => {
          while (next < requests && Date.now() < deadline) {
            next++;
            await post();
          }
        }),
      );
      clearInterval(sampler);
      const mb = (b: number) => Math.round(b / 2 ** 20);
      const half = Math.floor(samples.length / 2);
      const firstHalf = Math.max(...samples.slice(0, half));
      const secondHalf = Math.max(...samples.slice(half));
      t.diagnostic(
        `${next} requests: ${JSON.stringify(counts)}; RSS baseline ${mb(baseline)} MB, peak first half ${mb(firstHalf)} MB, second half ${mb(secondHalf)} MB`,
      );
      assert.ok((counts['429 overloaded'] ?? 0) > 0, 'the gateway shed load with 429');
      assert.ok((counts['202'] ?? 0) > 0, 'and kept accepting what it could store');
      assert.deepEqual(Object.keys(counts).sort(), ['202', '429 overloaded'], 'nothing but accepted or shed');
      assert.equal(missingRetryAfter, 0, 'every 429 says when to retry');
      assert.ok(samples.length >= 8, 'RSS was sampled through the burst');
      assert.ok(secondHalf <= firstHalf * 1.25 + 32 * 2 ** 20, 'RSS does not keep growing with the burst');
      assert.ok(Math.max(...samples) <= baseline + 384 * 2 ** 20, 'RSS stays within 384 MB of its start');
    });

    test('poison batch: dead-lettered with its error, the device goes on, an operator lists and replays it', async () => {
      const tdb = await fresh();
      const [dev] = await seedFleet(tdb.url, 'poison', 1, 2);
      // A stage that throws on one batch until the operator's fix ("armed" turned off).
      let armed = true;
      const real = pipelinePort();
      const wrap = (proc: ReturnType<PipelinePort['create']>) => ({
        push(b: SensorBatch) {
          if (armed && b.batchId.startsWith('poison')) throw new Error('stage exploded on a poison batch');
          return proc.push(b);
        },
        tick: (nowMs: number) => proc.tick(nowMs),
        snapshot: () => proc.snapshot(),
        get activeTrip() {
          return proc.activeTrip;
        },
      });
      const poisonous: PipelinePort = {
        create: (id) => wrap(real.create(id)),
        restore: (id, s) => wrap(real.restore(id, s)),
      };
      const c = loadConfig({
        PORT: '0',
        OSMAND_PORT: '0',
        TELTONIKA_PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        DATABASE_URL: tdb.url,
        RATE_LIMIT_DEVICE_PER_MIN: '0',
      });
      assert.ok(c.ok);
      const p = await startPlatform(c.config, createLogger('silent'), { pipeline: poisonous });
      cleanup.push(() => p.stop());
      const batches = dev!.batches.map((b, i) => (i === 40 ? { ...b, batchId: `poison-${b.batchId}` } : b));
      await sendAsDevice({
        urls: () => [p.url],
        token: dev!.token,
        batches,
        perRequest: 5,
        stats: newStats(),
      });
      await waitFor(
        async () => (await countProcessed(tdb.url)) >= batches.length - 1,
        'every other batch of the device applied',
      );
      const cli = (...args: string[]) => {
        const r = spawnSync(process.execPath, [BIN, 'dead-letters', ...args], {
          env: { ...process.env, DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' },
          encoding: 'utf8',
        });
        return { code: r.status, out: r.stdout, err: r.stderr };
      };
      const listed = cli('list');
      assert.equal(listed.code, 0, listed.err);
      const rows = listed.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(rows.length, 1);
      assert.equal(rows[0].msgId, `${dev!.id}/${batches[40]!.batchId}`);
      assert.match(rows[0].error, /stage exploded on a poison batch/);
      const shown = cli('show', String(rows[0].id));
      assert.equal(shown.code, 0, shown.err);
      assert.equal(JSON.parse(shown.out).batch.batchId, batches[40]!.batchId);
      const got = await storedFor(tdb.url, dev!.id);
      assert.ok(got.trips.length >= 1, 'the device went on making trips after the poison batch');
      assert.ok(!got.appliedOrder.includes(batches[40]!.batchId));

      armed = false;
      const replayed = cli('replay', String(rows[0].id));
      assert.equal(replayed.code, 0, replayed.err);
      await waitFor(
        async () => (await countProcessed(tdb.url)) >= batches.length,
        'the replayed batch applied',
      );
      assert.ok((await storedFor(tdb.url, dev!.id)).appliedOrder.includes(batches[40]!.batchId));
      assert.equal(cli('list').out.trim(), '', 'nothing left to replay');
      const again = cli('replay', String(rows[0].id));
      assert.equal(again.code, 1);
      assert.match(again.err, /was replayed at .*--force/);
      assert.equal(cli('replay', 'x').code, 2);
    });
  });
}

for (const m of [...missing, ...(missingOwnPg ? [missingOwnPg] : [])])
  describe(`skipped: ${m}`, { skip: m }, () => {});
