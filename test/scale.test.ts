// Scale-out on one JetStream stream: two gateway processes and worker processes that join, are killed (-9) and
// leave while a multi-device fleet ingests; a gateway is killed and restarted too. Every acknowledged batch is
// applied exactly once and in its device's order, and the stored trips and events equal a fault-free offline run.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../src/config/index.ts';
import type { SensorBatch } from '../src/domain/index.ts';
import { createLogger } from '../src/config/logger.ts';
import { createDb } from '../src/store/db.ts';
import { ensureTenant, registerDevice } from '../src/store/index.ts';
import { migrate } from '../src/store/migrate.ts';
import { freePort, freshDatabase, pgTargets, startNats, waitForPort } from './support/env.ts';
import {
  countProcessed,
  multiTripDrive,
  newStats,
  offlineResult,
  sendAsDevice,
  startChild,
  stopChild,
  storedFor,
  waitFor,
} from './support/fleet-client.ts';
import { natsClusterMissing } from './support/nats-cluster.ts';

const missingNats = natsClusterMissing();
const { targets, missing } = pgTargets();
const target = targets[0];
const children: ChildProcess[] = [];
const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of children) await stopChild(c, 'SIGKILL').catch(() => {});
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

test('configuration: NATS_URL lists every node of a cluster; replicas, retention and precision are checked', () => {
  const ok = loadConfig({
    NATS_URL: 'nats://127.0.0.1:4222,nats://127.0.0.1:4223, nats://127.0.0.1:4224',
    NATS_REPLICAS: '3',
    TRACE_RETENTION_DAYS: '60',
    LOCATION_PRECISION_DECIMALS: '4',
  });
  assert.ok(ok.ok);
  assert.equal(ok.config.natsReplicas, 3);
  assert.equal(ok.config.traceRetentionDays, 60);
  assert.equal(ok.config.locationPrecisionDecimals, 4);
  const defaults = loadConfig({});
  assert.ok(defaults.ok);
  assert.equal(defaults.config.locationPrecisionDecimals, null);
  assert.equal(defaults.config.natsReplicas, 1);
  const bad = loadConfig({
    NATS_URL: 'nats://127.0.0.1:4222,http://x:1',
    NATS_REPLICAS: '9',
    LOCATION_PRECISION_DECIMALS: '12',
  });
  assert.ok(!bad.ok);
  assert.equal(bad.errors.length, 3, bad.errors.join('; '));
  assert.match(bad.errors.join('; '), /NATS_URL must start with nats:\/\//);
});

async function appliedBy(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /openubi_worker_batches_total\{outcome="applied"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

if (target && !missingNats) {
  describe('scale-out: gateways and workers on one JetStream stream', () => {
    test('workers join, die and leave during ingest: each batch once, in device order, trips as offline', async (t) => {
      const t0 = Date.now();
      // A server of our own: the shared one may carry other suites' platforms on the same stream name.
      const nats = await startNats();
      cleanup.push(() => nats.stop());
      const tdb = await freshDatabase(target);
      cleanup.push(() => tdb.drop());
      const db = createDb(tdb.url, { max: 2 });
      await migrate(db, createLogger('silent'));
      await ensureTenant(db, 'default', 'Default');
      const start = Date.now() - 8 * 3_600_000;
      const fleet: Array<{ id: string; token: string; batches: SensorBatch[] }> = [];
      for (let i = 0; i < 6; i++) {
        const d = await registerDevice(db, { tenantId: 'default', kind: 'phone', id: `scale-${i}` });
        fleet.push({
          id: d.id,
          token: d.token,
          batches: multiTripDrive(d.id, start + i * 11_000, 3, 20 + i),
        });
      }
      await db.close();
      const total = fleet.reduce((s, d) => s + d.batches.length, 0);
      const env = { DATABASE_URL: tdb.url, NATS_URL: nats.url, BUS_PARTITIONS: '8', WORKER_CONCURRENCY: '2' };

      const launch = async (roles: string, port?: number) => {
        const p = port ?? (await freePort());
        const c = startChild({ ...env, ROLES: roles, PORT: String(p) });
        children.push(c);
        await waitForPort(p, 60_000).catch((e) => {
          throw new Error(`${roles} did not start: ${(e as Error).message}\n${c.stderrText()}`);
        });
        return { c, port: p };
      };
      let ga = await launch('gateway,api');
      const gb = await launch('gateway,api');
      const w1 = await launch('worker');
      const urlA = `http://127.0.0.1:${ga.port}`;
      const urlB = `http://127.0.0.1:${gb.port}`;

      // Membership changes at points of the ingest (share of batches acknowledged).
      let w2: { c: ChildProcess; port: number } | null = null;
      let w3: { c: ChildProcess; port: number } | null = null;
      let w2Applied = 0;
      const steps: Array<[number, () => Promise<void>]> = [
        [0.15, async () => void (w2 = await launch('worker'))],
        [0.35, () => stopChild(w1.c, 'SIGKILL')],
        [0.5, () => stopChild(ga.c, 'SIGKILL')],
        [
          0.65,
          async () => {
            w3 = await launch('worker');
            ga = await launch('gateway,api', ga.port);
          },
        ],
        [
          0.8,
          async () => {
            w2Applied = await appliedBy(w2!.port);
            await stopChild(w2!.c, 'SIGTERM');
          },
        ],
      ];
      let acked = 0;
      let chain = Promise.resolve();
      const stats = newStats();
      await Promise.all(
        fleet.map((d, i) =>
          sendAsDevice({
            urls: () => (i % 2 ? [urlB, urlA] : [urlA, urlB]),
            token: d.token,
            batches: d.batches,
            perRequest: 5,
            stats,
            // Every device waits for a membership change due at this point, so it happens mid-ingest.
            onAck: async () => {
              acked += 5;
              while (steps.length > 0 && acked >= steps[0]![0] * total) {
                const [, step] = steps.shift()!;
                chain = chain.then(step);
              }
              await chain;
            },
          }),
        ),
      );
      await chain;
      assert.equal(steps.length, 0, 'every membership change happened during ingest');
      const ingestS = (Date.now() - t0) / 1000;
      await waitFor(
        async () => (await countProcessed(tdb.url)) >= total,
        'every acknowledged batch processed',
      );
      t.diagnostic(
        `${total} batches: ingest ${ingestS} s, drained at ${(Date.now() - t0) / 1000} s; ${JSON.stringify(stats)}`,
      );
      assert.ok(w2Applied > 0, 'the worker that joined took a share of the work');
      assert.ok((await appliedBy(w3!.port)) > 0, 'the worker that joined late took a share of the work');
      assert.ok(stats.connectionErrors > 0, 'devices saw the killed gateway and failed over');

      for (const d of fleet) {
        const got = await storedFor(tdb.url, d.id);
        assert.deepEqual(
          got.appliedOrder,
          d.batches.map((b) => b.batchId),
          `${d.id}: each batch once, in order`,
        );
        const want = offlineResult(d.id, d.batches);
        assert.equal(want.trips.length, 2, 'two of the three trips are closed by the data');
        assert.deepEqual(got.trips, want.trips, `${d.id}: trips equal the offline run`);
        assert.deepEqual(got.events, want.events, `${d.id}: events equal the offline run`);
      }
    });
  });
}

for (const m of [...missing, ...(missingNats ? [missingNats] : [])])
  describe(`skipped: ${m}`, { skip: m }, () => {});
