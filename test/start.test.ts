// The newcomer's path: `openubi start` on embedded defaults serves /health, and SIGTERM stops it cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { freePort, waitForPort } from './support/env.ts';

const BIN = fileURLToPath(new URL('../bin/openubi.js', import.meta.url));

test('openubi start runs on an embedded PostgreSQL under DATA_DIR and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openubi-start-'));
  const port = await freePort();
  const pgPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
    OSMAND_PORT: '0',
    TELTONIKA_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.NATS_URL;
  const proc = spawn(process.execPath, [BIN, 'start', '--port', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += String(d)));
  try {
    await waitForPort(port, 60_000);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as { status: string };
    assert.equal(ready.status, 'ready');
    proc.kill('SIGTERM');
    const code = await new Promise((r) => proc.once('exit', r));
    assert.equal(code, 0, stderr);
    // The embedded PostgreSQL went down with it: its port is free again.
    await assert.rejects(waitForPort(pgPort, 500));
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openubi start reports every configuration problem at once and exits 2', async () => {
  const proc = spawn(process.execPath, [BIN, 'start'], {
    env: { ...process.env, PORT: 'x', DATABASE_URL: 'mysql://nope', ROLES: 'chef' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += String(d)));
  const code = await new Promise((r) => proc.once('exit', r));
  assert.equal(code, 2);
  assert.match(stderr, /3 problem/);
  assert.match(stderr, /PORT/);
  assert.match(stderr, /DATABASE_URL/);
  assert.match(stderr, /chef/);
});
