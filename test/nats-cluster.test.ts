// A 3-node NATS JetStream cluster (stream replicas 3): killing the stream's leader during ingest loses nothing
// acknowledged; devices retry through the 503s of the election and ingest goes on. Stored trips and events equal
// a fault-free offline run, and every device's batches were applied in the order it sent them.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Platform } from '../src/api/platform.ts';
import type { SensorBatch } from '../src/domain/index.ts';
import { ensureTenant, registerDevice } from '../src/store/index.ts';
import { freshDatabase, pgTargets } from './support/env.ts';
import {
  countProcessed,
  multiTripDrive,
  newStats,
  offlineResult,
  sendAsDevice,
  storedFor,
  waitFor,
} from './support/fleet-client.ts';
import { natsClusterMissing, startNatsCluster } from './support/nats-cluster.ts';
import { startOn } from './support/platform.ts';

const missingNats = natsClusterMissing();
const { targets, missing } = pgTargets();
const target = targets[0];
const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

if (target && !missingNats) {
  describe('3-node NATS JetStream cluster, replicas 3', () => {
    test('killing the stream leader during ingest loses nothing acknowledged', async (t) => {
      const t0 = Date.now();
      const cluster = await startNatsCluster(3);
      cleanup.push(() => cluster.stop());
      const tdb = await freshDatabase(target);
      cleanup.push(() => tdb.drop());
      const p: Platform = await startOn(tdb.url, {
        RATE_LIMIT_DEVICE_PER_MIN: '0',
        NATS_URL: cluster.url,
        NATS_REPLICAS: '3',
        BUS_PARTITIONS: '8',
      });
      cleanup.push(() => p.stop());
      await ensureTenant(p.db, 'default', 'Default');

      const start = Date.now() - 6 * 3_600_000;
      const fleet: Array<{ id: string; token: string; batches: SensorBatch[] }> = [];
      for (let i = 0; i < 4; i++) {
        const d = await registerDevice(p.db, { tenantId: 'default', kind: 'phone', id: `nc-${i}` });
        fleet.push({ id: d.id, token: d.token, batches: multiTripDrive(d.id, start + i * 7_000, 2, i + 1) });
      }
      const total = fleet.reduce((s, d) => s + d.batches.length, 0);
      const stats = newStats();
      let acked = 0;
      let killedLeader: string | null = null;
      let ackedAtKill = 0;
      const killAt = Math.floor(total / 3);
      const killing: Array<Promise<void>> = [];
      await Promise.all(
        fleet.map((d) =>
          sendAsDevice({
            urls: () => [p.url],
            token: d.token,
            batches: d.batches,
            perRequest: 5,
            stats,
            onAck: () => {
              acked += 5;
              if (acked >= killAt && killing.length === 0) {
                killing.push(
                  (async () => {
                    const leader = await cluster.streamLeader('OPENUBI_INGEST');
                    assert.ok(leader, 'the stream has a leader');
                    killedLeader = leader;
                    ackedAtKill = acked;
                    await cluster.kill(leader);
                  })(),
                );
              }
            },
          }),
        ),
      );
      await Promise.all(killing);
      assert.ok(killedLeader, 'the leader was killed during ingest');
      assert.ok(acked > ackedAtKill, 'ingest went on after the leader was killed');

      const ingestS = (Date.now() - t0) / 1000;
      await waitFor(
        async () => (await countProcessed(tdb.url)) >= total,
        'every acknowledged batch processed',
      );
      t.diagnostic(
        `${total} batches: ingest ${ingestS} s, drained at ${(Date.now() - t0) / 1000} s; ${JSON.stringify(stats)}`,
      );
      const newLeader = await cluster.streamLeader('OPENUBI_INGEST');
      assert.ok(newLeader && newLeader !== killedLeader, `a new leader was elected (was ${killedLeader})`);
      const jsm = await jetstreamManager(await connectTo(cluster.url));
      const info = await jsm.streams.info('OPENUBI_INGEST');
      assert.equal(info.config.num_replicas, 3);
      assert.equal(info.cluster?.replicas?.length, 2, 'the leader has two replicas');

      for (const d of fleet) {
        const got = await storedFor(tdb.url, d.id);
        assert.deepEqual(
          got.appliedOrder,
          d.batches.map((b) => b.batchId),
          `${d.id}: each batch once, in order`,
        );
        const want = offlineResult(d.id, d.batches);
        assert.ok(want.trips.length >= 1);
        assert.deepEqual(got.trips, want.trips, `${d.id}: trips equal the offline run`);
        assert.deepEqual(got.events, want.events, `${d.id}: events equal the offline run`);
      }
    });
  });
}

async function connectTo(url: string) {
  const nc = await connect({ servers: url.split(',') });
  cleanup.push(() => nc.close());
  return nc;
}

for (const m of [...missing, ...(missingNats ? [missingNats] : [])])
  describe(`skipped: ${m}`, { skip: m }, () => {});
