// `openubi create-user` as a user runs it: the password comes in on stdin, nothing secret comes out, and the
// user can log in to the API.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { login } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const BIN = fileURLToPath(new URL('../bin/openubi.js', import.meta.url));

function cli(args: string[], stdin: string, databaseUrl: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, 'create-user', ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

if (targets.length === 0) test.skip(`openubi create-user: ${missing.join('; ')}`, () => {});

for (const target of targets.slice(0, 1)) {
  describe(`openubi create-user on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, randomBytes(32).toString('hex'));
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('creates a user who can log in, printing nothing secret', async () => {
      const password = `cli-${randomBytes(10).toString('hex')}`;
      const args = ['--tenant', 'acme', '--email', 'Ops@Acme.example', '--role', 'admin', '--password-stdin'];
      const r = await cli(args, `${password}\n`, tdb.url);
      assert.equal(r.code, 0, r.stderr);
      const user = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(user.email, 'ops@acme.example');
      assert.equal(user.role, 'admin');
      assert.equal(`${r.stdout}${r.stderr}`.includes(password), false);
      assert.equal(/scrypt|hash/i.test(r.stdout), false);
      await login(t, 'acme', 'ops@acme.example', password);

      const again = await cli(args, `${password}\n`, tdb.url);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /already exists/);
    });

    test('refuses bad input with the option named and exit code 2', async () => {
      const pw = `${randomBytes(10).toString('hex')}\n`;
      const cases: Array<[string[], string, RegExp]> = [
        [['--email', 'a@b.example', '--role', 'root', '--password-stdin'], pw, /--role/],
        [['--email', 'nope', '--role', 'admin', '--password-stdin'], pw, /--email/],
        [['--email', 'a@b.example', '--role', 'admin'], pw, /--password-stdin/],
        [['--email', 'a@b.example', '--role', 'admin', '--password-stdin'], 'short\n', /at least 10/],
        [['--email', 'a@b.example', '--role', 'driver', '--password-stdin'], pw, /driver/],
        [
          ['--email', 'a@b.example', '--role', 'driver', '--driver', 'ghost', '--password-stdin'],
          pw,
          /ghost/,
        ],
        [['--bogus'], pw, /bogus/],
      ];
      for (const [args, stdin, message] of cases) {
        const r = await cli(args, stdin, tdb.url);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
    });
  });
}
