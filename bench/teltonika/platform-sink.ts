// The real durable path for `openubi bench teltonika --sink module:bench/teltonika/platform-sink.ts`: the
// gateway publishing to the PostgreSQL queue on an embedded PostgreSQL, as `npm start` runs it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresBus } from '../../src/bus/index.ts';
import { createLogger } from '../../src/config/logger.ts';
import { createGateway } from '../../src/ingest/gateway.ts';
import type { DurableSink } from '../../src/ingest/protocols/index.ts';
import { platformMetrics } from '../../src/ops/metrics.ts';
import { createDb, migrate, startEmbeddedPostgres } from '../../src/store/index.ts';
import { freePort } from '../../test/support/env.ts';

export async function createSink(): Promise<{ name: string; sink: DurableSink; close(): Promise<void> }> {
  const logger = createLogger('warn');
  const dir = mkdtempSync(join(tmpdir(), 'openubi-bench-tlt-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), logger, persistent: false });
  const db = createDb(pg.url, { max: 10 });
  await migrate(db, logger);
  const bus = createPostgresBus(db, pg.url, { partitions: 16 });
  const gateway = createGateway({ bus, metrics: platformMetrics(), maxPendingBatches: 100_000 });
  return {
    name: 'platform: gateway → PostgreSQL queue on embedded PostgreSQL (the npm start default)',
    sink: {
      async write(batch) {
        const r = await gateway.accept([batch]);
        if (!r.ok) throw new Error(r.error.message);
        return { accepted: r.accepted, duplicate: r.duplicate };
      },
    },
    async close() {
      await bus.close();
      await db.close();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
