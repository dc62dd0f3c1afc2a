// A consumer in its own process that takes a message and never acknowledges it (the test kills it with -9).
import { openTestBus } from './bus-open.ts';

const topic = process.argv[2]!;
const bus = await openTestBus();
bus.subscribe(
  topic,
  async (m) => {
    process.stdout.write(`received ${m.id}\n`);
    await new Promise(() => {});
  },
  { group: 'g', leaseMs: 1500 },
);
