// Opens the bus described by BUS_KIND / BUS_DB_URL / BUS_NATS_URL (used by child processes in tests).
import { type Bus, createJetStreamBus, createPostgresBus } from '../../src/bus/index.ts';
import { createDb } from '../../src/store/db.ts';

export async function openTestBus(): Promise<Bus> {
  if (process.env.BUS_KIND === 'jetstream')
    return createJetStreamBus(process.env.BUS_NATS_URL!, { partitions: 4 });
  const url = process.env.BUS_DB_URL!;
  return createPostgresBus(createDb(url, { max: 4 }), url, { partitions: 4 });
}
