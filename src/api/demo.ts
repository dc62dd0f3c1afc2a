// `openubi start --demo`: fills an empty database with a simulated fleet driving the real road network,
// sent through the real ingest path (HTTP v1, device tokens), in the background with progress in the log.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { importOsmPbf, type RoadNetwork } from '../geo/index.ts';
import { createV1Sender, networkPlanner, simulateFleet, toIngestBatchV1 } from '../sim/index.ts';
import type { Db } from '../store/db.ts';
import { ensureTenant, loadActiveRoadNetwork, registerDevice, saveRoadNetwork } from '../store/index.ts';
import { ensureChampionModel } from '../services/models.ts';
import { seedDemoAccounts } from './demo-accounts.ts';

export const DEMO_TENANT = 'demo';
const DEFAULT_OSM = fileURLToPath(new URL('../../../shared/data/osm/andorra.osm.pbf', import.meta.url));
const DAY_MS = 86_400_000;
const demoOsmFile = (): string => process.env.DEMO_OSM_FILE ?? DEFAULT_OSM;

export interface DemoOptions {
  drivers: number;
  days: number;
  seed: string;
  /** .osm.pbf to import when no road network is stored yet. */
  osmFile?: string;
  /** Aborts the streaming (platform shutdown). */
  signal?: AbortSignal;
  /** Where the demo accounts' password is written (owner-readable); none when omitted. */
  credentialsFile?: string;
}

/** The stored road network, importing the demo extract first when none is stored (and the file exists). */
export async function ensureRoadNetwork(
  db: Db,
  logger: Logger,
  osmFile = demoOsmFile(),
): Promise<RoadNetwork | null> {
  const stored = await loadActiveRoadNetwork(db);
  if (stored) return stored.network;
  if (!existsSync(osmFile)) {
    logger.warn(
      { osmFile },
      'demo: no road network stored and no OSM extract found; run `openubi import-osm FILE.osm.pbf` (or set DEMO_OSM_FILE) for a demo fleet',
    );
    return null;
  }
  logger.info({ osmFile }, 'demo: importing the road network');
  const { network, summary } = await importOsmPbf(osmFile, { countryCode: 'AD' });
  await saveRoadNetwork(db, { name: 'andorra', source: osmFile, country: 'AD', summary, network });
  return network;
}

/** Returns false (and does nothing) when the database already holds data. */
export async function fillDemo(
  db: Db,
  baseUrl: string,
  logger: Logger,
  opts: DemoOptions,
): Promise<{ started: boolean; done: Promise<void> }> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices');
  if (rows[0]!.n > 0) {
    logger.info('demo: the database already has devices; not adding a demo fleet');
    return { started: false, done: Promise.resolve() };
  }
  const net = await ensureRoadNetwork(db, logger, opts.osmFile ?? demoOsmFile());
  if (!net) return { started: false, done: Promise.resolve() };

  // The fleet drives the last `days` days up to today, so its trips look current.
  const start = new Date(Date.now() - opts.days * DAY_MS).toISOString().slice(0, 10);
  const fleet = simulateFleet({
    planner: networkPlanner(net),
    drivers: opts.drivers,
    days: opts.days,
    startDate: start,
    seed: opts.seed,
  });
  await ensureTenant(db, DEMO_TENANT, 'Demo insurer');
  // Trips are scored and priced as they complete: the demo insurer needs a champion model first.
  await ensureChampionModel(db, DEMO_TENANT, logger, { network: net });
  const tokens = new Map<string, string>();
  for (const d of fleet.drivers) {
    await db.query(
      `INSERT INTO drivers (id, tenant_id, external_ref, display_name, birth_year) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [
        d.driverId,
        DEMO_TENANT,
        d.driverId,
        `Demo driver ${d.index + 1} (${d.style})`,
        new Date().getUTCFullYear() - d.ageYears,
      ],
    );
    const dev = await registerDevice(db, {
      tenantId: DEMO_TENANT,
      kind: 'phone',
      id: d.deviceId,
      driverId: d.driverId,
    });
    tokens.set(d.deviceId, dev.token);
  }
  await seedDemoAccounts(db, DEMO_TENANT, fleet.drivers, logger, opts.credentialsFile ?? null);
  logger.info(
    { drivers: opts.drivers, days: opts.days, from: start },
    'demo: fleet registered; streaming its driving',
  );

  const sender = createV1Sender({ target: baseUrl, tokenFor: (id) => tokens.get(id) ?? null });
  const done = (async () => {
    let batches = 0;
    let trips = 0;
    let lastLog = Date.now();
    const span = fleet.periodEndMs - fleet.periodStartMs;
    for (const ev of fleet.events) {
      if (opts.signal?.aborted) {
        logger.info(
          { batches },
          'demo: stopped with the platform; it goes on where it stopped only in a fresh database',
        );
        return;
      }
      if (ev.type === 'trip') {
        trips++;
        continue;
      }
      await sender.add(toIngestBatchV1(ev.batch));
      batches++;
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        const pct = Math.min(100, Math.round(((ev.startMs - fleet.periodStartMs) / span) * 100));
        logger.info({ simulatedPct: pct, batches, trips }, 'demo: progress');
      }
    }
    await sender.flushAll();
    logger.info({ batches, trips, stats: sender.stats }, 'demo: fleet fully sent');
  })().catch((e) => logger.error({ err: (e as Error).message }, 'demo: filling stopped'));
  return { started: true, done };
}
