// The Teltonika TCP server against real sockets on 127.0.0.1: login, ACK only after the sink, no ACK on failure.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RecordingSink, TestClient, captureLogger, directoryOf, teltonikaCaptures } from '../testing.ts';
import { type AvlRecord, CODEC_8, CODEC_8E } from './avl.ts';
import { decodeDataFrame } from './decoder.ts';
import { encodeAvlFrame, encodeLogin } from './encoder.ts';
import { createTeltonikaServer } from './server.ts';

const IMEI = '356307042441013';
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const rec = (i: number, ignition = 1): AvlRecord => ({
  timestampMs: T0 + i * 1000,
  priority: 0,
  latDeg: 42.5 + i * 1e-4,
  lonDeg: 1.52,
  altitudeM: 1000,
  headingDeg: 90,
  satellites: 9,
  speedKmh: 36,
  eventIoId: 0,
  io: [{ id: 239, size: 1, value: ignition }],
});
const ackOf = (n: number) => Buffer.from([0, 0, 0, n]);

async function start(
  sink = new RecordingSink(),
  opts: { idleTimeoutMs?: number; maxFrameBytes?: number } = {},
) {
  const { logger, lines } = captureLogger();
  const server = createTeltonikaServer({
    directory: directoryOf({ [IMEI]: 'dev-1', '123456789012345': 'dev-capture' }, 'teltonika'),
    sink,
    logger,
    ...opts,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, sink, port, lines };
}

async function login(port: number, imei = IMEI): Promise<TestClient> {
  const c = await TestClient.connect(port);
  c.send(encodeLogin(imei));
  assert.deepEqual(await c.read(1), Buffer.from([1]));
  return c;
}

describe('Teltonika server', () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  before(async () => {
    ctx = await start();
  });
  after(() => ctx.server.close());

  test('a registered IMEI is accepted with 0x01', async () => {
    const c = await login(ctx.port);
    c.end();
    await c.closed;
  });

  test('an unknown IMEI gets 0x00 and the connection is closed', async () => {
    const c = await TestClient.connect(ctx.port);
    c.send(encodeLogin('999999999999999'));
    assert.deepEqual(await c.readUntilClosed(), Buffer.from([0]));
  });

  test('encoded codec 8 and 8E frames are acknowledged with their record count once the sink has them', async () => {
    const c = await login(ctx.port);
    const before = ctx.sink.batches.length;
    c.send(encodeAvlFrame(CODEC_8, [rec(0), rec(1)]));
    assert.deepEqual(await c.read(4), ackOf(2));
    c.send(encodeAvlFrame(CODEC_8E, [rec(2), rec(3, 0), rec(4, 0)]));
    assert.deepEqual(await c.read(4), ackOf(3));
    const got = ctx.sink.batches.slice(before);
    assert.equal(got.length, 2);
    assert.deepEqual(got[0]!.gps?.t, [T0, T0 + 1000]);
    assert.equal(got[0]!.deviceId, 'dev-1');
    assert.deepEqual(
      got[1]!.deviceEvents,
      [{ t: T0 + 3000, kind: 'ignition_off' }],
      'ignition state spans frames',
    );
    c.end();
  });

  test('real captured frames, sent back to back in one write, are each acknowledged', async () => {
    const frames = teltonikaCaptures()
      .filter((x) => x.codec !== 'imei-login' && decodeDataFrame(x.bytes).ok)
      .filter((x) => ['08', '8e', '10'].includes(x.codec));
    const c = await login(ctx.port, '123456789012345');
    c.send(Buffer.concat(frames.map((f) => f.bytes)));
    for (const f of frames) assert.deepEqual(await c.read(4), ackOf(f.bytes[9]!), `capture ${f.idx}`);
    c.end();
  });

  test('a resent frame is acknowledged again but stored once (same batch id)', async () => {
    const c = await login(ctx.port);
    const frame = encodeAvlFrame(CODEC_8E, [rec(100)]);
    c.send(frame);
    assert.deepEqual(await c.read(4), ackOf(1));
    const count = ctx.sink.batches.length;
    c.send(frame);
    assert.deepEqual(await c.read(4), ackOf(1));
    assert.equal(ctx.sink.batches.length, count);
    c.end();
  });

  test('codec 12 responses are logged and not acknowledged; the session goes on', async () => {
    const codec12 = teltonikaCaptures().find((x) => x.idx === 16)!.bytes;
    const c = await login(ctx.port);
    c.send(Buffer.concat([codec12, encodeAvlFrame(CODEC_8, [rec(200)])]));
    assert.deepEqual(await c.read(4), ackOf(1), 'the first bytes back are the ACK of the data frame');
    assert.ok(ctx.lines.some((l) => l.msg === 'command response ignored'));
    c.end();
  });

  test('data before login closes the connection with a logged reason', async () => {
    const c = await TestClient.connect(ctx.port);
    c.send(encodeAvlFrame(CODEC_8, [rec(0)]));
    assert.equal((await c.readUntilClosed()).length, 0);
    assert.ok(ctx.lines.some((l) => l.code === 'not_logged_in'));
  });
});

describe('Teltonika server with a failing or slow sink', () => {
  test('a sink that rejects gets no ACK and the connection is closed', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('disk full');
    const { server, port, lines } = await start(sink);
    const c = await login(port);
    c.send(encodeAvlFrame(CODEC_8E, [rec(0)]));
    assert.equal((await c.readUntilClosed()).length, 0);
    assert.ok(lines.some((l) => l.code === 'sink_failed'));
    await server.close();
  });

  test('close() lets the frame in flight be stored and acknowledged, then ends the connection', async () => {
    const sink = new RecordingSink();
    let release!: () => void;
    sink.gate = new Promise((r) => {
      release = r;
    });
    const { server, port } = await start(sink);
    const c = await login(port);
    c.send(encodeAvlFrame(CODEC_8E, [rec(0), rec(1)]));
    while (sink.writesStarted === 0) await new Promise((r) => setImmediate(r));
    const closing = server.close();
    release();
    assert.deepEqual(await c.readUntilClosed(), ackOf(2));
    await closing;
    assert.equal(sink.batches.length, 1);
  });

  test('a device flooding frames without waiting for ACKs gets every one acknowledged, in order', async () => {
    const sink = new RecordingSink();
    sink.yieldEachWrite = true;
    const { server, port } = await start(sink, { maxFrameBytes: 1024 });
    const c = await login(port);
    const frames = Array.from({ length: 300 }, (_, i) => encodeAvlFrame(CODEC_8E, [rec(i), rec(i + 0.5)]));
    // ~30 KiB in 10 writes: later ones arrive while earlier frames are in the sink, so reading pauses and resumes.
    for (let i = 0; i < 300; i += 30) {
      c.send(Buffer.concat(frames.slice(i, i + 30)));
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.deepEqual(await c.read(4 * 300), Buffer.concat(frames.map(() => ackOf(2))));
    assert.deepEqual(
      sink.batches.map((b) => b.gps?.t[0]),
      frames.map((_, i) => T0 + i * 1000),
    );
    c.end();
    await server.close();
  });

  test('an idle connection is closed after the idle timeout', async () => {
    const { server, port, lines } = await start(new RecordingSink(), { idleTimeoutMs: 50 });
    const c = await login(port);
    await c.closed;
    assert.ok(lines.some((l) => l.reason === 'idle timeout'));
    await server.close();
  });
});
