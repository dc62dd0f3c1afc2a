// The API test app with options startV1TestApp does not take (rate limits, webhook key), and small helpers for
// tests that wait on background work (webhook dispatcher, live hub).
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../src/api/app.ts';
import { registerV1Routes, type V1Deps } from '../src/api/v1/index.ts';
import type { V1TestApp } from '../src/api/v1/testing.ts';
import { platformMetrics } from '../src/ops/metrics.ts';
import { createDb, migrate } from '../src/store/index.ts';

export async function startApiApp(
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

/** Resolves once `check` returns a value other than undefined/false; fails after `timeoutMs` naming `what`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
