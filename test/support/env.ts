// Where integration tests find their servers. Embedded PostgreSQL is started once by scripts/test.mjs
// (TEST_EMBEDDED_URL); a PostgreSQL server and NATS come from TEST_DATABASE_URL / TEST_NATS_URL (set by
// .ci/run), or a local nats-server binary is started on a free port. In CI a missing server is a failure.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export interface PgTarget {
  name: 'embedded' | 'server';
  adminUrl: string;
}

/** The PostgreSQL targets to run against, and why any is missing (a failure in CI, a skip elsewhere). */
export function pgTargets(): { targets: PgTarget[]; missing: string[] } {
  const targets: PgTarget[] = [];
  const missing: string[] = [];
  if (process.env.TEST_EMBEDDED_URL)
    targets.push({ name: 'embedded', adminUrl: process.env.TEST_EMBEDDED_URL });
  else missing.push('embedded PostgreSQL: run the tests through `npm test` (scripts/test.mjs starts it)');
  if (process.env.TEST_DATABASE_URL)
    targets.push({ name: 'server', adminUrl: process.env.TEST_DATABASE_URL });
  else
    missing.push(
      'PostgreSQL server: set TEST_DATABASE_URL=postgres://user@127.0.0.1:5432/postgres (see .ci/run) to run the suites on it',
    );
  if (inCI && missing.length > 0)
    throw new Error(`CI requires every suite to run; missing: ${missing.join('; ')}`);
  return { targets, missing };
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the target, dropped afterwards. */
export async function freshDatabase(target: PgTarget): Promise<TestDatabase> {
  const name = `openubi_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: target.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(target.adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: target.adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

const hasBinary = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

/** A NATS JetStream server: TEST_NATS_URL, else a nats-server started here; null (skip) outside CI. */
export async function natsServer(): Promise<{ server: NatsServer | null; missing: string | null }> {
  if (process.env.TEST_NATS_URL)
    return { server: { url: process.env.TEST_NATS_URL, stop: async () => {} }, missing: null };
  if (hasBinary('nats-server')) return { server: await startNats(), missing: null };
  const missing = 'NATS JetStream: install nats-server (apt-get install nats-server) or set TEST_NATS_URL';
  if (inCI) throw new Error(`CI requires every suite to run; missing: ${missing}`);
  return { server: null, missing };
}

export async function startNats(extraArgs: string[] = []): Promise<NatsServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'openubi-nats-'));
  const proc: ChildProcess = spawn(
    'nats-server',
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir, ...extraArgs],
    {
      stdio: 'ignore',
    },
  );
  const url = `nats://127.0.0.1:${port}`;
  await waitForPort(port);
  return {
    url,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts TCP connections on the port (or throws after timeoutMs). */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        r(true);
      });
      c.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}
