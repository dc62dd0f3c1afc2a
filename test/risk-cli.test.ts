// `openubi train … --save NAME --tenant T --promote` stores the trained artifact in the database registry.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/config/logger.ts';
import { createRng } from '../src/risk/prng.ts';
import { createDb, createPgModelRegistry, type Db, migrate } from '../src/store/index.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const BIN = fileURLToPath(new URL('../bin/openubi.js', import.meta.url));

function cli(args: string[], databaseUrl: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, 'train', ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

if (targets.length === 0) test.skip(`openubi train --save: ${missing.join('; ')}`, () => {});

for (const target of targets.slice(0, 1)) {
  describe(`openubi train --save on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let db: Db;
    const dir = mkdtempSync(join(tmpdir(), 'openubi-train-save-'));
    const data = join(dir, 'policies.csv');
    before(async () => {
      tdb = await freshDatabase(target);
      db = createDb(tdb.url, { max: 2 });
      await migrate(db, createLogger('silent'));
      const r = createRng(4);
      const rng = () => r.next();
      const lines = ['Claims,Exposure,Age,Region'];
      for (let i = 0; i < 600; i++) {
        const age = 18 + Math.floor(rng() * 60);
        lines.push(`${rng() < (age < 25 ? 0.2 : 0.06) ? 1 : 0},1,${age},${['N', 'S'][i % 2]}`);
      }
      writeFileSync(data, `${lines.join('\n')}\n`);
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const base = () => ['--data', data, '--target', 'Claims', '--exposure', 'Exposure', '--model', 'glm'];

    test('saves a new version for the tenant and promotes it when asked', async () => {
      const first = await cli([...base(), '--save', 'freq', '--tenant', 'ins-cli'], tdb.url);
      assert.equal(first.code, 0, first.stderr);
      const second = await cli([...base(), '--save', 'freq', '--tenant', 'ins-cli', '--promote'], tdb.url);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /saved freq version 2 for tenant ins-cli/);
      const reg = createPgModelRegistry(db, 'ins-cli');
      const list = await reg.list('freq');
      assert.deepEqual(
        list.map((i) => [i.version, i.champion, i.promotedBy]),
        [
          [1, false, null],
          [2, true, 'cli'],
        ],
      );
      const printed = JSON.parse(second.stdout) as { test: { gini: number } };
      assert.equal((list[1]!.metrics.test as { gini: number }).gini, printed.test.gini);
    });

    test('--promote without --save is refused, naming the option', async () => {
      const r = await cli([...base(), '--promote'], tdb.url);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--promote need --save/);
    });
  });
}
