// The OsmAnd HTTP server on 127.0.0.1: 200 only after the sink, 4xx for unknown ids and malformed input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RecordingSink, captureLogger, directoryOf, osmAndCaptures } from '../testing.ts';
import { buildOsmAndJson, buildOsmAndQuery } from './builder.ts';
import { parseOsmAndRequest } from './request.ts';
import { type OsmAndServer, createOsmAndServer } from './server.ts';

const T = 1714550400000;

describe('OsmAnd server', () => {
  let server: OsmAndServer;
  let base: string;
  const sink = new RecordingSink();
  const ids = { 'phone-1': 'dev-1', '123456': 'dev-2', '48241179': 'dev-3', '123456789012345': 'dev-4' };

  before(async () => {
    server = createOsmAndServer({
      directory: directoryOf(ids, 'osmand'),
      sink,
      logger: captureLogger().logger,
    });
    const { port } = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  after(() => server.close());

  const send = (req: { method: string; path: string; headers: Record<string, string>; body?: string }) =>
    fetch(base + req.path, {
      method: req.method,
      headers: req.headers,
      ...(req.body ? { body: req.body } : {}),
    });

  test('GET, form POST and JSON POST are stored, then answered 200', async () => {
    const before = sink.batches.length;
    const p = { id: 'phone-1', latDeg: 42.5, lonDeg: 1.52, speedMps: 10, headingDeg: 90 };
    for (const [i, req] of [
      buildOsmAndQuery({ ...p, timestampMs: T }),
      buildOsmAndQuery({ ...p, timestampMs: T + 1000 }, 'POST'),
      buildOsmAndJson({ ...p, timestampMs: T + 2000 }),
    ].entries()) {
      const res = await send(req);
      assert.equal(res.status, 200, `request ${i}`);
      assert.deepEqual(await res.json(), { accepted: 1, duplicate: false });
    }
    const got = sink.batches.slice(before);
    assert.deepEqual(
      got.map((b) => [b.deviceId, b.gps?.t[0]]),
      [
        ['dev-1', T],
        ['dev-1', T + 1000],
        ['dev-1', T + 2000],
      ],
    );
  });

  test('a resent request is a duplicate', async () => {
    const req = buildOsmAndQuery({ id: 'phone-1', timestampMs: T + 5000, latDeg: 1, lonDeg: 2 });
    assert.deepEqual(await (await send(req)).json(), { accepted: 1, duplicate: false });
    assert.deepEqual(await (await send(req)).json(), { accepted: 0, duplicate: true });
  });

  test('the real captured requests from registered ids are accepted', async () => {
    for (const c of osmAndCaptures()) {
      if (c.call === 'verifyNull') continue;
      const res =
        c.type === 'POST-json'
          ? await fetch(`${base}/`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: c.payload,
            })
          : await fetch(base + c.payload);
      const parsed = parseOsmAndRequest(
        c.type === 'POST-json'
          ? { url: '/', contentType: 'application/json', body: c.payload }
          : { url: c.payload },
      );
      assert.ok(parsed.ok);
      const known = parsed.value.externalId in ids;
      assert.equal(res.status, known ? 200 : 404, c.payload);
    }
  });

  test('an unknown device id gets 404 and nothing is stored', async () => {
    const before = sink.batches.length;
    const res = await send(buildOsmAndQuery({ id: 'stranger', timestampMs: T, latDeg: 1, lonDeg: 2 }));
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unknown_device');
    assert.equal(sink.batches.length, before);
  });

  test('malformed input gets 400 naming the field', async () => {
    const res = await fetch(`${base}/?id=phone-1&lat=1&lon=east`);
    assert.equal(res.status, 400);
    assert.deepEqual(((await res.json()) as { error: { field: string } }).error.field, 'lon');
    const json = await fetch(`${base}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"device_id":"phone-1"}',
    });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: { field: string } }).error.field, 'location');
  });

  test('bodies over the limit get 413; other methods 405', async () => {
    const big = await fetch(`${base}/`, { method: 'POST', body: 'x'.repeat(200_000) });
    assert.equal(big.status, 413);
    assert.equal((await fetch(`${base}/`, { method: 'DELETE' })).status, 405);
  });
});

test('OsmAnd server answers 503 and stores nothing when the sink fails', async () => {
  const sink = new RecordingSink();
  sink.failWith = new Error('database down');
  const server = createOsmAndServer({
    directory: directoryOf({ p: 'd' }, 'osmand'),
    sink,
    logger: captureLogger().logger,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const res = await fetch(`http://127.0.0.1:${port}/?id=p&lat=1&lon=2&timestamp=1700000000`);
  assert.equal(res.status, 503);
  assert.equal(sink.batches.length, 0);
  await server.close();
});
