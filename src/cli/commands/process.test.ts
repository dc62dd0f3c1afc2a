import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { G_MPS2 } from '../../domain/index.ts';
import { tripAround } from '../../pipeline/testkit.ts';
import { parseLine } from './process.ts';

const BIN = fileURLToPath(new URL('../../../bin/openubi.js', import.meta.url));

describe('openubi process', () => {
  test('parseLine names what is wrong with a line', () => {
    assert.match((parseLine('{"deviceId": ') as { message: string }).message, /not JSON/);
    assert.match(
      (
        parseLine('{"deviceId":"a","batchId":"b","gps":{"t":[1],"lat":[91],"lon":[1]}}') as {
          message: string;
        }
      ).message,
      /\/gps\/lat\/0/,
    );
    assert.match(
      (
        parseLine('{"deviceId":"a","batchId":"b","gps":{"t":[1,2],"lat":[1],"lon":[1,2]}}') as {
          message: string;
        }
      ).message,
      /\/gps\/lat: 1 values for 2 timestamps/,
    );
    const ok = parseLine('{"deviceId":"a","batchId":"b","phone":[{"t":5,"event":"unlock"}]}');
    assert.ok(ok.ok && ok.batch.source === 'v1' && ok.batch.phone?.length === 1);
  });

  test('processes interleaved devices, skips and counts a malformed line, prints trips and events', () => {
    const T0 = Date.UTC(2024, 2, 5, 10, 0, 0);
    const a = tripAround([{ durationS: 1.5, accelMps2: -0.45 * G_MPS2 }], {
      deviceId: 'phone-a',
      startMs: T0,
      imuHz: 25,
    });
    const b = tripAround([{ durationS: 30 }], { deviceId: 'phone-b', startMs: T0 + 2000, frame: null });
    const lines: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      for (const x of [a[i], b[i]]) {
        if (!x) continue;
        const { source: _s, receivedAtMs: _r, ...wire } = x;
        lines.push(JSON.stringify(wire));
      }
      if (i === 10) lines.push('{"deviceId": "phone-a", oops');
    }
    const dir = mkdtempSync(join(tmpdir(), 'openubi-process-'));
    try {
      const file = join(dir, 'in.ndjson');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const r = spawnSync(process.execPath, [BIN, 'process', file, '--compact', '--quiet'], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /line 23: not JSON/);
      const out = JSON.parse(r.stdout) as {
        summary: { malformedLines: number; devices: number; trips: number; batches: number };
        trips: { deviceId: string; trace: { tMs: number[] } }[];
        events: { deviceId: string; kind: string }[];
      };
      assert.equal(out.summary.malformedLines, 1);
      assert.equal(out.summary.devices, 2);
      assert.equal(out.summary.batches, lines.length - 1);
      assert.deepEqual(
        out.trips.map((t) => t.deviceId),
        ['phone-a', 'phone-b'],
      );
      assert.equal(out.trips[0]!.trace.tMs.length, 0, '--compact drops traces');
      assert.deepEqual(
        out.events.filter((e) => e.kind === 'harsh_braking').map((e) => e.deviceId),
        ['phone-a'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad option is an error naming it (exit 2)', () => {
    const r = spawnSync(process.execPath, [BIN, 'process', '-', '--tz', 'Nowhere/Land'], {
      encoding: 'utf8',
      input: '',
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Nowhere\/Land/);
  });
});
