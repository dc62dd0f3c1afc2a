import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { runWith } from '../cli/commands/simulate.ts';
import { IngestBatchV1 } from '../domain/wire.ts';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runWith(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  return { code, out: out.join(''), err: err.join('') };
}

const dir = mkdtempSync(join(tmpdir(), 'openubi-sim-'));

describe('openubi simulate', () => {
  test('rejects bad input with exit code 2 and names the bad option', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--days', '1', '--out', 'x'], /--drivers is required/],
      [['--drivers', 'ten', '--days', '1', '--out', 'x'], /--drivers must be a whole number/],
      [['--drivers', '2', '--days', '0', '--out', 'x'], /--days must be a whole number/],
      [['--drivers', '2', '--days', '1', '--protocol', 'mqtt', '--out', 'x'], /--protocol must be one of/],
      [['--drivers', '2', '--days', '1', '--bogus'], /bogus/],
      [['--drivers', '2', '--days', '1'], /nothing to do/],
      [['--drivers', '2', '--days', '1', '--start', '2024-13-45', '--out', 'x'], /--start must be a date/],
      [['--drivers', '2', '--days', '1', '--speedup', '0', '--out', 'x'], /--speedup must be a positive/],
      [['--drivers', '2', '--days', '1', '--target', 'ftp://x'], /--target 'ftp:\/\/x' is not/],
      [['--drivers', '2', '--days', '1', '--target', 'http://localhost:1'], /needs device credentials/],
      [
        ['--drivers', '2', '--days', '1', '--target', 'http://h', '--tokens', '/nonexistent.json'],
        /--tokens: cannot read/,
      ],
      [['--drivers', '2', '--days', '1', '--out', 'x', '--osm', '/nonexistent.pbf'], /--osm: no such file/],
      [['--drivers', '2', '--days', '1', '--out', 'x', '--tz', 'Mars/Olympus'], /--tz/],
    ];
    for (const [argv, message] of cases) {
      const r = await capture(argv);
      assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code}`);
      assert.match(r.err, message, `${argv.join(' ')}: ${r.err.split('\n')[0]}`);
    }
    const help = await capture(['--help']);
    assert.equal(help.code, 0, 'help');
    assert.match(help.out, /usage: openubi simulate/);
  });

  test('writes v1 NDJSON and truth for a fleet on the Andorra network, the same bytes for the same seed', async () => {
    const run = async (tag: string) => {
      const out = join(dir, `${tag}.ndjson`);
      const truth = join(dir, `${tag}.truth.ndjson`);
      const r = await capture([
        '--drivers',
        '1',
        '--days',
        '1',
        '--seed',
        '4',
        '--start',
        '2024-03-05',
        '--out',
        out,
        '--truth',
        truth,
      ]);
      assert.equal(r.code, 0, r.err);
      return { r, out: readFileSync(out, 'utf8'), truth: readFileSync(truth, 'utf8') };
    };
    const a = await run('a');
    const b = await run('b');
    assert.equal(a.out, b.out, 'identical data');
    assert.equal(a.truth, b.truth, 'identical truth');
    const lines = a.out.trim().split('\n');
    assert.ok(lines.length > 5, `${lines.length} batches`);
    for (const line of lines.slice(0, 50))
      assert.ok(Value.Check(IngestBatchV1, JSON.parse(line)), 'v1 schema');
    const summary = JSON.parse(a.r.out);
    assert.equal(summary.batches, lines.length);
    assert.equal(summary.trips, a.truth.trim().split('\n').length);
    assert.equal(summary.devices[0].deviceId, 'sim-phone-00000');
  });

  test('streams batches to /v1/ingest, retrying after 429 with Retry-After, and reports accepted counts', async () => {
    let calls = 0;
    let accepted = 0;
    const auth: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls++;
        auth.push(String(req.headers.authorization));
        if (calls === 2) {
          res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
          res.end('{"error":"overloaded"}');
          return;
        }
        assert.equal(req.url, '/v1/ingest');
        assert.equal(req.headers['content-type'], 'application/x-ndjson');
        let n = 0;
        for (const line of body.split('\n')) {
          const b = JSON.parse(line);
          n += b.gps?.t.length ?? 0;
          n += b.imu?.t.length ?? 0;
          n += b.phone?.length ?? 0;
        }
        accepted += n;
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: n, duplicate: false }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify([{ id: 'sim-phone-00000', token: 'oubi_t.secret' }]));
    try {
      const r = await capture([
        '--drivers',
        '1',
        '--days',
        '1',
        '--seed',
        '2',
        '--start',
        '2024-03-05',
        '--target',
        `http://127.0.0.1:${port}`,
        '--tokens',
        tokens,
      ]);
      assert.equal(r.code, 0, r.err);
      const summary = JSON.parse(r.out);
      assert.equal(summary.sent.accepted, accepted);
      assert.ok(summary.sent.retries >= 1, 'the 429 was retried');
      assert.ok(accepted > 1000, `accepted ${accepted}`);
      assert.ok(
        auth.every((a) => a === 'Bearer oubi_t.secret'),
        'bearer token per device',
      );
      assert.match(r.err, /HTTP 429; retrying/);
    } finally {
      server.close();
    }
  });
});
