// openubi process: runs the trip and driving-behaviour pipeline offline on recorded v1 NDJSON.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { IngestBatchV1, type SensorBatch } from '../../domain/index.ts';
import {
  createProcessor,
  type DeviceProcessor,
  type DrivingEvent,
  type PipelineConfig,
  resolveConfig,
  type Trip,
} from '../../pipeline/index.ts';
import { parseCommandArgs } from '../args.ts';

export const summary =
  'run the trip / driving-behaviour pipeline on v1 NDJSON; print trips, events and features as JSON';

const USAGE = `usage: openubi process FILE [options]
  FILE             v1 NDJSON, one IngestBatchV1 per line (devices may be interleaved); '-' reads stdin
  --tz ZONE        IANA time zone for night / rush-hour rules (default UTC)
  --config FILE    JSON object overriding pipeline thresholds (see docs/pipeline.md)
  --compact        leave out the 1 Hz traces and the events' sensor evidence
  --pretty         indent the JSON output
  --quiet          no progress on stderr
Prints {"summary", "trips", "events"}. A malformed line is reported on stderr with its line number, skipped
and counted; the exit status is 1 when no line could be used, 2 on bad options.
`;

const checker = TypeCompiler.Compile(IngestBatchV1);

function usageError(message: string): number {
  process.stderr.write(`openubi process: ${message}\n${USAGE}`);
  return 2;
}

/** Validates one line; returns the batch or a message naming what is wrong. */
export function parseLine(text: string): { ok: true; batch: SensorBatch } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON (${(e as Error).message})` };
  }
  if (!checker.Check(raw)) {
    const first = checker.Errors(raw).First();
    return { ok: false, message: `${first?.path || '/'}: ${first?.message ?? 'invalid batch'}` };
  }
  const b = raw;
  for (const [name, sec] of [
    ['gps', b.gps],
    ['imu', b.imu],
  ] as const) {
    if (!sec) continue;
    const n = sec.t.length;
    for (const [k, v] of Object.entries(sec)) {
      if (Array.isArray(v) && v.length !== n)
        return { ok: false, message: `/${name}/${k}: ${v.length} values for ${n} timestamps` };
    }
  }
  const batch: SensorBatch = { deviceId: b.deviceId, batchId: b.batchId, source: 'v1', receivedAtMs: 0 };
  if (b.gps) batch.gps = b.gps;
  if (b.imu) batch.imu = b.imu;
  if (b.phone) batch.phone = b.phone;
  return { ok: true, batch };
}

function loadConfig(tz: string | undefined, file: string | undefined): Partial<PipelineConfig> | string {
  let cfg: Partial<PipelineConfig> = {};
  if (file !== undefined) {
    try {
      cfg = JSON.parse(readFileSync(file, 'utf8')) as Partial<PipelineConfig>;
    } catch (e) {
      return `--config ${file}: ${(e as Error).message}`;
    }
    if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg))
      return `--config ${file}: must be a JSON object`;
  }
  if (tz !== undefined) cfg = { ...cfg, timeZone: tz };
  try {
    resolveConfig(cfg);
  } catch (e) {
    return (e as Error).message;
  }
  return cfg;
}

function compactTrip(t: Trip): Trip {
  return { ...t, trace: { tMs: [], lat: [], lon: [], speedMps: [], headingDeg: [] } };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    tz: { type: 'string' },
    config: { type: 'string' },
    compact: { type: 'boolean' },
    pretty: { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(parsed.message);
  const { values, positionals } = parsed.args;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) return usageError('give exactly one FILE (or - for stdin)');
  const file = positionals[0]!;
  if (file !== '-' && !existsSync(file)) return usageError(`no such file: ${file}`);
  const cfg = loadConfig(values.tz, values.config);
  if (typeof cfg === 'string') return usageError(cfg);

  const totalBytes = file === '-' ? null : statSync(file).size;
  const input = file === '-' ? process.stdin : createReadStream(file);
  const procs = new Map<string, DeviceProcessor>();
  const trips: Trip[] = [];
  const events: DrivingEvent[] = [];
  const started = performance.now();
  let lines = 0;
  let batches = 0;
  let malformed = 0;
  let bytes = 0;
  let lastProgress = started;
  const progress = (final: boolean) => {
    if (values.quiet) return;
    const mb = (bytes / 1e6).toFixed(1);
    const of = totalBytes === null ? '' : ` of ${(totalBytes / 1e6).toFixed(1)} MB`;
    process.stderr.write(
      `${final ? '' : '… '}${lines} lines, ${mb} MB${of}, ${procs.size} devices, ${trips.length} trips so far\n`,
    );
  };
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lines++;
    bytes += text.length + 1;
    if (text.trim() === '') continue;
    const r = parseLine(text);
    if (!r.ok) {
      malformed++;
      process.stderr.write(`openubi process: line ${lines}: ${r.message} (skipped)\n`);
      continue;
    }
    batches++;
    const id = r.batch.deviceId;
    let p = procs.get(id);
    if (!p) {
      p = createProcessor(id, cfg);
      procs.set(id, p);
    }
    const o = p.push(r.batch);
    trips.push(...o.trips);
    events.push(...o.events);
    const now = performance.now();
    if (now - lastProgress > 2000) {
      lastProgress = now;
      progress(false);
    }
  }
  let droppedTrips = 0;
  const dropped = { late: 0, duplicate: 0, invalid: 0, duplicateBatches: 0 };
  const fixes = { nullIsland: 0, inaccurate: 0, invalid: 0, jump: 0 };
  for (const p of procs.values()) {
    const o = p.flush();
    trips.push(...o.trips);
    events.push(...o.events);
    const st = p.stats();
    droppedTrips += st.tripsDropped;
    for (const k of Object.keys(dropped) as (keyof typeof dropped)[]) dropped[k] += st.samplesDropped[k];
    for (const k of Object.keys(fixes) as (keyof typeof fixes)[]) fixes[k] += st.fixesDropped[k];
  }
  trips.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.startMs - b.startMs));
  events.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.startMs - b.startMs));
  const out = {
    summary: {
      lines,
      batches,
      malformedLines: malformed,
      devices: procs.size,
      trips: trips.length,
      tripsDroppedAsTooShort: droppedTrips,
      events: events.length,
      samplesDropped: dropped,
      fixesDropped: fixes,
      seconds: Math.round(performance.now() - started) / 1000,
    },
    trips: values.compact ? trips.map(compactTrip) : trips,
    events: values.compact ? events.map((e) => ({ ...e, evidence: null })) : events,
  };
  process.stdout.write(`${JSON.stringify(out, null, values.pretty ? 2 : undefined)}\n`);
  if (totalBytes === null || totalBytes > 5e6) progress(true);
  return batches === 0 && malformed > 0 ? 1 : 0;
}
