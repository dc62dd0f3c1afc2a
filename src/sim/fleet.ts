// A fleet over days: each driver's trips become sensor batches (phones: v1 GPS + IMU + phone events; GPS-only
// phones for OsmAnd; trackers: Teltonika-style records), merged across drivers in time order, with each
// trip's ground truth emitted after its last batch.
import type { SensorBatch, SourceProtocol } from '../domain/samples.ts';
import type { IngestBatchV1 } from '../domain/wire.ts';
import { type DeviceRecord, deviceRecords, recordsToSections, TELTONIKA_DEFAULTS } from './device-records.ts';
import { PHONE_GPS } from './gps.ts';
import { phoneWindows, type TripRun, WINDOW_MS } from './phone-sensors.ts';
import type { RoutePlanner } from './planner.ts';
import { createDriver, type Driver } from './population.ts';
import { createRng, type Rng } from './rng.ts';
import { mountQuat } from './rotation.ts';
import { dayTrips, localMidnightMs } from './schedule.ts';
import type { StyleName } from './styles.ts';
import { latLonAt } from './track.ts';
import { simulateTrip, type TripTruth } from './trip.ts';

export type FleetProtocol = 'v1' | 'osmand' | 'teltonika';

export interface FleetOptions {
  planner: RoutePlanner;
  drivers: number;
  days: number;
  /** First local day, YYYY-MM-DD. */
  startDate: string;
  seed: string | number;
  /** v1: phones with GPS, 50 Hz IMU and phone events; osmand: GPS-only phones; teltonika: vehicle trackers. */
  protocol?: FleetProtocol;
  timeZone?: string;
  styleMix?: Readonly<Partial<Record<StyleName, number>>>;
  /** Batch length for phones (default 10 s: 500 IMU samples, 10 fixes); trackers use 60 s. */
  windowMs?: number;
  idPrefix?: string;
}

export type FleetEvent =
  | {
      type: 'batch';
      driverIndex: number;
      deviceId: string;
      startMs: number;
      endMs: number;
      batch: SensorBatch;
      /** Tracker records behind the batch (for the Teltonika encoder); null for phones. */
      records: DeviceRecord[] | null;
    }
  | { type: 'trip'; driverIndex: number; startMs: number; endMs: number; truth: TripTruth };

export interface Fleet {
  drivers: Driver[];
  events: Generator<FleetEvent>;
  /** Simulated period, epoch ms (local midnight of the first day to that after the last). */
  periodStartMs: number;
  periodEndMs: number;
}

export const DEFAULT_TIME_ZONE = 'Europe/Andorra';
const TRACKER_WINDOW_MS = 60_000;

export function simulateFleet(opts: FleetOptions): Fleet {
  const root = createRng(opts.seed);
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const protocol = opts.protocol ?? 'v1';
  const deviceKind = protocol === 'teltonika' ? 'tracker' : 'phone';
  const popOpts = {
    deviceKind,
    ...(opts.styleMix ? { styleMix: opts.styleMix } : {}),
    ...(opts.idPrefix ? { idPrefix: opts.idPrefix } : {}),
  } as const;
  const drivers: Driver[] = [];
  for (let i = 0; i < opts.drivers; i++) {
    drivers.push(createDriver(i, root.fork(`driver:${i}`).fork('profile'), opts.planner, popOpts));
  }
  const streams = drivers.map((d) => driverEvents(d, root.fork(`driver:${d.index}`), opts, tz, protocol));
  return {
    drivers,
    events: mergeByTime(streams),
    periodStartMs: localMidnightMs(opts.startDate, 0, tz),
    periodEndMs: localMidnightMs(opts.startDate, opts.days, tz),
  };
}

function* driverEvents(
  driver: Driver,
  rng: Rng,
  opts: FleetOptions,
  tz: string,
  protocol: FleetProtocol,
): Generator<FleetEvent> {
  const [y, m, d] = opts.startDate.split('-').map(Number) as [number, number, number];
  let lastEndMs = Number.NEGATIVE_INFINITY;
  let seq = 0;
  let odometerM = Math.round(rng.fork('odometer').uniform(5_000_000, 150_000_000));
  const source: SourceProtocol =
    protocol === 'teltonika' ? 'teltonika' : protocol === 'osmand' ? 'osmand' : 'sim';
  for (let day = 0; day < opts.days; day++) {
    const midnight = localMidnightMs(opts.startDate, day, tz);
    const weekday = new Date(Date.UTC(y, m - 1, d + day)).getUTCDay();
    const dayRng = rng.fork(`day:${day}`);
    const planned = dayTrips(driver, midnight, weekday, dayRng);
    for (let k = 0; k < planned.length; k++) {
      const p = planned[k]!;
      const route = opts.planner.route(p.from.nodeId, p.to.nodeId);
      if (!route || route.lengthM < 300) continue;
      const tripRng = dayRng.fork(`trip:${k}`);
      const startMs = Math.max(p.departMs, lastEndMs + 60_000 + tripRng.int(600_000));
      const tripId = `${driver.deviceId}-d${day}-t${k}`;
      const localHour = ((((startMs - midnight) / 3_600_000) % 24) + 24) % 24;
      const sim = simulateTrip(driver, route, startMs, tripId, tripRng, {
        localHour,
        weekday,
        phone: protocol !== 'teltonika',
      });
      const { truth, track, trace } = sim;
      const run: TripRun = { startMs, track, trace };
      const fixes = { t: [] as number[], edgeId: [] as number[], lat: [] as number[], lon: [] as number[] };
      const base = (s: number, e: number) => ({
        type: 'batch' as const,
        driverIndex: driver.index,
        deviceId: driver.deviceId,
        startMs: s,
        endMs: e,
      });
      const batchId = (): string => `${driver.deviceId}-${String(seq++).padStart(7, '0')}`;
      if (protocol === 'teltonika') {
        const records = deviceRecords(
          trace,
          track,
          startMs,
          odometerM,
          TELTONIKA_DEFAULTS,
          tripRng.fork('device'),
        );
        odometerM += Math.round(truth.distanceM);
        for (const r of records) {
          const i = Math.min(trace.n - 1, Math.round((r.tMs - startMs) / (trace.dtS * 1000)));
          const s = trace.sM[i]!;
          fixes.t.push(r.tMs);
          fixes.edgeId.push(track.edgeId[Math.min(track.n - 1, Math.floor(s / track.dsM))]!);
          const ll = latLonOf(track, s);
          fixes.lat.push(ll.lat);
          fixes.lon.push(ll.lon);
        }
        for (let i = 0; i < records.length; ) {
          const w0 = records[i]!.tMs;
          let j = i;
          while (j < records.length && records[j]!.tMs < w0 + TRACKER_WINDOW_MS) j++;
          const chunk = records.slice(i, j);
          const sec = recordsToSections(chunk);
          const endMs = chunk[chunk.length - 1]!.tMs;
          const batch: SensorBatch = {
            deviceId: driver.deviceId,
            batchId: batchId(),
            source,
            receivedAtMs: endMs,
            ...sec,
          };
          yield { ...base(w0, endMs), batch, records: chunk };
          i = j;
        }
      } else {
        const mq = mountQuat(driver.mount, tripRng.fork('mount'));
        truth.mount = { kind: driver.mount, quat: mq };
        const setup = {
          mount: driver.mount,
          initialQuat: mq,
          gps: { ...PHONE_GPS, baseAccuracyM: driver.gpsBaseAccuracyM },
          accelNoiseSd: 0.03,
          gyroNoiseSd: 0.002,
          imu: protocol === 'v1',
        };
        for (const w of phoneWindows(
          run,
          setup,
          tripRng.fork('sensors'),
          fixes,
          opts.windowMs ?? WINDOW_MS,
        )) {
          if (!w.gps && !w.imu && !w.phone) continue;
          const batch: SensorBatch = {
            deviceId: driver.deviceId,
            batchId: batchId(),
            source,
            receivedAtMs: w.endMs,
          };
          if (w.gps) batch.gps = w.gps;
          if (w.imu) batch.imu = w.imu;
          if (w.phone) batch.phone = w.phone;
          yield { ...base(w.startMs, w.endMs), batch, records: null };
        }
      }
      truth.fixes = fixes;
      lastEndMs = truth.endMs;
      yield { type: 'trip', driverIndex: driver.index, startMs: truth.endMs, endMs: truth.endMs, truth };
    }
  }
}

function latLonOf(track: TripRun['track'], s: number): { lat: number; lon: number } {
  const p = latLonAt(track, s);
  return { lat: Math.round(p.lat * 1e7) / 1e7, lon: Math.round(p.lon * 1e7) / 1e7 };
}

/** K-way merge of per-driver streams by event start time (ties: lower driver index first). */
function* mergeByTime(streams: Array<Generator<FleetEvent>>): Generator<FleetEvent> {
  const heads: Array<{ ev: FleetEvent; k: number }> = [];
  const less = (a: { ev: FleetEvent; k: number }, b: { ev: FleetEvent; k: number }): boolean =>
    a.ev.startMs < b.ev.startMs || (a.ev.startMs === b.ev.startMs && a.k < b.k);
  const push = (item: { ev: FleetEvent; k: number }): void => {
    heads.push(item);
    let i = heads.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heads[i]!, heads[p]!)) break;
      [heads[i], heads[p]] = [heads[p]!, heads[i]!];
      i = p;
    }
  };
  const pop = (): { ev: FleetEvent; k: number } => {
    const top = heads[0]!;
    const last = heads.pop()!;
    if (heads.length > 0) {
      heads[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heads.length && less(heads[l]!, heads[m]!)) m = l;
        if (r < heads.length && less(heads[r]!, heads[m]!)) m = r;
        if (m === i) break;
        [heads[i], heads[m]] = [heads[m]!, heads[i]!];
        i = m;
      }
    }
    return top;
  };
  streams.forEach((s, k) => {
    const n = s.next();
    if (!n.done) push({ ev: n.value, k });
  });
  while (heads.length > 0) {
    const { ev, k } = pop();
    yield ev;
    const n = streams[k]!.next();
    if (!n.done) push({ ev: n.value, k });
  }
}

/** The v1 wire form of a phone batch (what `POST /v1/ingest` takes). */
export function toIngestBatchV1(b: SensorBatch): IngestBatchV1 {
  const out: IngestBatchV1 = { deviceId: b.deviceId, batchId: b.batchId };
  if (b.gps) out.gps = b.gps;
  if (b.imu) out.imu = b.imu;
  if (b.phone) out.phone = b.phone;
  return out;
}
