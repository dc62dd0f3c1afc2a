// What the scale benchmarks share: the simulated fleet registered as insured drivers (driver, vehicle, active
// policy with classic rating factors, device), a paced load generator that keeps each device's batches in order
// (one request in flight per device; a device with a backlog sends up to maxPerRequest batches at once), and
// the platform's roles as child processes.
import { readdirSync, readFileSync } from 'node:fs';
import type { RoadNetwork } from '../../src/geo/index.ts';
import { type FleetEvent, networkPlanner, simulateFleet, toIngestBatchV1 } from '../../src/sim/index.ts';
import type { Db } from '../../src/store/db.ts';
import { ensureTenant, registerDevice } from '../../src/store/index.ts';

export const BENCH_TENANT = 'bench';

export interface BenchFleet {
  /** Batches in simulated time order, as v1 JSON lines, with their device and sample count. */
  batches: Generator<{ deviceId: string; line: string; samples: number; endMs: number }>;
  tokens: Map<string, string>;
  drivers: number;
}

/** Registers a simulated fleet (idPrefix keeps epochs apart) and returns its batches lazily. */
export async function registerFleet(
  db: Db,
  net: RoadNetwork,
  o: { drivers: number; days: number; startDate: string; seed: string; idPrefix: string },
): Promise<BenchFleet> {
  await ensureTenant(db, BENCH_TENANT, 'Benchmark insurer');
  const fleet = simulateFleet({
    planner: networkPlanner(net),
    drivers: o.drivers,
    days: o.days,
    startDate: o.startDate,
    seed: o.seed,
    idPrefix: o.idPrefix,
  });
  const tokens = new Map<string, string>();
  const year = new Date().getUTCFullYear();
  for (const d of fleet.drivers) {
    await db.query(
      `INSERT INTO drivers (id, tenant_id, external_ref, display_name, birth_year) VALUES ($1, $2, $1, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [d.driverId, BENCH_TENANT, `Bench driver ${d.driverId}`, year - d.ageYears],
    );
    await db.query(
      `INSERT INTO vehicles (id, tenant_id, driver_id, year, power_kw) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [`veh-${d.driverId}`, BENCH_TENANT, d.driverId, year - d.vehicle.ageYears, d.vehicle.powerKw],
    );
    const factors = {
      driverAge: d.ageYears,
      vehiclePowerKw: d.vehicle.powerKw,
      vehicleAgeYears: d.vehicle.ageYears,
      territory: 'C',
      annualKm: 12_000,
    };
    await db.query(
      `INSERT INTO policies (id, tenant_id, driver_id, vehicle_id, jurisdiction, product, starts_on, ends_on, status,
                             rating_factors, enrolled)
       VALUES ($1, $2, $3, $4, 'AD', 'phyd', $5, $6, 'active', $7, true) ON CONFLICT (id) DO NOTHING`,
      [
        `pol-${d.driverId}`,
        BENCH_TENANT,
        d.driverId,
        `veh-${d.driverId}`,
        `${year - 1}-01-01`,
        `${year + 1}-01-01`,
        JSON.stringify(factors),
      ],
    );
    const dev = await registerDevice(db, {
      tenantId: BENCH_TENANT,
      kind: 'phone',
      id: d.deviceId,
      driverId: d.driverId,
    });
    tokens.set(d.deviceId, dev.token);
  }
  function* batches() {
    for (const ev of fleet.events as Generator<FleetEvent>) {
      if (ev.type !== 'batch') continue;
      const b = ev.batch;
      const samples = (b.gps?.t.length ?? 0) + (b.imu?.t.length ?? 0) + (b.phone?.length ?? 0);
      yield { deviceId: b.deviceId, line: JSON.stringify(toIngestBatchV1(b)), samples, endMs: ev.endMs };
    }
  }
  return { batches: batches(), tokens, drivers: o.drivers };
}

export interface SendTotals {
  samples: number;
  batches: number;
  requests: number;
  retries: number;
}

/**
 * Sends batches as their devices would, paced to `samplesPerS` (Infinity: as fast as acknowledgements come),
 * one request in flight per device, at most `maxQueued` batches waiting (the generator is not pulled past that).
 * Resolves when `source` is exhausted (or `stopAtMs` passes) and everything taken is acknowledged.
 */
export async function pacedSend(o: {
  baseUrls: string[];
  source: Iterator<{ deviceId: string; line: string; samples: number }>;
  tokens: (deviceId: string) => string;
  samplesPerS: number;
  stopAtMs?: number;
  maxPerRequest?: number;
  maxQueued?: number;
  totals: SendTotals;
  onAck?: (deviceId: string, ackedAtMs: number, batches: number) => void;
}): Promise<{ exhausted: boolean }> {
  const maxPer = o.maxPerRequest ?? 6;
  const maxQueued = o.maxQueued ?? 20_000;
  const queues = new Map<string, Array<{ line: string; samples: number }>>();
  const busy = new Set<string>();
  let queued = 0;
  let exhausted = false;
  let inFlight = 0;
  let rr = 0;
  const started = Date.now();
  let taken = 0;
  let pulled = 0;

  async function drain(deviceId: string): Promise<void> {
    busy.add(deviceId);
    inFlight++;
    try {
      for (;;) {
        const q = queues.get(deviceId)!;
        if (q.length === 0) return;
        const part = q.splice(0, maxPer);
        const body = part.map((p) => p.line).join('\n');
        const url = o.baseUrls[rr++ % o.baseUrls.length]!;
        for (;;) {
          o.totals.requests++;
          const res = await fetch(`${url}/v1/ingest`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-ndjson',
              authorization: `Bearer ${o.tokens(deviceId)}`,
            },
            body,
          }).catch(() => null);
          if (res?.status === 202) {
            await res.arrayBuffer();
            break;
          }
          o.totals.retries++;
          const wait = Number(res?.headers.get('retry-after') ?? 0.2) * 1000;
          await res?.arrayBuffer();
          if (res && res.status !== 429 && res.status !== 503)
            throw new Error(`ingest answered ${res.status}`);
          await new Promise((r) => setTimeout(r, Math.min(wait, 2000)));
        }
        queued -= part.length;
        o.totals.batches += part.length;
        o.totals.samples += part.reduce((s, p) => s + p.samples, 0);
        o.onAck?.(deviceId, Date.now(), part.length);
      }
    } finally {
      busy.delete(deviceId);
      inFlight--;
    }
  }

  const senders = new Set<Promise<void>>();
  for (;;) {
    if (o.stopAtMs !== undefined && Date.now() >= o.stopAtMs) break;
    // Pace: samples taken so far may not run ahead of the target rate.
    const due = ((Date.now() - started) / 1000) * o.samplesPerS;
    if (taken >= due || queued >= maxQueued) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    const next = o.source.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    const b = next.value;
    taken += b.samples;
    let q = queues.get(b.deviceId);
    if (!q) queues.set(b.deviceId, (q = []));
    q.push({ line: b.line, samples: b.samples });
    queued++;
    if (!busy.has(b.deviceId)) {
      const p = drain(b.deviceId);
      senders.add(p);
      void p.finally(() => senders.delete(p));
    }
    // Yield now and then so acknowledgements are handled while a fast producer runs.
    if (++pulled % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  while (senders.size > 0 || inFlight > 0) {
    await Promise.all([...senders]);
    for (const [id, q] of queues) if (q.length > 0 && !busy.has(id)) senders.add(drain(id));
  }
  return { exhausted };
}

/**
 * CPU seconds (user + system) a process used so far, with its live children's unless ownOnly (Linux /proc).
 * ownOnly for a process whose children are measured on their own (the load generator starts the platform).
 */
export function cpuSeconds(pid: number, ownOnly = false): number {
  const stat = (p: number): number[] | null => {
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8');
      return s
        .slice(s.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number);
    } catch {
      return null;
    }
  };
  const own = stat(pid);
  if (!own) return 0;
  // Fields after the command: state(0) ppid(1) … utime(11) stime(12).
  let ticks = own[11]! + own[12]!;
  if (ownOnly) return ticks / 100;
  for (const name of readdirSync('/proc')) {
    const child = Number(name);
    if (!Number.isInteger(child) || child === pid) continue;
    const s = stat(child);
    if (s && s[1] === pid) ticks += s[11]! + s[12]!;
  }
  return ticks / 100;
}

/** The pid of the process listening as `name` whose command line names this port (nats-server, postgres). */
export function pidByPort(name: string, port: number): number | null {
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (
        cmd[0]?.endsWith(name) &&
        cmd.some(
          (a, i) =>
            a === String(port) || (a === '-p' && cmd[i + 1] === String(port)) || a.includes(`-p ${port}`),
        )
      )
        return pid;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** Consumer lag of the worker group over time: samples every intervalMs until stopped. */
export function lagSampler(
  lag: () => Promise<number>,
  intervalMs = 5000,
): { samples: Array<{ tS: number; lag: number }>; stop(): void } {
  const t0 = Date.now();
  const samples: Array<{ tS: number; lag: number }> = [];
  let stopped = false;
  const tick = async (): Promise<void> => {
    while (!stopped) {
      const n = await lag().catch(() => Number.NaN);
      if (!Number.isNaN(n)) samples.push({ tS: (Date.now() - t0) / 1000, lag: n });
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  };
  void tick();
  return {
    samples,
    stop() {
      stopped = true;
    },
  };
}

/** Least-squares slope of y over x. */
export function slope(points: Array<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
