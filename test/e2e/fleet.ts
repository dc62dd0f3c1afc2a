// The real platform on a fresh database with a small simulated fleet driven through the real ingest path (the
// demo's fleet, accounts, policies and champion model), waited on until every batch is processed and priced.
import { demoPassword } from '../../src/api/demo-accounts.ts';
import { DEMO_TENANT, ensureRoadNetwork, fillDemo } from '../../src/api/demo.ts';
import type { Platform } from '../../src/api/platform.ts';
import { createLogger } from '../../src/config/logger.ts';
import { INGEST_TOPIC } from '../../src/ingest/gateway.ts';
import { createDb, migrate } from '../../src/store/index.ts';
import { WORKER_GROUP } from '../../src/worker/index.ts';
import { freshDatabase, type PgTarget } from '../support/env.ts';
import { startOn } from '../support/platform.ts';

export interface Fleet {
  platform: Platform;
  url: string;
  tenant: string;
  password: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the worker has taken every batch off the bus and the stored quotes stop changing. */
async function settle(p: Platform, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  let stableSince = Date.now();
  while (Date.now() < until) {
    const lag = await p.bus.lag(INGEST_TOPIC, WORKER_GROUP);
    const { rows } = await p.db.query<{ trips: number; quotes: number }>(
      `SELECT (SELECT count(*)::int FROM trips) AS trips, (SELECT count(*)::int FROM quotes) AS quotes`,
    );
    const now = `${lag}/${rows[0]!.trips}/${rows[0]!.quotes}`;
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (lag === 0 && Date.now() - stableSince > 3000) return;
    await sleep(250);
  }
  throw new Error(`the fleet did not settle within ${timeoutMs} ms (lag/trips/quotes ${last})`);
}

export async function startFleet(
  target: PgTarget,
  opts: { drivers: number; days: number; seed: string },
): Promise<Fleet> {
  const tdb = await freshDatabase(target);
  const logger = createLogger(process.env.TEST_LOG ?? 'silent');
  // The road network goes in first, so the worker starts with speed limits (as `openubi start --demo` does).
  const setup = createDb(tdb.url, { max: 2 });
  await migrate(setup, logger);
  await ensureRoadNetwork(setup, logger);
  await setup.close();
  const platform = await startOn(tdb.url);
  try {
    const fill = await fillDemo(platform.db, platform.url, logger, opts);
    if (!fill.started)
      throw new Error('the demo fleet did not start (is the OSM extract in ../shared/data?)');
    await fill.done;
    await settle(platform, 240_000);
    return {
      platform,
      url: platform.url,
      tenant: DEMO_TENANT,
      password: await demoPassword(platform.db),
      async stop() {
        await platform.stop();
        await tdb.drop();
      },
    };
  } catch (e) {
    await platform.stop();
    await tdb.drop();
    throw e;
  }
}
