// Ingest benchmark (issue 2): durable ingest vs. a parse-and-validate ceiling, load from this process
// against the server in a child process, for (a) embedded PostgreSQL + PostgreSQL queue and
// (b) PostgreSQL server + NATS JetStream.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { createLogger } from '../src/config/logger.ts';
import { createDb, embeddedUrl, ensureTenant, migrate, registerDevice } from '../src/store/index.ts';
import { freePort, waitForPort } from '../test/support/env.ts';
import { writeResult } from './lib.ts';
import { natsJetStream, postgresServer } from './servers.ts';

const BIN = fileURLToPath(new URL('../bin/openubi.js', import.meta.url));
const IMU_PER_BATCH = 490;
const GPS_PER_BATCH = 10;
const SAMPLES = IMU_PER_BATCH + GPS_PER_BATCH;
const DEVICES = 50;

/** A realistic 10 s batch: 49 Hz IMU in the device frame + 1 Hz GPS, with the batch id left as a hole. */
function batchTemplate(deviceId: string, t0: number): [string, string] {
  const r = (a: number, s: number) => Math.round((a + (Math.random() - 0.5) * s) * 1000) / 1000;
  const it = Array.from({ length: IMU_PER_BATCH }, (_, i) => t0 + Math.round(i * 20.4));
  const gt = Array.from({ length: GPS_PER_BATCH }, (_, i) => t0 + i * 1000);
  const body = {
    deviceId,
    batchId: '@@ID@@',
    gps: {
      t: gt,
      lat: gt.map((_, i) => 42.5063 + i * 0.0001),
      lon: gt.map((_, i) => 1.5218 + i * 0.0001),
      speedMps: gt.map(() => r(13, 2)),
      headingDeg: gt.map(() => r(87, 4)),
      accuracyM: gt.map(() => r(5, 2)),
      altitudeM: gt.map(() => r(1023, 2)),
    },
    imu: {
      frame: 'device',
      t: it,
      ax: it.map(() => r(0.1, 0.6)),
      ay: it.map(() => r(0.05, 0.6)),
      az: it.map(() => r(9.79, 0.4)),
      gx: it.map(() => r(0, 0.02)),
      gy: it.map(() => r(0, 0.02)),
      gz: it.map(() => r(0.02, 0.05)),
    },
  };
  const [a, b] = JSON.stringify(body).split('@@ID@@') as [string, string];
  return [a, b];
}

interface Setup {
  name: string;
  /** Where the benchmark registers its devices (the server's database). */
  dbUrl: string;
  env: Record<string, string>;
  cleanup: () => Promise<void>;
}

async function run(opts: {
  url: string;
  path: string;
  devices: Array<{ id: string; token: string; tpl: [string, string] }>;
  seconds: number;
  connections: number;
  rate?: number;
  runId: string;
}) {
  let n = 0;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    requests: [
      {
        method: 'POST',
        path: opts.path,
        setupRequest: (req: autocannon.Request) => {
          const d = opts.devices[n % opts.devices.length]!;
          n++;
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${d.token}` },
            body: `${d.tpl[0]}${opts.runId}-${n}${d.tpl[1]}`,
          };
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    requestsPerS: Math.round(ok / opts.seconds),
    samplesPerS: Math.round((ok * SAMPLES) / opts.seconds),
    latencyMs: {
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function rssMb(pid: number): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

async function measure(setup: Setup, seconds: number) {
  const port = await freePort();
  const server: ChildProcess = spawn(process.execPath, [BIN, 'start'], {
    env: {
      ...process.env,
      ...setup.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ROLES: 'gateway,api',
      OSMAND_PORT: '0',
      TELTONIKA_PORT: '0',
      // 50 devices each sending hundreds of requests a second: far above a phone's rate, which the per-device
      // limit (600 a minute) exists to stop. Left on, it measures the limiter (every run since it came: 429s).
      RATE_LIMIT_DEVICE_PER_MIN: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForPort(port, 120_000);
    const dbUrl = setup.dbUrl;
    const db = createDb(dbUrl, { max: 2 });
    await ensureTenant(db, 'bench', 'Benchmark insurer');
    const t0 = Date.now() - 3_600_000;
    const devices = [];
    for (let i = 0; i < DEVICES; i++) {
      const d = await registerDevice(db, { tenantId: 'bench', kind: 'phone' });
      devices.push({ id: d.id, token: d.token, tpl: batchTemplate(d.id, t0 + i * 10) });
    }
    await db.close();
    const url = `http://127.0.0.1:${port}`;
    const runId = `${Date.now()}`;
    process.stderr.write(`[${setup.name}] warm-up\n`);
    await run({ url, path: '/v1/ingest', devices, seconds: 3, connections: 16, runId: `${runId}w` });
    process.stderr.write(`[${setup.name}] ceiling: parse + validate, store nothing (${seconds} s)\n`);
    const ceiling = await run({
      url,
      path: '/v1/ingest/dry-run',
      devices,
      seconds,
      connections: 16,
      runId: `${runId}c`,
    });
    process.stderr.write(`[${setup.name}] durable ingest at full load (${seconds} s)\n`);
    const durable = await run({
      url,
      path: '/v1/ingest',
      devices,
      seconds,
      connections: 16,
      runId: `${runId}d`,
    });
    const halfRate = Math.max(1, Math.round(durable.requestsPerS / 2));
    process.stderr.write(
      `[${setup.name}] durable ingest at half the peak rate: ${halfRate} req/s (${seconds} s)\n`,
    );
    const half = await run({
      url,
      path: '/v1/ingest',
      devices,
      seconds,
      connections: 16,
      rate: halfRate,
      runId: `${runId}h`,
    });
    const rss = await rssMb(server.pid!);
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    const stored = Number((await c.query('SELECT count(*) FROM bus_log')).rows[0].count);
    await c.end();
    return {
      ceiling,
      durable,
      halfPeak: { rateRequestsPerS: halfRate, ...half },
      durableShareOfCeiling: Math.round((durable.samplesPerS / ceiling.samplesPerS) * 1000) / 1000,
      serverRssMb: rss,
      batchesStoredOnPostgresQueue: setup.env.NATS_URL ? null : stored,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await setup.cleanup();
  }
}

async function freshDb(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `openubi_bench_${Date.now()}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const db = createDb(u.toString(), { max: 1 });
  await migrate(db, createLogger('silent'));
  await db.close();
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: adminUrl });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const seconds = Number(argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 10);
  const results: Record<string, unknown> = {};
  const notes: string[] = [];

  // (a) The embedded default: the server starts its own embedded PostgreSQL; the bus is the PostgreSQL queue.
  {
    const dir = mkdtempSync(join(tmpdir(), 'openubi-bench-embedded-'));
    const pgPort = await freePort();
    results.embedded = await measure(
      {
        name: 'embedded',
        dbUrl: embeddedUrl(pgPort),
        env: { DATA_DIR: dir, EMBEDDED_PG_PORT: String(pgPort), DATABASE_URL: '', NATS_URL: '' },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      },
      seconds,
    ).catch((e) => ({ error: String(e) }));
  }

  // (b) PostgreSQL server + NATS JetStream.
  const pgs = await postgresServer();
  const nats = await natsJetStream();
  if (pgs && nats) {
    const db = await freshDb(pgs.url);
    results.serverJetStream = await measure(
      {
        name: 'server+jetstream',
        dbUrl: db.url,
        env: { DATABASE_URL: db.url, NATS_URL: nats.url },
        cleanup: async () => {
          await db.drop();
        },
      },
      seconds,
    ).catch((e) => ({ error: String(e) }));
    await nats.stop();
    await pgs.stop();
  } else notes.push('PostgreSQL server or nats-server not installed: setup (b) not measured');

  const file = writeResult('ingest', {
    inputs: {
      samplesPerBatch: SAMPLES,
      imuPerBatch: IMU_PER_BATCH,
      gpsPerBatch: GPS_PER_BATCH,
      devices: DEVICES,
      seconds,
      connections: 16,
    },
    targets: { durableShareOfCeiling: 0.7, samplesPerS: 300_000, ackP99MsAtHalfPeak: 50 },
    results,
    notes,
  });
  process.stdout.write(`${JSON.stringify(results, null, 2)}\nwritten ${file}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
