// Fuzzing with seeded randomness: mutated real frames, random bytes, truncated and oversized frames, against
// the decoder and against a live server. Nothing may throw, hang or grow without bound; bad frames get no ACK.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RecordingSink, TestClient, captureLogger, directoryOf, teltonikaCaptures } from '../testing.ts';
import { decodeAvlData, decodeDataFrame } from './decoder.ts';
import { encodeLogin } from './encoder.ts';
import { TeltonikaFrameDecoder } from './frame-decoder.ts';
import { createTeltonikaServer } from './server.ts';
import { teltonikaBatchId } from './to-batch.ts';

const SEED = 20240501;
const frames = teltonikaCaptures()
  .filter((c) => c.codec !== 'imei-login' && decodeDataFrame(c.bytes).ok)
  .map((c) => c.bytes);

const frameArb = fc.constantFrom(...frames);
const mutationArb = fc.array(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')),
  {
    minLength: 1,
    maxLength: 8,
  },
);

function mutate(frame: Buffer, edits: Array<[number, number, string]>): Buffer {
  const b = [...frame];
  for (const [at, v, op] of edits) {
    const i = at % (b.length + 1);
    if (op === 'set' && i < b.length) b[i] = v;
    else if (op === 'insert') b.splice(i, 0, v);
    else if (op === 'delete' && b.length > 0) b.splice(Math.min(i, b.length - 1), 1);
  }
  return Buffer.from(b);
}

/** Feeds bytes in random-sized reads; returns what came out, checking the buffer bound after every read. */
function frameAll(bytes: Buffer, cuts: number[], maxFrameBytes: number) {
  const d = new TeltonikaFrameDecoder(maxFrameBytes);
  const out: Array<{ ok: boolean; code?: string }> = [];
  let pos = 0;
  for (const cut of [...cuts, bytes.length]) {
    const end = Math.min(bytes.length, pos + Math.max(1, cut));
    d.push(bytes.subarray(pos, end));
    pos = end;
    for (;;) {
      const r = d.next();
      if (!r.ok) return [...out, { ok: false, code: r.error.code }];
      if (r.value === null) break;
      if (r.value.kind === 'data') {
        const f = decodeDataFrame(r.value.frame);
        out.push(f.ok ? { ok: true } : { ok: false, code: f.error.code });
      } else out.push({ ok: true });
    }
    assert.ok(d.bufferedBytes <= maxFrameBytes, `buffered ${d.bufferedBytes} > ${maxFrameBytes}`);
    if (pos >= bytes.length) break;
  }
  return out;
}

describe('Teltonika decoder under fuzzing', () => {
  test('mutated real frames never throw; any frame that decodes has a matching CRC', () => {
    fc.assert(
      fc.property(
        frameArb,
        mutationArb,
        fc.array(fc.nat({ max: 300 }), { maxLength: 6 }),
        (frame, edits, cuts) => {
          const bad = mutate(frame, edits);
          frameAll(bad, cuts, 4096);
          const d = decodeDataFrame(bad);
          if (d.ok) assert.ok(!bad.equals(frame) || d.value.count === frame[9]);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });

  test('mutated data fields (past the CRC) decode to a value or an error, never an exception', () => {
    fc.assert(
      fc.property(frameArb, mutationArb, (frame, edits) => {
        const payload = mutate(frame.subarray(8, frame.length - 4), edits);
        const r = decodeAvlData(payload);
        if (r.ok && r.value.kind === 'records') assert.equal(r.value.records.length, payload[1]);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  test('random bytes and random streams stay within the buffer bound', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.nat({ max: 500 }), { maxLength: 10 }),
        (bytes, cuts) => {
          frameAll(Buffer.from(bytes), cuts, 1024);
          decodeAvlData(bytes);
          decodeDataFrame(bytes);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });

  test('truncated frames wait for more bytes; oversized ones are refused', () => {
    for (const f of frames) {
      for (let k = 1; k < f.length; k += 7) {
        assert.deepEqual(frameAll(f.subarray(0, k), [], 4096), []);
        assert.equal(decodeDataFrame(f.subarray(0, k)).ok, false);
      }
      assert.deepEqual(frameAll(f, [], f.length - 1), [{ ok: false, code: 'frame_too_large' }]);
    }
  });
});

/** Seeded PRNG (mulberry32) so a failing server run can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Teltonika server under fuzzing', () => {
  test('bad input closes the connection with a logged reason, reaches no sink and gets no ACK', async () => {
    const IMEI = '356307042441013';
    const sink = new RecordingSink();
    const { logger, lines } = captureLogger();
    const server = createTeltonikaServer({
      directory: directoryOf({ [IMEI]: 'dev-1' }, 'teltonika'),
      sink,
      logger,
      idleTimeoutMs: 300,
      maxFrameBytes: 4096,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    const rand = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    const validIds = new Set<string>();

    type Session = { kind: string; login: boolean; bytes: Buffer; valid: boolean };
    const sessions: Session[] = [];
    for (let i = 0; i < 160; i++) {
      const kind = pick(['mutated', 'random', 'random-no-login', 'truncated', 'oversized', 'bad-crc']);
      const frame = pick(frames);
      let bytes: Buffer;
      if (kind === 'mutated') {
        const edits = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => [
          Math.floor(rand() * frame.length),
          Math.floor(rand() * 256),
          pick(['set', 'insert', 'delete']),
        ]) as Array<[number, number, string]>;
        bytes = mutate(frame, edits);
      } else if (kind === 'random' || kind === 'random-no-login')
        bytes = randomBytes(1 + Math.floor(rand() * 600));
      else if (kind === 'truncated') bytes = frame.subarray(0, 1 + Math.floor(rand() * (frame.length - 1)));
      else if (kind === 'oversized') {
        bytes = Buffer.alloc(12 + 64);
        bytes.writeUInt32BE(4096 + Math.floor(rand() * 1e9), 4);
      } else {
        bytes = Buffer.from(frame);
        bytes[bytes.length - 1]! ^= 1 + Math.floor(rand() * 255);
      }
      const decoded = decodeDataFrame(bytes);
      const valid = kind !== 'random-no-login' && decoded.ok;
      if (valid && decoded.ok) validIds.add(teltonikaBatchId(IMEI, decoded.value.payload));
      sessions.push({ kind, login: kind !== 'random-no-login', bytes, valid });
    }

    const results = await Promise.all(
      sessions.map(async (s) => {
        const c = await TestClient.connect(port);
        const localPort = c.socket.localPort;
        if (s.login) c.send(encodeLogin(IMEI));
        c.send(s.bytes);
        if (s.valid) {
          await c.read(s.login ? 5 : 4);
          c.end();
        }
        return { s, got: await c.readUntilClosed(), remote: `127.0.0.1:${localPort}` };
      }),
    );

    for (const { s, got, remote } of results) {
      if (s.valid) continue;
      // A login answer (0x01 after our login, or 0x00 for random bytes that look like a login) and nothing else.
      const expected = s.login ? [Buffer.from([1])] : [Buffer.alloc(0), Buffer.from([0])];
      assert.ok(
        expected.some((e) => e.equals(got)),
        `${s.kind} session got ${got.toString('hex')}`,
      );
      const reason = lines.find(
        (l) =>
          l.remote === remote &&
          (l.msg.startsWith('closing connection') || l.msg === 'unknown IMEI; login rejected'),
      );
      assert.ok(reason, `${s.kind} session closed without a logged reason`);
    }
    for (const b of sink.batches)
      assert.ok(validIds.has(b.batchId), `batch ${b.batchId} came from an invalid frame`);
    assert.ok(results.filter((r) => !r.s.valid).length > 100);

    // The server still serves a well-behaved device afterwards.
    const ok = await TestClient.connect(port);
    ok.send(encodeLogin(IMEI));
    ok.send(frames[0]!);
    assert.deepEqual(await ok.read(5), Buffer.from([1, 0, 0, 0, frames[0]![9]!]));
    ok.end();
    await server.close();
    assert.equal(server.stats().connections, 0);
  });
});
