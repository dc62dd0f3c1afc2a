// openubi simulate: drive a simulated fleet on the real road network and write v1 NDJSON (and ground truth),
// or stream it to a server over v1 HTTP, OsmAnd HTTP or Teltonika TCP. Deterministic by seed.
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadOsmPbf } from '../../geo/index.ts';
import { osmand, teltonika } from '../../ingest/protocols/index.ts';
import {
  type DeviceRecord,
  type FleetEvent,
  type FleetProtocol,
  networkPlanner,
  simulateFleet,
  toIngestBatchV1,
  truthToNdjsonLine,
} from '../../sim/index.ts';
import { requestWithRetry } from '../../sim/transport/retry.ts';
import { openTcpSession, type TcpSession } from '../../sim/transport/tcp-session.ts';
import { createV1Sender, type V1Sender } from '../../sim/transport/v1-sender.ts';
import { parseCommandArgs } from '../args.ts';

export const summary =
  'drive a simulated fleet on the real road network; write v1 NDJSON or stream it to a server';

const DEFAULT_OSM = fileURLToPath(new URL('../../../../shared/data/osm/andorra.osm.pbf', import.meta.url));
const PROTOCOLS: readonly FleetProtocol[] = ['v1', 'osmand', 'teltonika'];

const USAGE = `usage: openubi simulate --drivers N --days D [--out FILE] [--truth FILE] [--target URL]
                        [--token T | --tokens FILE] [--protocol v1|osmand|teltonika] [--seed S]
                        [--speedup X] [--start YYYY-MM-DD] [--osm FILE.osm.pbf] [--country CC] [--tz ZONE]

Drives N simulated drivers for D days on the road network (default: the Andorra extract) and
  --out FILE     writes the data: v1 NDJSON (one IngestBatchV1 per line, 10 s each: 500 IMU samples +
                 10 GPS fixes); with --protocol osmand one OsmAnd request path per line; with teltonika
                 one "IMEI HEXFRAME" line per codec 8E frame. "-" writes to stdout.
  --truth FILE   writes the ground truth, one JSON trip per line (trip times, distance, edge ids,
                 harsh events, speeding spans, phone use, true edge of every fix).
  --target URL   sends it: v1 → POST URL/v1/ingest (NDJSON, bearer token per device, retries on
                 429/503 honouring Retry-After); osmand → OsmAnd requests to URL (e.g. http://host:5055);
                 teltonika → TCP to URL (tcp://host:5027).
  --token T      bearer token used for every device (v1); --tokens FILE: JSON {deviceId: token} or the
                 register-device outputs as an array [{ "id", "token" }]. Simulated device ids are
                 sim-phone-00000, sim-phone-00001, … (trackers sim-trk-…); the JSON summary lists each
                 device with its IMEI, to register them (register-device --id … [--external-id IMEI]).
  --speedup X    paces sending at X times real time (default: as fast as possible).
  --seed S       random seed (default 1); --start the first local day (default today, UTC date).
Progress goes to stderr; a JSON summary goes to stdout (unless --out -).
`;

interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

interface SimulateOptions {
  drivers: number;
  days: number;
  seed: string;
  start: string;
  protocol: FleetProtocol;
  out: string | null;
  truth: string | null;
  target: string | null;
  tokens: Map<string, string> | null;
  sharedToken: string | null;
  speedup: number | null;
  osm: string;
  country: string;
  tz: string;
}

export async function run(argv: string[]): Promise<number> {
  return runWith(argv, { stdout: process.stdout, stderr: process.stderr });
}

export async function runWith(argv: string[], io: Io): Promise<number> {
  const parsed = parseOptions(argv);
  if ('help' in parsed) {
    io.stdout.write(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    io.stderr.write(`openubi simulate: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const o = parsed.options;
  const net = await loadOsmPbf(o.osm, { countryCode: o.country });
  const fleet = simulateFleet({
    planner: networkPlanner(net),
    drivers: o.drivers,
    days: o.days,
    startDate: o.start,
    seed: o.seed,
    protocol: o.protocol,
    timeZone: o.tz,
  });
  const out = o.out === '-' ? null : o.out ? createWriteStream(o.out) : null;
  const writeOut =
    o.out === '-' ? (s: string) => io.stdout.write(s) : out ? (s: string) => write(out, s) : null;
  const truthStream = o.truth ? createWriteStream(o.truth) : null;
  const sink = o.target ? await createTargetSink(o, io) : null;
  const imeiOf = new Map(fleet.drivers.map((d) => [d.deviceId, d.imei]));
  const progress = createProgress(io, fleet.periodStartMs, fleet.periodEndMs);
  const counts = { trips: 0, batches: 0, bytes: 0, harshEvents: 0, distanceKm: 0 };
  const wallStart = Date.now();
  let firstMs: number | null = null;
  let failure: Error | null = null;
  try {
    for (const ev of fleet.events) {
      if (o.speedup) {
        firstMs ??= ev.endMs;
        const due = wallStart + (ev.endMs - firstMs) / o.speedup;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      if (ev.type === 'trip') {
        counts.trips++;
        counts.harshEvents += ev.truth.harshEvents.length;
        counts.distanceKm += ev.truth.distanceM / 1000;
        if (truthStream) await write(truthStream, truthToNdjsonLine(ev.truth));
        await sink?.endOfTrip(ev.truth.deviceId);
      } else {
        counts.batches++;
        if (writeOut) {
          const text = formatForFile(o.protocol, ev, imeiOf.get(ev.deviceId) ?? '');
          counts.bytes += text.length;
          await writeOut(text);
        }
        await sink?.batch(ev, imeiOf.get(ev.deviceId) ?? '');
      }
      progress.update(ev.startMs, counts, sink?.accepted() ?? null);
    }
    await sink?.finish();
  } catch (e) {
    failure = e as Error;
  } finally {
    sink?.close();
    await Promise.all([out, truthStream].map((s) => (s ? new Promise((r) => s.end(r)) : null)));
    progress.done();
  }
  if (failure) {
    io.stderr.write(`openubi simulate: ${failure.message}\n`);
    return 1;
  }
  const result = {
    drivers: o.drivers,
    days: o.days,
    seed: o.seed,
    start: o.start,
    protocol: o.protocol,
    trips: counts.trips,
    batches: counts.batches,
    distanceKm: Math.round(counts.distanceKm * 10) / 10,
    harshEvents: counts.harshEvents,
    ...(sink ? { sent: sink.stats() } : {}),
    wallSeconds: (Date.now() - wallStart) / 1000,
    devices: fleet.drivers
      .slice(0, 1000)
      .map((d) => ({ deviceId: d.deviceId, imei: d.imei, style: d.style })),
  };
  if (o.out !== '-') io.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

function parseOptions(argv: string[]): { options: SimulateOptions } | { error: string } | { help: true } {
  const p = parseCommandArgs(argv, {
    drivers: { type: 'string' },
    days: { type: 'string' },
    target: { type: 'string' },
    token: { type: 'string' },
    tokens: { type: 'string' },
    protocol: { type: 'string' },
    out: { type: 'string' },
    truth: { type: 'string' },
    seed: { type: 'string' },
    speedup: { type: 'string' },
    start: { type: 'string' },
    osm: { type: 'string' },
    country: { type: 'string' },
    tz: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!p.ok) return { error: p.message };
  const v = p.args.values;
  if (v.help) return { help: true };
  if (p.args.positionals.length > 0) return { error: `unexpected argument '${p.args.positionals[0]}'` };
  const int = (name: string, raw: string | undefined, max: number): number | string => {
    if (raw === undefined) return `--${name} is required`;
    const n = Number(raw);
    return Number.isInteger(n) && n >= 1 && n <= max
      ? n
      : `--${name} must be a whole number from 1 to ${max}, got '${raw}'`;
  };
  const drivers = int('drivers', v.drivers, 100_000);
  if (typeof drivers === 'string') return { error: drivers };
  const days = int('days', v.days, 3650);
  if (typeof days === 'string') return { error: days };
  const protocol = (v.protocol ?? 'v1') as FleetProtocol;
  if (!PROTOCOLS.includes(protocol))
    return { error: `--protocol must be one of ${PROTOCOLS.join(', ')}, got '${v.protocol}'` };
  const start = v.start ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`))) {
    return { error: `--start must be a date YYYY-MM-DD, got '${v.start}'` };
  }
  let speedup: number | null = null;
  if (v.speedup !== undefined) {
    speedup = Number(v.speedup);
    if (!(speedup > 0) || !Number.isFinite(speedup))
      return { error: `--speedup must be a positive number, got '${v.speedup}'` };
  }
  if (!v.out && !v.target && !v.truth)
    return { error: 'nothing to do: give --out FILE, --truth FILE and/or --target URL' };
  if (v.target) {
    const ok =
      protocol === 'teltonika'
        ? /^(tcp:\/\/)?[^:/\s]+:\d+$/.test(v.target)
        : /^https?:\/\/\S+$/.test(v.target);
    if (!ok) {
      return {
        error: `--target '${v.target}' is not a ${protocol === 'teltonika' ? 'tcp://host:port' : 'http(s)://host[:port]'} address`,
      };
    }
  }
  if (v.token && v.tokens) return { error: 'give either --token or --tokens, not both' };
  let tokens: Map<string, string> | null = null;
  if (v.tokens) {
    const t = readTokens(v.tokens);
    if (typeof t === 'string') return { error: t };
    tokens = t;
  }
  if (v.target && protocol === 'v1' && !v.token && !tokens) {
    return { error: 'sending v1 batches needs device credentials: --token T or --tokens FILE' };
  }
  const osm = v.osm ?? DEFAULT_OSM;
  if (!existsSync(osm)) return { error: `--osm: no such file '${osm}'` };
  const tz = v.tz ?? 'Europe/Andorra';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    return { error: `--tz '${tz}' is not a known time zone` };
  }
  return {
    options: {
      drivers,
      days,
      seed: v.seed ?? '1',
      start,
      protocol,
      out: v.out ?? null,
      truth: v.truth ?? null,
      target: v.target ?? null,
      tokens,
      sharedToken: v.token ?? null,
      speedup,
      osm,
      country: (v.country ?? 'AD').toUpperCase(),
      tz,
    },
  };
}

function readTokens(file: string): Map<string, string> | string {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return `--tokens: cannot read '${file}': ${(e as Error).message}`;
  }
  const map = new Map<string, string>();
  if (Array.isArray(json)) {
    for (const item of json) {
      const r = item as { id?: unknown; deviceId?: unknown; token?: unknown };
      const id = r.id ?? r.deviceId;
      if (typeof id === 'string' && typeof r.token === 'string') map.set(id, r.token);
    }
  } else if (json && typeof json === 'object') {
    for (const [k, t] of Object.entries(json)) if (typeof t === 'string') map.set(k, t);
  }
  return map.size > 0
    ? map
    : `--tokens: '${file}' holds no device tokens ({deviceId: token} or [{id, token}])`;
}

function write(stream: WriteStream, text: string): Promise<void> | void {
  if (!stream.write(text)) return new Promise((r) => stream.once('drain', () => r()));
}

// ---- protocol forms ---------------------------------------------------------------------------------

function formatForFile(
  protocol: FleetProtocol,
  ev: Extract<FleetEvent, { type: 'batch' }>,
  imei: string,
): string {
  if (protocol === 'v1') return `${JSON.stringify(toIngestBatchV1(ev.batch))}\n`;
  if (protocol === 'osmand')
    return osmandRequests(ev)
      .map((r) => `${r.path}\n`)
      .join('');
  return `${imei} ${teltonikaFrame(ev.records ?? []).toString('hex')}\n`;
}

function osmandRequests(ev: Extract<FleetEvent, { type: 'batch' }>): osmand.BuiltRequest[] {
  const g = ev.batch.gps;
  if (!g) return [];
  return g.t.map((t, k) =>
    osmand.buildOsmAndQuery({
      id: ev.deviceId,
      timestampMs: t,
      latDeg: g.lat[k]!,
      lonDeg: g.lon[k]!,
      speedMps: g.speedMps?.[k] ?? null,
      headingDeg: g.headingDeg?.[k] ?? null,
      accuracyM: g.accuracyM?.[k] ?? null,
    }),
  );
}

function teltonikaFrame(records: readonly DeviceRecord[]): Buffer {
  const io = (id: number, size: 1 | 2 | 4, value: number) => ({
    id,
    size,
    value: Math.max(0, Math.round(value)),
  });
  return teltonika.encodeAvlFrame(
    teltonika.CODEC_8E,
    records.map((r) => ({
      timestampMs: r.tMs,
      priority: r.green || r.eventIoId === 239 ? 1 : 0,
      latDeg: r.lat,
      lonDeg: r.lon,
      // No elevation model: the simulator does not know altitudes (0 = unknown).
      altitudeM: 0,
      headingDeg: r.headingDeg,
      satellites: r.satellites,
      speedKmh: r.speedKmh,
      eventIoId: r.eventIoId,
      io: [
        io(239, 1, r.ignition ? 1 : 0),
        io(240, 1, r.motion ? 1 : 0),
        io(21, 1, r.gsmSignal),
        io(24, 2, r.speedKmh),
        io(66, 2, r.externalVoltageMv),
        io(182, 2, r.hdop * 10),
        io(16, 4, r.odometerM),
        ...(r.green
          ? [
              io(253, 1, r.green.type),
              io(254, 1, Math.min(255, r.green.valueG * 100)),
              io(243, 2, Math.min(65535, r.green.durationMs)),
            ]
          : []),
      ],
    })),
  );
}

// ---- sending ----------------------------------------------------------------------------------------

interface TargetSink {
  batch(ev: Extract<FleetEvent, { type: 'batch' }>, imei: string): Promise<void>;
  endOfTrip(deviceId: string): Promise<void>;
  finish(): Promise<void>;
  close(): void;
  accepted(): number;
  stats(): Record<string, number>;
}

async function createTargetSink(o: SimulateOptions, io: Io): Promise<TargetSink> {
  const target = o.target!;
  const onRetry = (i: { attempt: number; delayMs: number; reason: string }): void => {
    if (i.attempt === 1 || i.attempt % 4 === 0)
      io.stderr.write(`\n${i.reason}; retrying in ${Math.round(i.delayMs)} ms\n`);
  };
  if (o.protocol === 'v1') {
    const sender: V1Sender = createV1Sender({
      target,
      tokenFor: (id) => o.tokens?.get(id) ?? o.sharedToken,
      onRetry,
    });
    return {
      batch: (ev) => sender.add(toIngestBatchV1(ev.batch)),
      endOfTrip: (id) => sender.flush(id),
      finish: () => sender.flushAll(),
      close: () => undefined,
      accepted: () => sender.stats.accepted,
      stats: () => ({ ...sender.stats }),
    };
  }
  if (o.protocol === 'osmand') {
    const base = target.replace(/\/+$/, '');
    const stats = { requests: 0, accepted: 0, retries: 0 };
    return {
      async batch(ev) {
        for (const r of osmandRequests(ev)) {
          const init: RequestInit = { method: r.method, headers: r.headers };
          if (r.body !== undefined) init.body = r.body;
          const res = await requestWithRetry(`${base}${r.path}`, init, {
            onRetry: (i) => {
              stats.retries++;
              onRetry(i);
            },
          });
          stats.requests++;
          if (res.status !== 200)
            throw new Error(`${base} answered ${res.status}: ${res.body.slice(0, 200)}`);
          stats.accepted++;
        }
      },
      endOfTrip: async () => undefined,
      finish: async () => undefined,
      close: () => undefined,
      accepted: () => stats.accepted,
      stats: () => ({ ...stats }),
    };
  }
  const [host, portText] = target.replace(/^tcp:\/\//, '').split(':') as [string, string];
  const sessions = new Map<string, TcpSession>();
  const stats = { frames: 0, records: 0, accepted: 0 };
  return {
    async batch(ev, imei) {
      let s = sessions.get(imei);
      if (!s) {
        s = await openTcpSession(host, Number(portText), teltonika.encodeLogin(imei));
        sessions.set(imei, s);
      }
      const records = ev.records ?? [];
      for (let i = 0; i < records.length; i += 100) {
        const chunk = records.slice(i, i + 100);
        stats.accepted += await s.send(teltonikaFrame(chunk));
        stats.frames++;
        stats.records += chunk.length;
      }
    },
    endOfTrip: async () => undefined,
    finish: async () => undefined,
    close: () => {
      for (const s of sessions.values()) s.close();
    },
    accepted: () => stats.accepted,
    stats: () => ({ ...stats }),
  };
}

// ---- progress ---------------------------------------------------------------------------------------

function createProgress(io: Io, fromMs: number, toMs: number) {
  let last = 0;
  const tty = io.stderr.isTTY === true;
  const started = Date.now();
  let line = '';
  return {
    update(tMs: number, c: { trips: number; batches: number; bytes: number }, accepted: number | null): void {
      const now = Date.now();
      if (now - last < (tty ? 200 : 5000)) return;
      last = now;
      const f = Math.max(0, Math.min(1, (tMs - fromMs) / (toMs - fromMs)));
      const width = 24;
      const bar = '#'.repeat(Math.round(f * width)).padEnd(width, '.');
      const day = new Date(tMs).toISOString().slice(0, 16).replace('T', ' ');
      line = `[${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${day} trips ${c.trips} batches ${c.batches}${
        c.bytes ? ` ${(c.bytes / 1e6).toFixed(1)} MB` : ''
      }${accepted !== null ? ` accepted ${accepted}` : ''} ${((now - started) / 1000).toFixed(0)}s`;
      io.stderr.write(tty ? `\r${line}` : `${line}\n`);
    },
    done(): void {
      if (tty && line) io.stderr.write('\n');
    },
  };
}
