// What the scale and fault tests share: a synthetic multi-trip fleet, its fault-free offline result, devices
// that send like real ones (in order, resending until acknowledged, honouring Retry-After, failing over between
// gateways), and what the platform stored.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { waitForPort } from './env.ts';
import type { SensorBatch } from '../../src/domain/index.ts';
import { createProcessor } from '../../src/pipeline/index.ts';
import { mountRotation, runAll, tripAround } from '../../src/pipeline/testkit.ts';

const BIN = fileURLToPath(new URL('../../bin/openubi.js', import.meta.url));

/** Several trips of one device, a minute apart; every trip but the last is closed by the data itself. */
export function multiTripDrive(
  deviceId: string,
  startMs: number,
  trips: number,
  seed: number,
): SensorBatch[] {
  const out: SensorBatch[] = [];
  let t = startMs;
  for (let k = 0; k < trips; k++) {
    const middle =
      k % 2 === 0
        ? [{ durationS: 2, accelMps2: -4.5 }, { durationS: 25 }]
        : [{ durationS: 3, accelMps2: 3.8 }, { durationS: 25 }];
    const drive = tripAround(middle, {
      deviceId,
      startMs: t,
      frame: 'device',
      mount: mountRotation(35 + k * 10, 10, -5),
      seed: seed * 10 + k,
      // 5 s batches (what phone SDKs send): fewer requests for the same driving.
      batchMs: 5000,
    });
    out.push(...drive.map((b) => ({ ...b, batchId: `trip${k}-${b.batchId}` })));
    t = Math.max(...drive.flatMap((b) => b.gps?.t ?? [])) + 60_000;
  }
  return out;
}

/** The fault-free reference: the pipeline run offline on the same batches (trips the data closes). */
export function offlineResult(
  deviceId: string,
  batches: SensorBatch[],
): { trips: string[]; events: string[] } {
  const o = runAll(createProcessor(deviceId), batches, false);
  return { trips: o.trips.map((t) => t.id).sort(), events: o.events.map((e) => e.id).sort() };
}

export const wireLine = ({ source: _s, receivedAtMs: _r, ...wire }: SensorBatch): string =>
  JSON.stringify(wire);

export interface SendStats {
  requests: number;
  byStatus: Record<string, number>;
  /** 503/429 answers that carried Retry-After. */
  withRetryAfter: number;
  connectionErrors: number;
}

export const newStats = (): SendStats => ({
  requests: 0,
  byStatus: {},
  withRetryAfter: 0,
  connectionErrors: 0,
});

/**
 * Sends a device's batches in order, `perRequest` a request, each request resent until it is acknowledged (202):
 * on 429/503 after Retry-After (capped), on a refused or cut connection at the next gateway in `urls()`.
 */
export async function sendAsDevice(o: {
  urls: () => string[];
  token: string;
  batches: SensorBatch[];
  perRequest: number;
  stats: SendStats;
  onAck?: (sentSoFar: number) => void | Promise<void>;
  deadlineMs?: number;
}): Promise<void> {
  const deadline = Date.now() + (o.deadlineMs ?? 240_000);
  let gw = 0;
  for (let i = 0; i < o.batches.length; i += o.perRequest) {
    const body = o.batches
      .slice(i, i + o.perRequest)
      .map(wireLine)
      .join('\n');
    for (;;) {
      if (Date.now() > deadline) throw new Error(`device gave up: batch ${i} never acknowledged`);
      const urls = o.urls();
      const url = urls[gw % urls.length]!;
      o.stats.requests++;
      let status = 0;
      let retryAfterS = 0;
      try {
        const res = await fetch(`${url}/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${o.token}` },
          body,
          signal: AbortSignal.timeout(20_000),
        });
        status = res.status;
        retryAfterS = Number(res.headers.get('retry-after') ?? 0);
        await res.arrayBuffer();
      } catch {
        o.stats.connectionErrors++;
        gw++;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      o.stats.byStatus[status] = (o.stats.byStatus[status] ?? 0) + 1;
      if (status === 202) break;
      if (status !== 429 && status !== 503) throw new Error(`unexpected ingest answer ${status}`);
      if (retryAfterS > 0) o.stats.withRetryAfter++;
      await new Promise((r) => setTimeout(r, Math.min(retryAfterS * 1000 || 500, 1000)));
    }
    await o.onAck?.(Math.min(i + o.perRequest, o.batches.length));
  }
}

/** What the platform stored for a device: trips, events, and its raw batches in the order they were applied. */
export async function storedFor(url: string, deviceId: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const trips = await c.query<{ id: string }>('SELECT id FROM trips WHERE device_id = $1 ORDER BY id', [
      deviceId,
    ]);
    const events = await c.query<{ id: string }>('SELECT id FROM events WHERE device_id = $1 ORDER BY id', [
      deviceId,
    ]);
    const raw = await c.query<{ batch_id: string }>(
      'SELECT batch_id FROM raw_batches WHERE device_id = $1 ORDER BY dev_seq',
      [deviceId],
    );
    return {
      trips: trips.rows.map((r) => r.id),
      events: events.rows.map((r) => r.id),
      appliedOrder: raw.rows.map((r) => r.batch_id),
    };
  } finally {
    await c.end();
  }
}

export async function countProcessed(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_batches');
    return rows[0]!.n;
  } finally {
    await c.end();
  }
}

export async function waitFor(
  pred: () => Promise<boolean>,
  what: string,
  timeoutMs = 180_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await pred().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `openubi start` in a child process, quiet, on the given ports; stderr kept for the failure message. */
export function startChild(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess & { stderrText: () => string } {
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'start'], {
    env: {
      ...process.env,
      LOG_LEVEL: process.env.TEST_LOG ?? 'error',
      HOST: '127.0.0.1',
      OSMAND_PORT: '0',
      TELTONIKA_PORT: '0',
      // Simulated devices replay hours of driving in seconds: far above a real phone's request rate.
      RATE_LIMIT_DEVICE_PER_MIN: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The platform logs (pino) on stdout, crashes on stderr: the tail of both, for a failure's message.
  let err = '';
  const keep = (d: unknown): void => {
    err = (err + String(d)).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return Object.assign(child, { stderrText: () => err });
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** Resident set size of a process, bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Resolves once the child listens on its port; fails with its stderr if it exits or never listens. */
export async function childListening(
  child: ChildProcess & { stderrText: () => string },
  port: number,
  timeoutMs = 120_000,
): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`process exited (${code ?? signal}) before listening:\n${child.stderrText()}`)),
    ),
  );
  try {
    await Promise.race([waitForPort(port, timeoutMs), exited]);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${child.stderrText()}`);
  } finally {
    exited.catch(() => {});
  }
}
