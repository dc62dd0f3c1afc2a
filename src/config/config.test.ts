import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './index.ts';

test('defaults run everything embedded on port 8080', () => {
  const r = loadConfig({});
  assert.ok(r.ok);
  assert.equal(r.config.port, 8080);
  assert.equal(r.config.databaseUrl, null);
  assert.equal(r.config.natsUrl, null);
  assert.deepEqual([...r.config.roles].sort(), ['api', 'gateway', 'worker']);
  assert.equal(r.config.rawRetentionDays, 30);
  assert.ok(Object.isFrozen(r.config));
});

test('reports every problem at once', () => {
  const r = loadConfig({
    PORT: 'eighty',
    DATABASE_URL: 'mysql://x',
    ROLES: 'gateway,cook',
    RAW_RETENTION_DAYS: '0',
  });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.errors.length, 4);
  assert.match(r.errors.join('\n'), /PORT/);
  assert.match(r.errors.join('\n'), /DATABASE_URL/);
  assert.match(r.errors.join('\n'), /cook/);
  assert.match(r.errors.join('\n'), /RAW_RETENTION_DAYS/);
});

test('reads server URLs and roles', () => {
  const r = loadConfig({
    DATABASE_URL: 'postgres://u@h/db',
    NATS_URL: 'nats://127.0.0.1:4222',
    ROLES: 'worker',
  });
  assert.ok(r.ok);
  assert.equal(r.config.natsUrl, 'nats://127.0.0.1:4222');
  assert.deepEqual([...r.config.roles], ['worker']);
});
