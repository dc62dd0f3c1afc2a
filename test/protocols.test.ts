// Device protocols through the real platform: a Teltonika device and the Traccar Client app reach the store.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { encodeAvlFrame, encodeLogin } from '../src/ingest/protocols/teltonika/index.ts';
import { buildOsmAndQuery } from '../src/ingest/protocols/osmand/index.ts';
import { registerDevice } from '../src/store/index.ts';
import { pgTargets } from './support/env.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const { targets } = pgTargets();
const target = targets[0]!;

function reader(sock: Socket) {
  let buf = Buffer.alloc(0);
  const waiters: Array<() => void> = [];
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (const w of waiters.splice(0)) w();
  });
  return async (n: number): Promise<Buffer> => {
    const end = Date.now() + 15_000;
    while (buf.length < n) {
      if (Date.now() > end) throw new Error(`expected ${n} bytes, got ${buf.length}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
}

async function rawBatches(
  tp: TestPlatform,
  deviceId: string,
): Promise<Array<{ source: string; sample_count: number }>> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await tp.platform.db.query<{ source: string; sample_count: number }>(
      'SELECT source, sample_count FROM raw_batches WHERE device_id = $1',
      [deviceId],
    );
    if (rows.length > 0) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  return [];
}

describe(`device protocols into the platform (${target.name} PostgreSQL)`, () => {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform(target);
  });
  after(async () => tp.stop());

  test('a Teltonika device logs in, its codec 8E frame is acknowledged and stored', async () => {
    const imei = '356307042441013';
    const dev = await registerDevice(tp.platform.db, {
      tenantId: 'default',
      kind: 'teltonika',
      externalId: imei,
    });
    const sock = connect(tp.platform.protocolPorts!.teltonika, '127.0.0.1');
    const read = reader(sock);
    sock.write(encodeLogin(imei));
    assert.equal((await read(1))[0], 0x01);
    const t0 = Date.now() - 60_000;
    const records = [0, 1, 2].map((i) => ({
      timestampMs: t0 + i * 1000,
      priority: 0,
      latDeg: 42.5063 + i * 0.0001,
      lonDeg: 1.5218,
      altitudeM: 1023,
      headingDeg: 87,
      satellites: 9,
      speedKmh: 40,
      eventIoId: 0,
      io: [{ id: 239, size: 1 as const, value: 1 }],
    }));
    sock.write(encodeAvlFrame(0x8e, records));
    assert.equal((await read(4)).readUInt32BE(0), 3);
    sock.end();
    const rows = await rawBatches(tp, dev.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.source, 'teltonika');
  });

  test('an unknown IMEI is refused with 0x00', async () => {
    const sock = connect(tp.platform.protocolPorts!.teltonika, '127.0.0.1');
    const read = reader(sock);
    sock.write(encodeLogin('999999999999999'));
    assert.equal((await read(1))[0], 0x00);
    sock.destroy();
  });

  test('the Traccar Client (OsmAnd) position is stored; an unknown id stores nothing', async () => {
    const dev = await registerDevice(tp.platform.db, {
      tenantId: 'default',
      kind: 'osmand',
      externalId: 'traccar-123',
    });
    const base = `http://127.0.0.1:${tp.platform.protocolPorts!.osmand}`;
    const req = buildOsmAndQuery({
      id: 'traccar-123',
      timestampMs: Date.now() - 5000,
      latDeg: 42.5,
      lonDeg: 1.52,
      speedMps: 10,
    });
    const ok = await fetch(base + req.path);
    assert.equal(ok.status, 200);
    const rows = await rawBatches(tp, dev.id);
    assert.equal(rows[0]?.source, 'osmand');
    const unknown = buildOsmAndQuery({ id: 'nobody', timestampMs: Date.now(), latDeg: 42.5, lonDeg: 1.52 });
    const res = await fetch(base + unknown.path);
    assert.ok(res.status >= 400 && res.status < 500);
  });
});
