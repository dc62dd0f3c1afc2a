import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerWeb } from './web.ts';

describe('dashboard static serving', () => {
  let dist: string;
  let app: FastifyInstance;
  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'openubi-web-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    writeFileSync(join(tmpdir(), 'openubi-web-secret.txt'), 'secret');
    app = Fastify();
    app.get('/v1/known', async () => ({ ok: true }));
    registerWeb(app, { distDir: dist, client: { mapTileUrl: 'https://tiles.example/{z}/{x}/{y}.png' } });
    await app.ready();
  });
  after(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'openubi-web-secret.txt'), { force: true });
  });

  test('serves index.html at / and for any app path, never cached', async () => {
    for (const url of ['/', '/trips/trp-1', '/staff/drivers?x=1']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, url);
      assert.match(r.headers['content-type'] as string, /^text\/html/);
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.match(r.body, /id="root"/);
    }
  });

  test('hashed assets are cached for a year; other files revalidate', async () => {
    const js = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.body, 'console.log(1)');
    const svg = await app.inject({ url: '/favicon.svg' });
    assert.equal(svg.headers['cache-control'], 'no-cache');
  });

  test('missing assets, unknown API paths and other methods are problem+json 404s', async () => {
    for (const [method, url] of [
      ['GET', '/assets/missing.js'],
      ['GET', '/v1/nothing-here'],
      ['POST', '/trips'],
      ['GET', '/health/extra'],
    ] as const) {
      const r = await app.inject({ method, url });
      assert.equal(r.statusCode, 404, `${method} ${url}`);
      assert.match(r.headers['content-type'] as string, /^application\/problem\+json/);
      assert.equal(JSON.parse(r.body).code, 'route_not_found');
    }
    assert.equal((await app.inject({ url: '/v1/known' })).statusCode, 200);
  });

  test('no path escapes the build directory', async () => {
    for (const url of [
      '/../openubi-web-secret.txt',
      '/assets/..%2f..%2fopenubi-web-secret.txt',
      '/%2e%2e/x.txt',
    ]) {
      const r = await app.inject({ url });
      assert.notEqual(r.body, 'secret', url);
      assert.ok(r.statusCode === 404 || r.statusCode === 200, url);
    }
  });

  test('the browser app gets its settings', async () => {
    const r = await app.inject({ url: '/dashboard-config.json' });
    assert.deepEqual(JSON.parse(r.body), { mapTileUrl: 'https://tiles.example/{z}/{x}/{y}.png' });
  });

  test('without a build, / explains how to build the dashboard', async () => {
    const bare = Fastify();
    registerWeb(bare, { distDir: join(dist, 'nope') });
    const r = await bare.inject({ url: '/' });
    assert.equal(r.statusCode, 503);
    assert.match(r.body, /npm run build:web/);
    await bare.close();
  });
});
