// The encoder writes frames the decoder reads back unchanged, with a correct CRC.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { teltonikaCaptures } from '../testing.ts';
import { type AvlRecord, CODEC_8, CODEC_8E, CODEC_16 } from './avl.ts';
import { crc16Ibm } from './crc16.ts';
import { decodeDataFrame } from './decoder.ts';
import { encodeAvlFrame, encodeLogin } from './encoder.ts';
import { TeltonikaFrameDecoder } from './frame-decoder.ts';

const record = (i: number, extra: AvlRecord['io'] = []): AvlRecord => ({
  timestampMs: Date.UTC(2024, 4, 1, 8, 0, i),
  priority: 1,
  latDeg: Number((42.5063 + i * 1e-4).toFixed(7)),
  lonDeg: Number((1.5218 - i * 1e-4).toFixed(7)),
  altitudeM: 1023,
  headingDeg: 87,
  satellites: 11,
  speedKmh: 48,
  eventIoId: 0,
  io: [
    { id: 239, size: 1, value: 1 },
    { id: 240, size: 1, value: 1 },
    { id: 66, size: 2, value: 13_800 },
    { id: 16, size: 4, value: 123_456 + i },
    { id: 78, size: 8, value: 0x0102030405060708n },
    ...extra,
  ],
});

describe('Teltonika encoder', () => {
  test('CRC-16/IBM matches the standard check value', () => {
    assert.equal(crc16Ibm(Buffer.from('123456789')), 0xbb3d);
  });

  for (const codec of [CODEC_8, CODEC_8E, CODEC_16] as const) {
    test(`codec 0x${codec.toString(16)} frames round-trip through the decoder`, () => {
      const records = [record(0), record(1), record(2)];
      const frame = encodeAvlFrame(codec, records);
      const d = decodeDataFrame(frame);
      assert.ok(d.ok, !d.ok ? d.error.message : '');
      assert.equal(d.value.count, 3);
      assert.deepEqual(d.value.data, {
        kind: 'records',
        codecId: codec,
        records: codec === CODEC_16 ? records.map((r) => ({ ...r, generationType: 0 })) : records,
      });
    });
  }

  test('codec 8E carries 2-byte IO ids and variable-length elements', () => {
    const r = record(0, [
      { id: 11317, size: 2, value: 7 },
      { id: 256, size: 'var', bytes: Buffer.from('WVWZZZ1JZXW000001') },
    ]);
    const d = decodeDataFrame(encodeAvlFrame(CODEC_8E, [r]));
    assert.ok(d.ok && d.value.data.kind === 'records');
    assert.deepEqual(d.value.data.records[0]!.io.at(-1), {
      id: 256,
      size: 'var',
      bytes: Buffer.from('WVWZZZ1JZXW000001'),
    });
  });

  test('re-encoding every real codec 8 / 8E / 16 capture gives back the same bytes', () => {
    let n = 0;
    for (const c of teltonikaCaptures()) {
      const d = decodeDataFrame(c.bytes);
      if (!d.ok || d.value.data.kind !== 'records') continue;
      assert.deepEqual(
        encodeAvlFrame(d.value.data.codecId, d.value.data.records),
        c.bytes,
        `capture ${c.idx}`,
      );
      n++;
    }
    assert.ok(n >= 20);
  });

  test('codec 8 refuses what it cannot carry', () => {
    assert.throws(() => encodeAvlFrame(CODEC_8, [record(0, [{ id: 300, size: 1, value: 1 }])]), RangeError);
    assert.throws(() =>
      encodeAvlFrame(CODEC_8, [record(0, [{ id: 256, size: 'var', bytes: Buffer.from('x') }])]),
    );
  });

  test('the login frame is the 2-byte length and the IMEI', () => {
    const d = new TeltonikaFrameDecoder();
    d.push(encodeLogin('356307042441013'));
    assert.deepEqual(d.next(), { ok: true, value: { kind: 'login', imei: '356307042441013' } });
  });
});
