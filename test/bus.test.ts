import { after, before, describe } from 'node:test';
import { createJetStreamBus, createPostgresBus } from '../src/bus/index.ts';
import { createLogger } from '../src/config/logger.ts';
import { createDb } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { busContract } from './bus.contract.ts';
import { freshDatabase, natsServer, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const nats = await natsServer();
const log = createLogger('silent');

for (const target of targets) {
  describe(`PostgreSQL queue bus on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await freshDatabase(target);
      const db = createDb(tdb.url, { max: 2 });
      await migrate(db, log);
      await db.close();
    });
    after(async () => tdb.drop());
    busContract({
      name: `pg-queue/${target.name}`,
      make: async () => createPostgresBus(createDb(tdb.url, { max: 8 }), tdb.url, { partitions: 4 }),
      get childEnv() {
        return { BUS_KIND: 'postgres', BUS_DB_URL: tdb.url };
      },
    });
  });
}

if (nats.server) {
  const server = nats.server;
  describe('NATS JetStream bus', () => {
    after(async () => server.stop());
    busContract({
      name: 'jetstream',
      make: async () => createJetStreamBus(server.url, { partitions: 4 }),
      childEnv: { BUS_KIND: 'jetstream', BUS_NATS_URL: server.url },
    });
  });
}

for (const m of [...missing, ...(nats.missing ? [nats.missing] : [])]) {
  describe(`skipped: ${m}`, { skip: m }, () => {});
}
