// The streaming framer: any split of the byte stream gives the same frames; limits are enforced.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { teltonikaCaptures } from '../testing.ts';
import { decodeDataFrame } from './decoder.ts';
import { type TeltonikaFrame, TeltonikaFrameDecoder } from './frame-decoder.ts';

const valid = teltonikaCaptures().filter((c) => c.codec === 'imei-login' || decodeDataFrame(c.bytes).ok);

function drain(d: TeltonikaFrameDecoder): TeltonikaFrame[] {
  const out: TeltonikaFrame[] = [];
  for (;;) {
    const r = d.next();
    assert.ok(r.ok, !r.ok ? r.error.message : '');
    if (r.value === null) return out;
    out.push(r.value);
  }
}

const recordsOf = (f: TeltonikaFrame) => {
  assert.equal(f.kind, 'data');
  const d = decodeDataFrame(f.kind === 'data' ? f.frame : Buffer.alloc(0));
  assert.ok(d.ok);
  return d.value.data;
};

describe('Teltonika frame decoder', () => {
  test('every valid capture split at every byte boundary decodes to the same records', () => {
    assert.ok(valid.length >= 25);
    for (const c of valid) {
      const whole = new TeltonikaFrameDecoder();
      whole.push(c.bytes);
      const [expected] = drain(whole);
      assert.ok(expected);
      for (let k = 1; k < c.bytes.length; k++) {
        const d = new TeltonikaFrameDecoder();
        d.push(c.bytes.subarray(0, k));
        assert.deepEqual(drain(d), [], `capture ${c.idx} split at ${k} gave a frame early`);
        d.push(c.bytes.subarray(k));
        const frames = drain(d);
        assert.equal(frames.length, 1, `capture ${c.idx} split at ${k}`);
        if (expected.kind === 'login') assert.deepEqual(frames[0], expected);
        else assert.deepEqual(recordsOf(frames[0]!), recordsOf(expected));
        assert.equal(d.bufferedBytes, 0);
      }
    }
  });

  test('a stream fed one byte at a time yields every frame in order', () => {
    const stream = Buffer.concat(valid.map((c) => c.bytes));
    const d = new TeltonikaFrameDecoder();
    const frames: TeltonikaFrame[] = [];
    for (const b of stream) {
      d.push(Buffer.from([b]));
      frames.push(...drain(d));
    }
    assert.equal(frames.length, valid.length);
    assert.deepEqual(
      frames.map((f) => f.kind),
      valid.map((c) => (c.codec === 'imei-login' ? 'login' : 'data')),
    );
  });

  test('several frames in one read all come out, keep-alive 0xFF bytes between them are skipped', () => {
    const parts = valid.slice(0, 6).flatMap((c) => [Buffer.from([0xff, 0xff]), c.bytes]);
    const d = new TeltonikaFrameDecoder();
    d.push(Buffer.concat(parts));
    assert.equal(drain(d).length, 6);
  });

  test('a frame over the size limit is refused from its header, before it is buffered', () => {
    const big = Buffer.alloc(12);
    big.writeUInt32BE(1_000_000, 4);
    const d = new TeltonikaFrameDecoder(4096);
    d.push(big);
    const r = d.next();
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'frame_too_large');
    assert.equal(d.bufferedBytes, 0);
    d.push(Buffer.alloc(100));
    assert.equal(d.next().ok, false, 'a failed stream stays failed');
  });

  test('bytes that are neither a login nor a data preamble are refused', () => {
    for (const [bytes, code] of [
      [Buffer.from('GET / HTTP/1.1\r\n'), 'bad_frame'],
      [Buffer.from([0, 0, 0, 1, 0, 0, 0, 10]), 'bad_preamble'],
      [Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), 'bad_length'],
      [Buffer.from([0, 3, 0x31, 0x0a, 0x32]), 'bad_login'],
    ] as const) {
      const d = new TeltonikaFrameDecoder();
      d.push(bytes);
      const r = d.next();
      assert.equal(!r.ok && r.error.code, code, bytes.toString('hex'));
    }
  });
});
