// Real servers for benchmarks: a throwaway PostgreSQL server (Debian's binaries, run as 'postgres') and
// a NATS JetStream server, both on loopback, both removed afterwards.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../test/support/env.ts';

export interface Server {
  url: string;
  stop(): Promise<void>;
}

function pgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const v = readdirSync(base).sort().pop();
  return v ? join(base, v, 'bin') : null;
}

/** BENCH_DATABASE_URL if set, else a fresh PostgreSQL server cluster, else null. */
export async function postgresServer(): Promise<Server | null> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: async () => {} };
  const bin = pgBin();
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'openubi-bench-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  mkdirSync(data);
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(data, uid, gid);
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const run = (args: string[]): void => {
    const cmd = asPostgres ? 'su' : args[0]!;
    const full = asPostgres
      ? ['postgres', '-s', '/bin/sh', '-c', args.map((a) => `'${a}'`).join(' ')]
      : args.slice(1);
    const r = spawnSync(cmd, full, { stdio: 'pipe' });
    if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  };
  run([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  run([
    join(bin, 'pg_ctl'),
    '-D',
    data,
    '-o',
    // Checkpoints spaced as docs/operations.md advises for an ingest database (fewer full-page writes).
    `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB -c max_wal_size=8GB -c checkpoint_timeout=15min`,
    '-l',
    join(dir, 'log'),
    '-w',
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      run([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** BENCH_NATS_URL if set, else a nats-server -js started here, else null. */
export async function natsJetStream(): Promise<Server | null> {
  if (process.env.BENCH_NATS_URL) return { url: process.env.BENCH_NATS_URL, stop: async () => {} };
  if (spawnSync('sh', ['-c', 'command -v nats-server']).status !== 0) return null;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'openubi-bench-nats-'));
  const proc: ChildProcess = spawn(
    'nats-server',
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort(port);
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
