// API read benchmark (issue 8): a 10,000-driver portfolio, authenticated drivers and staff, mixed read load
// (trips list, trip detail, quote) from this process against the API server in a child process.
//
// Seeding, quickly but from real pipeline output: a simulated fleet of `--templates` drivers drives the Andorra
// network for `--days` days; every batch goes through the real pipeline (map-matched speed limits) and its trips
// and events are stored as the worker stores them. The other drivers are replicas made in SQL: driver n copies
// the trips of template n mod T (about 7 in 8 of them, chosen per driver), with the distance scaled by a
// per-driver factor (0.85–1.15), their events, a device, a vehicle and a policy with varied rating factors.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createUser } from '../src/api/v1/index.ts';
import { hashPassword } from '../src/api/v1/crypto.ts';
import { createLogger } from '../src/config/logger.ts';
import { loadOsmPbf } from '../src/geo/index.ts';
import { createProcessor, type DeviceProcessor, type PipelineOutput } from '../src/pipeline/index.ts';
import { networkPlanner, simulateFleet } from '../src/sim/index.ts';
import {
  createDb,
  type Db,
  type DeviceRecord,
  ensureTenant,
  migrate,
  registerDevice,
  saveOutputs,
  startEmbeddedPostgres,
} from '../src/store/index.ts';
import { speedLimitsFrom } from '../src/worker/pipeline.ts';
import { freePort, waitForPort } from '../test/support/env.ts';
import { percentile, SHARED_DATA, writeResult } from './lib.ts';
import { postgresServer } from './servers.ts';

const BIN = fileURLToPath(new URL('../bin/openubi.js', import.meta.url));
const TENANT = 'bench';
const pad = (n: number) => String(n).padStart(6, '0');
const arg = (argv: string[], name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const log = (m: string) => process.stderr.write(`bench api: ${m}\n`);

/** Template drivers: simulated, run through the real pipeline, stored as the worker stores trips. */
async function seedTemplates(db: Db, templates: number, days: number) {
  const net = await loadOsmPbf(join(SHARED_DATA, 'osm', 'andorra.osm.pbf'), { countryCode: 'AD' });
  const speedLimits = speedLimitsFrom(net);
  const startDate = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const fleet = simulateFleet({
    planner: networkPlanner(net),
    drivers: templates,
    days,
    startDate,
    seed: 'bench-api',
  });
  const devices = new Map<string, { rec: DeviceRecord; proc: DeviceProcessor }>();
  for (const [i, d] of fleet.drivers.entries()) {
    await db.query(
      'INSERT INTO drivers (id, tenant_id, external_ref, display_name, birth_year) VALUES ($1, $2, $3, $4, $5)',
      [
        `drv-${pad(i)}`,
        TENANT,
        `ext-${i}`,
        `Driver ${i} (${d.style})`,
        new Date().getUTCFullYear() - d.ageYears,
      ],
    );
    const rec = await registerDevice(db, {
      tenantId: TENANT,
      kind: 'phone',
      id: `dev-${pad(i)}`,
      driverId: `drv-${pad(i)}`,
    });
    devices.set(d.deviceId, {
      rec,
      proc: createProcessor(d.deviceId, { timeZone: 'Europe/Andorra' }, { speedLimits }),
    });
  }
  let batches = 0;
  const store = async (rec: DeviceRecord, out: PipelineOutput) => {
    if (out.trips.length) await saveOutputs(db, rec, out);
  };
  for (const ev of fleet.events) {
    if (ev.type === 'trip') continue;
    const d = devices.get(ev.batch.deviceId)!;
    await store(d.rec, d.proc.push(ev.batch));
    if (++batches % 5000 === 0) log(`templates: ${batches} batches through the pipeline`);
  }
  for (const d of devices.values()) await store(d.rec, d.proc.flush());
  return { batches };
}

/** Replicas of the templates, in chunks, entirely in SQL. */
async function replicate(db: Db, templates: number, drivers: number) {
  const tpl = `'drv-' || lpad((g % ${templates})::text, 6, '0')`;
  const drv = `'drv-' || lpad(g::text, 6, '0')`;
  const dev = `'dev-' || lpad(g::text, 6, '0')`;
  for (let from = templates; from < drivers; from += 500) {
    const to = Math.min(drivers, from + 500);
    const range = [from, to - 1];
    await db.tx(async (c) => {
      await c.query(
        `INSERT INTO drivers (id, tenant_id, external_ref, display_name, birth_year)
         SELECT ${drv}, '${TENANT}', 'ext-' || g, 'Driver ' || g, 1945 + (g * 7919) % 58 FROM generate_series($1::int, $2::int) g`,
        range,
      );
      await c.query(
        `INSERT INTO devices (id, tenant_id, driver_id, kind, credential_prefix, credential_hash)
         SELECT ${dev}, '${TENANT}', ${drv}, 'phone', substr(md5(g::text || random()::text), 1, 12),
                sha256(convert_to(random()::text, 'UTF8')) FROM generate_series($1::int, $2::int) g`,
        range,
      );
      await c.query(
        `INSERT INTO trips (id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s, mode,
                            mode_confidence, status, features, trace, counted)
         SELECT t.id || '-r' || g, t.tenant_id, ${dev}, ${drv}, t.start_at, t.end_at, t.distance_m * f, t.duration_s,
                t.mode, t.mode_confidence, t.status, jsonb_set(t.features, '{distanceM}', to_jsonb(t.distance_m * f)),
                t.trace, t.counted
           FROM generate_series($1::int, $2::int) g
           CROSS JOIN LATERAL (SELECT 0.85 + ((g * 7919) % 301) / 1000.0 AS f) v
           JOIN trips t ON t.driver_id = ${tpl}
          WHERE (hashtext(t.id || g::text) & 7) <> 0`,
        range,
      );
      await c.query(
        `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at, peak, lat, lon,
                             speed_before_mps, speed_after_mps, details, evidence)
         SELECT e.id || '-r' || g, e.trip_id || '-r' || g, e.tenant_id, ${dev}, ${drv}, e.kind, e.severity, e.start_at,
                e.end_at, e.peak, e.lat, e.lon, e.speed_before_mps, e.speed_after_mps, e.details, e.evidence
           FROM generate_series($1::int, $2::int) g JOIN events e ON e.driver_id = ${tpl}
          WHERE EXISTS (SELECT 1 FROM trips WHERE id = e.trip_id || '-r' || g)`,
        range,
      );
    });
    if (to % 2000 === 0 || to === drivers) log(`replicas: ${to} of ${drivers} drivers`);
  }
  // Every driver has a vehicle and an active policy with classic rating factors.
  await db.query(
    `INSERT INTO vehicles (id, tenant_id, driver_id, make, year, power_kw)
     SELECT 'veh-' || lpad(g::text, 6, '0'), '${TENANT}', ${drv}, 'Simulated', 2008 + g % 16, 50 + (g * 13) % 110
       FROM generate_series(0, $1::int - 1) g`,
    [drivers],
  );
  await db.query(
    `INSERT INTO policies (id, tenant_id, driver_id, vehicle_id, jurisdiction, product, starts_on, ends_on, status,
                           rating_factors, enrolled)
     SELECT 'pol-' || lpad(g::text, 6, '0'), '${TENANT}', ${drv}, 'veh-' || lpad(g::text, 6, '0'), 'AD', 'phyd',
            date_trunc('year', now())::date, (date_trunc('year', now()) + interval '1 year')::date, 'active',
            jsonb_build_object('driverAge', 18 + (g * 31) % 60, 'vehiclePowerKw', 50 + (g * 13) % 110,
              'vehicleAgeYears', g % 16, 'territory', (ARRAY['A','B','C','D','E'])[1 + g % 5],
              'annualKm', 7000 + (g % 9) * 1000), true
       FROM generate_series(0, $1::int - 1) g`,
    [drivers],
  );
  await db.query('ANALYZE');
}

interface Target {
  auth: string;
  driverId: string;
  trips: string[];
}

export async function main(argv: string[]): Promise<number> {
  const drivers = arg(argv, 'drivers', 10_000);
  const templates = arg(argv, 'templates', 100);
  const days = arg(argv, 'days', 2);
  const sample = arg(argv, 'users', 300);
  const seconds = arg(argv, 'seconds', 20);
  const connections = arg(argv, 'connections', 32);
  const t0 = performance.now();

  const server = await postgresServer();
  const embeddedDir = server
    ? null
    : (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'openubi-bench-api-'));
  const embedded = embeddedDir
    ? await startEmbeddedPostgres({
        dataDir: embeddedDir,
        port: await freePort(),
        logger: createLogger('silent'),
      })
    : null;
  const dbUrl = server?.url ?? embedded!.url;
  const db = createDb(dbUrl, { max: 4 });
  let child: ChildProcess | null = null;
  try {
    await migrate(db, createLogger('silent'));
    await ensureTenant(db, TENANT, 'Benchmark insurer');
    log(`simulating ${templates} template drivers × ${days} days through the pipeline`);
    const tpl = await seedTemplates(db, templates, days);
    log(`replicating to ${drivers} drivers`);
    await replicate(db, templates, drivers);
    const stats = (
      await db.query(
        `SELECT (SELECT count(*) FROM drivers)::int AS drivers, (SELECT count(*) FROM trips)::int AS trips,
                (SELECT count(*) FROM events)::int AS events,
                (SELECT count(*) FROM trips WHERE driver_id < 'drv-' || lpad($1::text, 6, '0'))::int AS "templateTrips",
                (SELECT avg(pg_column_size(trace))::int FROM trips) AS "traceBytesStored",
                pg_database_size(current_database())::bigint AS "databaseBytes"`,
        [templates],
      )
    ).rows[0] as Record<string, number>;
    // Users: a sample of drivers (one password hash computed once, rows in SQL) and two staff accounts.
    const password = randomBytes(12).toString('hex');
    const hash = await hashPassword(password);
    const step = Math.max(1, Math.floor(drivers / sample));
    await db.query(
      `INSERT INTO users (id, tenant_id, email, role, driver_id, password_hash)
       SELECT 'usr-' || g, '${TENANT}', 'd' || g || '@bench.example', 'driver', 'drv-' || lpad(g::text, 6, '0'), $1
         FROM generate_series(0, $2::int - 1, $3::int) g`,
      [hash, drivers, step],
    );
    await createUser(db, { tenantId: TENANT, email: 'analyst@bench.example', password, role: 'analyst' });
    const seedS = (performance.now() - t0) / 1000;
    log(`seeded in ${Math.round(seedS)} s: ${JSON.stringify(stats)}`);

    const port = await freePort();
    child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        ROLES: 'api',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        JWT_SECRET: randomBytes(32).toString('hex'),
        // Limits stay on (their cost is measured) but high enough for a load generator on one IP.
        RATE_LIMIT_USER_PER_MIN: '1000000',
        RATE_LIMIT_LOGIN_PER_MIN: '1000000',
        OPENUBI_ADMIN_EMAIL: '',
        OPENUBI_ADMIN_PASSWORD: '',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForPort(port, 120_000);
    const base = `http://127.0.0.1:${port}`;
    const loginAs = async (email: string) => {
      const r = await fetch(`${base}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: TENANT, email, password }),
      });
      if (r.status !== 200) throw new Error(`login ${email}: ${r.status}`);
      return `Bearer ${((await r.json()) as { accessToken: string }).accessToken}`;
    };
    const { rows: users } = await db.query<{ email: string; driver_id: string; trips: string[] }>(
      `SELECT u.email, u.driver_id, array(SELECT id FROM trips t WHERE t.driver_id = u.driver_id ORDER BY start_at DESC) AS trips
         FROM users u WHERE u.role = 'driver'`,
    );
    const targets: Target[] = [];
    for (let i = 0; i < users.length; i += 4)
      targets.push(
        ...(await Promise.all(
          users
            .slice(i, i + 4)
            .map(async (u) => ({ auth: await loginAs(u.email), driverId: u.driver_id, trips: u.trips })),
        )),
      );
    const staff = await loginAs('analyst@bench.example');
    const withTrips = targets.filter((t) => t.trips.length > 0);
    log(`${targets.length} drivers and an analyst logged in; pricing their first quotes`);
    for (const t of targets) {
      const r = await fetch(`${base}/v1/drivers/${t.driverId}/quote`, { headers: { authorization: t.auth } });
      if (r.status !== 200) throw new Error(`quote ${t.driverId}: ${r.status} ${await r.text()}`);
    }

    // Each request: 80 % a driver reading their own data, 20 % the analyst reading a random sampled driver's.
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    const caller = () => {
      const t = pick(withTrips);
      return Math.random() < 0.8 ? t : { ...t, auth: staff };
    };
    const route = (name: string, path: (t: Target) => string) => ({
      method: 'GET' as const,
      route: name,
      setupRequest: (req: Record<string, unknown>) => {
        const t = caller();
        return { ...req, path: path(t), headers: { authorization: t.auth } };
      },
    });
    const requests = [
      route('trips list', (t) => `/v1/trips?driverId=${t.driverId}&limit=20`),
      route('trip detail', (t) => `/v1/trips/${pick(t.trips)}`),
      route('quote', (t) => `/v1/drivers/${t.driverId}/quote`),
    ];
    const byRoute = new Map<string, { ms: number[]; non2xx: number }>(
      requests.map((r) => [r.route, { ms: [], non2xx: 0 }]),
    );
    const load = (s: number, record: boolean) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        const inst = autocannon(
          { url: base, connections, duration: s, requests: requests as never },
          (e, r) => (e ? reject(e) : resolve(r)),
        );
        if (record)
          inst.on('response', (client, status, _bytes, ms) => {
            const name = (client as unknown as { requestIterator: { currentRequest: { route: string } } })
              .requestIterator.currentRequest.route;
            const r = byRoute.get(name)!;
            r.ms.push(ms);
            if (status < 200 || status >= 300) r.non2xx++;
          });
      });
    log('warm-up (5 s)');
    await load(5, false);
    log(`measuring: ${connections} connections, ${seconds} s`);
    const result = await load(seconds, true);
    const perRoute = Object.fromEntries(
      [...byRoute].map(([name, r]) => {
        const sorted = Float64Array.from(r.ms).sort();
        return [
          name,
          {
            requests: r.ms.length,
            requestsPerS: Math.round(r.ms.length / seconds),
            p50Ms: Math.round(percentile(sorted, 50) * 100) / 100,
            p99Ms: Math.round(percentile(sorted, 99) * 100) / 100,
            non2xx: r.non2xx,
          },
        ];
      }),
    );
    // Each route alone, for where the time goes (the mixed figure is the target's).
    const alone: Record<string, { requestsPerS: number; p50Ms: number; p99Ms: number }> = {};
    for (const r of requests) {
      log(`${r.route} alone (5 s)`);
      const one = await new Promise<autocannon.Result>((resolve, reject) =>
        autocannon({ url: base, connections, duration: 5, requests: [r] as never }, (e, res) =>
          e ? reject(e) : resolve(res),
        ),
      );
      alone[r.route] = {
        requestsPerS: Math.round(one.requests.average),
        p50Ms: one.latency.p50,
        p99Ms: one.latency.p99,
      };
    }
    const overall = {
      requestsPerS: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    };
    const worstP99 = Math.max(...Object.values(perRoute).map((r) => r.p99Ms));
    const file = writeResult('api', {
      figures: {
        overall,
        perRoute,
        alone,
        target: { requestsPerS: 3000, p99Ms: 25 },
        met: overall.requestsPerS >= 3000 && worstP99 < 25,
      },
      inputs: {
        drivers,
        templateDrivers: templates,
        templateDays: days,
        templateBatchesThroughPipeline: tpl.batches,
        ...stats,
        loggedInDrivers: targets.length,
        mix: 'trips list, trip detail, quote in equal shares; 80 % drivers on their own data, 20 % an analyst on a sampled driver',
        connections,
        seconds,
        database: server ? 'PostgreSQL server (Debian binaries)' : 'embedded PostgreSQL',
        seedSeconds: Math.round(seedS),
      },
      notes: [
        'API server: one Node process (ROLES=api) in a child process; load from autocannon in the benchmark process, on the same 2-core machine.',
        'Figures taken while other work shared the CPUs (several sessions at once): treat them as a lower bound.',
        'Rate limits on, set high; staff reads are audited (one INSERT each), as in production.',
      ],
    });
    log(
      `overall ${overall.requestsPerS} req/s, p99 ${overall.p99Ms} ms; ${JSON.stringify(perRoute)} → ${file}`,
    );
    return 0;
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await db.close();
    await server?.stop();
    await embedded?.stop();
    if (embeddedDir) (await import('node:fs')).rmSync(embeddedDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
