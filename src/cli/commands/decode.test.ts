// openubi decode end to end: JSON on stdout for good input, a message naming the problem and exit 2 otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { teltonika } from '../../ingest/protocols/index.ts';

const { crc16Ibm, encodeAvlFrame } = teltonika;

const BIN = fileURLToPath(new URL('../../../bin/openubi.js', import.meta.url));
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [BIN, 'decode', ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });

const frame = encodeAvlFrame(0x8e, [
  {
    timestampMs: Date.UTC(2024, 4, 1),
    priority: 0,
    latDeg: 42.5,
    lonDeg: 1.5,
    altitudeM: 1000,
    headingDeg: 90,
    satellites: 8,
    speedKmh: 72,
    eventIoId: 253,
    io: [
      { id: 253, size: 1, value: 2 },
      { id: 254, size: 1, value: 41 },
    ],
  },
]).toString('hex');

describe('openubi decode', () => {
  test('prints a Teltonika frame as records with fixes, attributes and device events', () => {
    const r = run(['--protocol', 'teltonika', frame]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.codec, 'codec8e');
    assert.equal(out.records[0].fix.speedMps, 20);
    assert.deepEqual(out.deviceEvents[0].kind, 'harsh_braking');
    assert.equal(out.deviceEvents[0].value, 0.41);
  });

  test('bad hex, a bad CRC and an unknown codec exit 2 naming the problem', () => {
    const badCrc = frame.slice(0, -2) + (frame.endsWith('00') ? '01' : '00');
    const data = Buffer.from([0x07, 0x01, 0x01]);
    const unknownCodec = `0000000000000003${data.toString('hex')}0000${crc16Ibm(data).toString(16).padStart(4, '0')}`;
    for (const [input, words] of [
      ['zz12', 'bad_hex'],
      [badCrc, 'bad_crc'],
      [unknownCodec, 'unknown_codec: unknown codec 0x07'],
      [frame.slice(0, -10), 'bad_length'],
    ] as const) {
      const r = run(['--protocol', 'teltonika', input]);
      assert.equal(r.status, 2, input);
      assert.match(r.stderr, new RegExp(words));
    }
  });

  test('an OsmAnd query and a JSON body decode; a malformed one names its field', () => {
    const q = run(['--protocol', 'osmand', '/?id=7&lat=60&lon=30&timestamp=1377177267']);
    assert.equal(q.status, 0, q.stderr);
    assert.equal(JSON.parse(q.stdout).fix.latDeg, 60);
    const bad = run(['--protocol', 'osmand', 'id=7&lat=north&lon=30']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /'lat'/);
  });

  test('- reads one input a line and reports failures by line number', () => {
    const r = run(['--protocol', 'osmand', '-'], 'id=1&lat=1&lon=2\n\nid=2&lat=x&lon=2\n');
    assert.equal(r.status, 2);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stderr, /line 3/);
  });

  test('a missing or wrong --protocol is a usage error', () => {
    assert.equal(run(['x']).status, 2);
    assert.match(run(['--protocol', 'nmea', 'x']).stderr, /--protocol must be/);
  });
});
