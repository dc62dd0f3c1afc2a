import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import pino from 'pino';
import { runWith } from '../cli/commands/simulate.ts';
import type { SensorBatch } from '../domain/samples.ts';
import {
  createOsmAndServer,
  createTeltonikaServer,
  type DeviceDirectory,
} from '../ingest/protocols/index.ts';

/** Accepts every device, keeps the batches the servers decode. */
function collector(): {
  directory: DeviceDirectory;
  sink: { write(b: SensorBatch): Promise<{ accepted: number; duplicate: boolean }> };
  batches: SensorBatch[];
} {
  const batches: SensorBatch[] = [];
  return {
    batches,
    directory: { lookup: async (_p, externalId) => ({ deviceId: `dev-${externalId}` }) },
    sink: {
      write: async (b) => {
        batches.push(b);
        return { accepted: (b.gps?.t.length ?? 0) + (b.deviceEvents?.length ?? 0), duplicate: false };
      },
    },
  };
}

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runWith(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  return { code, out: out.join(''), err: err.join('') };
}

const logger = pino({ level: 'silent' });
const ARGS = ['--drivers', '1', '--days', '1', '--seed', '6', '--start', '2024-03-05'];

describe('simulate over device protocols', () => {
  test('a tracker fleet streams Teltonika frames the real TCP server decodes, with ignition events', async () => {
    const c = collector();
    const server = createTeltonikaServer({ directory: c.directory, sink: c.sink, logger });
    const addr = await server.listen(0, '127.0.0.1');
    try {
      const r = await capture([
        ...ARGS,
        '--protocol',
        'teltonika',
        '--target',
        `tcp://127.0.0.1:${addr.port}`,
      ]);
      assert.equal(r.code, 0, r.err);
      const summary = JSON.parse(r.out);
      assert.ok(summary.sent.records > 10, `records ${summary.sent.records}`);
      assert.equal(summary.sent.accepted, summary.sent.records, 'every record acknowledged');
      const fixes = c.batches.reduce((n, b) => n + (b.gps?.t.length ?? 0), 0);
      assert.equal(fixes, summary.sent.records);
      const kinds = new Set(c.batches.flatMap((b) => (b.deviceEvents ?? []).map((e) => e.kind)));
      assert.ok(kinds.has('ignition_on') && kinds.has('ignition_off'), `events ${[...kinds]}`);
      assert.ok(
        c.batches.every((b) => b.deviceId === `dev-${summary.devices[0].imei}`),
        'logged in with its IMEI',
      );
    } finally {
      await server.close();
    }
  });

  test('a GPS-only phone fleet streams OsmAnd requests the real OsmAnd server accepts', async () => {
    const c = collector();
    const server = createOsmAndServer({ directory: c.directory, sink: c.sink, logger });
    const addr = (await server.listen(0, '127.0.0.1')) as AddressInfo;
    try {
      const r = await capture([...ARGS, '--protocol', 'osmand', '--target', `http://127.0.0.1:${addr.port}`]);
      assert.equal(r.code, 0, r.err);
      const summary = JSON.parse(r.out);
      assert.ok(summary.sent.accepted > 100, `accepted ${summary.sent.accepted}`);
      assert.equal(c.batches.length, summary.sent.accepted, 'one fix per request');
      assert.ok(c.batches.every((b) => b.gps?.t.length === 1 && b.imu === undefined));
    } finally {
      await server.close();
    }
  });
});
