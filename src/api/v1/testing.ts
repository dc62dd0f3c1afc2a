// For tests: the real app (buildApp + this plugin) on a given database, with a controllable clock and captured logs.
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { platformMetrics } from '../../ops/metrics.ts';
import { createDb, type Db, migrate } from '../../store/index.ts';
import { buildApp } from '../app.ts';
import { registerV1Routes } from './index.ts';
import type { V1Deps } from './types.ts';

export interface V1TestApp {
  app: FastifyInstance;
  db: Db;
  /** Every log line the app wrote (JSON), at trace level. */
  logs: string[];
  /** Registered routes under /v1 as `METHOD /url` (HEAD excluded). */
  routes: string[];
  clock: { nowMs: number; advance(ms: number): void };
  jwtSecret: string;
  close(): Promise<void>;
}

/** `extra` adds plugin options (rate limits, webhook key…); `setup` registers more on the app before it is ready. */
export async function startV1TestApp(
  databaseUrl: string,
  jwtSecret: string,
  extra: Partial<Omit<V1Deps, 'db' | 'logger' | 'jwtSecret' | 'now'>> = {},
  setup?: (app: FastifyInstance) => void,
): Promise<V1TestApp> {
  const logs: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
  const db = createDb(databaseUrl, { max: 10 });
  await migrate(db, logger);
  const app = buildApp({ logger, metrics: platformMetrics(), maxBodyBytes: 1_000_000, readiness: {} });
  const routes: string[] = [];
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) if (m !== 'HEAD' && r.url.startsWith('/v1/')) routes.push(`${m} ${r.url}`);
  });
  const clock = {
    nowMs: Date.now(),
    advance(ms: number) {
      clock.nowMs += ms;
    },
  };
  registerV1Routes(app, { db, logger, jwtSecret, now: () => clock.nowMs, ...extra });
  setup?.(app);
  await app.ready();
  return {
    app,
    db,
    logs,
    routes,
    clock,
    jwtSecret,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
