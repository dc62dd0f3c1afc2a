// Model lifecycle with the database: a simulated training portfolio on the real road network, and the demo's
// first champion — a telematics frequency GLM trained and promoted when the tenant has none.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { importOsmPbf, type RoadNetwork } from '../geo/index.ts';
import {
  policyRow,
  TELEMATICS_MODEL_NAME,
  type TelematicsRow,
  type TelematicsTrainResult,
  trainTelematicsModel,
} from '../risk/telematics/index.ts';
import { createRng, drawClaims, generatePortfolio, networkPlanner } from '../sim/index.ts';
import type { Db } from '../store/db.ts';
import { createPgModelRegistry } from '../store/models.ts';
import { loadActiveRoadNetwork } from '../store/roads.ts';

export const DEFAULT_OSM_FILE = fileURLToPath(
  new URL('../../../shared/data/osm/andorra.osm.pbf', import.meta.url),
);

export interface SimulatedPortfolioOptions {
  network: RoadNetwork;
  policies: number;
  seed: string | number;
  /**
   * Policy-years each simulated driver's claims are observed for (default 1). Claims for the extra years are
   * drawn from the same documented process (src/sim/claims.ts drawClaims) on the same driving summary, so the
   * portfolio is `policies` driving profiles × `years` of experience: many claims without simulating more
   * drivers (simulating driving is the expensive part).
   */
  years?: number;
  /** Trips sampled per driver (the simulator's default is 6; fewer is faster and noisier). */
  tripsPerDriver?: number;
  routePoolSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * A portfolio from src/sim/portfolio.ts as model rows (behaviour in pricing units, see policyRow): `rows` with
 * `years` of claims experience, and `asGenerated` with only the portfolio's own single-term claims.
 */
export function simulatePortfolio(o: SimulatedPortfolioOptions): {
  rows: TelematicsRow[];
  asGenerated: TelematicsRow[];
} {
  const planner = networkPlanner(o.network);
  const years = o.years ?? 1;
  const extra = createRng(`${o.seed}:experience`);
  const rows: TelematicsRow[] = [];
  const asGenerated: TelematicsRow[] = [];
  const every = Math.max(1, Math.round(o.policies / 10));
  for (const p of generatePortfolio({
    planner,
    policies: o.policies,
    seed: o.seed,
    ...(o.tripsPerDriver !== undefined ? { tripsPerDriver: o.tripsPerDriver } : {}),
    ...(o.routePoolSize !== undefined ? { routePoolSize: o.routePoolSize } : {}),
  })) {
    const row = policyRow(p);
    asGenerated.push({ ...row });
    if (years > 1) {
      const more = drawClaims(p, p.exposureYears * (years - 1), extra.fork(p.policyId));
      row.claims += more.count;
      row.exposureYears = p.exposureYears * years;
    }
    rows.push(row);
    if (rows.length % every === 0) o.onProgress?.(rows.length, o.policies);
  }
  return { rows, asGenerated };
}

export function simulatePortfolioRows(o: SimulatedPortfolioOptions): TelematicsRow[] {
  return simulatePortfolio(o).rows;
}

export interface EnsureChampionOptions {
  /** Road network to simulate on; default the stored active one, else the Andorra extract in ../shared/data. */
  network?: RoadNetwork;
  osmFile?: string;
  /** Default 300 drivers × 2 sampled trips × 30 years of claims: ~4–6 s on the 2-core development machine. */
  policies?: number;
  tripsPerDriver?: number;
  years?: number;
  seed?: number;
}

export interface EnsureChampionResult {
  created: boolean;
  /** The champion's version (existing or new), null when none could be trained (no road network). */
  version: number | null;
  result?: TelematicsTrainResult;
}

async function networkFor(db: Db, logger: Logger, o: EnsureChampionOptions): Promise<RoadNetwork | null> {
  if (o.network) return o.network;
  const stored = await loadActiveRoadNetwork(db);
  if (stored) return stored.network;
  const file = o.osmFile ?? DEFAULT_OSM_FILE;
  if (!existsSync(file)) return null;
  logger.info({ osmFile: file }, 'models: importing a road network to simulate the training portfolio on');
  return (await importOsmPbf(file, { countryCode: 'AD' })).network;
}

/**
 * When the tenant has no champion 'telematics-frequency': simulates a seeded portfolio on the road network,
 * trains the telematics GLM, saves it and promotes it (by 'system'). Idempotent; progress goes to the logger.
 */
export async function ensureChampionModel(
  db: Db,
  tenantId: string,
  logger: Logger,
  opts: EnsureChampionOptions = {},
): Promise<EnsureChampionResult> {
  // Several processes (gateway, worker) may start at once: one trains, the others wait and find its champion.
  const lock = await db.pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, tenantId]);
    return await trainIfMissing(db, tenantId, logger, opts);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, tenantId]).catch(() => {});
    lock.release();
  }
}

const LOCK_CLASS = 727_010;

async function trainIfMissing(
  db: Db,
  tenantId: string,
  logger: Logger,
  opts: EnsureChampionOptions,
): Promise<EnsureChampionResult> {
  const registry = createPgModelRegistry(db, tenantId);
  const existing = await registry.getChampion(TELEMATICS_MODEL_NAME);
  if (existing) return { created: false, version: existing.info.version };
  const network = await networkFor(db, logger, opts);
  if (!network) {
    logger.warn(
      'models: no road network and no OSM extract; no telematics model trained (pricing stays flat)',
    );
    return { created: false, version: null };
  }
  const t0 = performance.now();
  const policies = opts.policies ?? 300;
  const seed = opts.seed ?? 2024;
  logger.info(
    { tenantId, policies, seed },
    'models: simulating a training portfolio for the telematics model',
  );
  const rows = simulatePortfolioRows({
    network,
    policies,
    seed,
    years: opts.years ?? 30,
    tripsPerDriver: opts.tripsPerDriver ?? 2,
    routePoolSize: 100,
    onProgress: (done, total) => logger.info({ done, total }, 'models: portfolio progress'),
  });
  const result = await trainTelematicsModel(rows, {
    seed,
    onProgress: (m) => logger.debug({ step: m }, 'models: training'),
  });
  const saved = await registry.save(TELEMATICS_MODEL_NAME, result.artifact);
  const promoted = await registry.promote(TELEMATICS_MODEL_NAME, saved.version, 'system');
  if (!promoted.ok) throw new Error(promoted.error.message);
  logger.info(
    {
      tenantId,
      version: saved.version,
      claims: result.learn.observed + result.test.observed,
      testGini: Number(result.test.gini.toFixed(3)),
      giniGain: Number(result.giniGain.toFixed(3)),
      dropped: result.droppedBehaviours,
      durationMs: Math.round(performance.now() - t0),
    },
    'models: telematics frequency model trained and promoted',
  );
  return { created: true, version: saved.version, result };
}
