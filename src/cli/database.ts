// For commands that need the database: use the configured server, the running platform's embedded
// PostgreSQL, or start the embedded one for the duration of the command.
import type { Config } from '../config/index.ts';
import { createLogger } from '../config/logger.ts';
import { createDb, type Db, embeddedUrl, migrate, startEmbeddedPostgres } from '../store/index.ts';

export async function withDatabase<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const logger = createLogger('warn', 'openubi-cli');
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!url) {
    url = embeddedUrl(config.embeddedPgPort);
    const probe = createDb(url, { max: 1 });
    const running = await probe.query('SELECT 1').then(
      () => true,
      () => false,
    );
    await probe.close();
    if (!running) {
      const e = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, logger });
      url = e.url;
      stopEmbedded = e.stop;
    }
  }
  const db = createDb(url, { max: 4 });
  try {
    await migrate(db, logger);
    return await fn(db);
  } finally {
    await db.close();
    await stopEmbedded?.();
  }
}
