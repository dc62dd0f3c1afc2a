// A PostgreSQL server of a test's own (Debian's binaries, pg_ctl on a temp data dir, as the postgres user when
// root), which the test may stop and start again — never the shared test server.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, inCI } from './env.ts';

export interface OwnPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function pgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const v = readdirSync(base)
    .sort((a, b) => Number(a) - Number(b))
    .pop();
  return v && existsSync(join(base, v, 'bin', 'pg_ctl')) ? join(base, v, 'bin') : null;
}

/** Why an own PostgreSQL cannot be started here (a failure in CI, a skip elsewhere), or null. */
export function ownPostgresMissing(): string | null {
  if (pgBin()) return null;
  const missing = 'own PostgreSQL server: install postgresql (Debian) for the database-restart test';
  if (inCI) throw new Error(`CI requires every suite to run; missing: ${missing}`);
  return missing;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = pgBin();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'openubi-own-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  mkdirSync(data);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(data, uid, gid);
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const run = (args: string[]): void => {
    const r = asRoot
      ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', args.map((a) => `'${a}'`).join(' ')], {
          stdio: 'pipe',
        })
      : spawnSync(args[0]!, args.slice(1), { stdio: 'pipe' });
    if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  };
  run([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  const start = async (): Promise<void> =>
    run([
      join(bin, 'pg_ctl'),
      '-D',
      data,
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`,
      '-l',
      join(dir, 'log'),
      '-w',
      'start',
    ]);
  const stop = async (): Promise<void> => run([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']);
  await start();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await start();
      running = true;
    },
    async stop() {
      await stop();
      running = false;
    },
    async destroy() {
      if (running) await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
