// One trip end to end, without sensors: traffic plan, driving dynamics, and the ground truth read off them.
import type { RoutePath } from '../geo/types.ts';
import { type DriveOptions, simulateDrive, type Trace, type TripPlan } from './dynamics.ts';
import type { Driver } from './population.ts';
import type { Rng } from './rng.ts';
import type { Quat } from './rotation.ts';
import { congestionAt, planTrip } from './traffic.ts';
import { buildTrack, type Track } from './track.ts';
import {
  type HarshEventTruth,
  harshEvents,
  lateralAccel,
  type SpeedingSpanTruth,
  speedingSpans,
} from './truth.ts';

export interface PhoneUseTruth {
  kind: 'screen' | 'call' | 'reposition';
  startMs: number;
  endMs: number;
  handsFree: boolean;
}

/** Everything true about one trip, written beside the data (--truth) for scoring the pipeline. */
export interface TripTruth {
  type: 'trip';
  tripId: string;
  deviceId: string;
  driverId: string;
  style: string;
  /** Recording start (engine on) and end (engine off), epoch ms. */
  startMs: number;
  endMs: number;
  /** First and last instant the vehicle moved. */
  moveStartMs: number;
  moveEndMs: number;
  distanceM: number;
  edgeIds: number[];
  harshEvents: HarshEventTruth[];
  speeding: SpeedingSpanTruth[];
  phoneUse: PhoneUseTruth[];
  /** The phone mount at the start of the trip (device → vehicle quaternion w, x, y, z). */
  mount?: { kind: string; quat: Quat };
  /** True road position behind each GPS fix / device record. */
  fixes?: { t: number[]; edgeId: number[]; lat: number[]; lon: number[] };
}

export interface SimulatedTrip {
  truth: TripTruth;
  plan: TripPlan;
  track: Track;
  trace: Trace;
  lateral: Float64Array;
}

export interface TripOptions extends DriveOptions {
  /** Local hour and weekday of departure, for congestion. */
  localHour: number;
  weekday: number;
  noTraffic?: boolean;
}

const trackCache = new WeakMap<RoutePath, Track>();

export function trackOf(route: RoutePath): Track {
  let t = trackCache.get(route);
  if (!t) {
    t = buildTrack(route);
    trackCache.set(route, t);
  }
  return t;
}

export function simulateTrip(
  driver: Driver,
  route: RoutePath,
  startMs: number,
  tripId: string,
  rng: Rng,
  opts: TripOptions,
): SimulatedTrip {
  const track = trackOf(route);
  const congestion = opts.noTraffic ? 0 : congestionAt(opts.localHour, opts.weekday);
  const planOpts = opts.noTraffic ? { congestion, noTraffic: true } : { congestion };
  const plan = planTrip(track, driver.params, rng.fork('plan'), planOpts);
  const driveOpts = opts.phone === undefined ? {} : { phone: opts.phone };
  const trace = simulateDrive(plan, driver.params, driver.vehicle, rng.fork('drive'), driveOpts);
  const lateral = lateralAccel(trace, track);
  const dtMs = trace.dtS * 1000;
  const truth: TripTruth = {
    type: 'trip',
    tripId,
    deviceId: driver.deviceId,
    driverId: driver.driverId,
    style: driver.style,
    startMs,
    endMs: startMs + Math.round((trace.n - 1) * dtMs),
    moveStartMs: startMs + Math.round(trace.moveStart * dtMs),
    moveEndMs: startMs + Math.round(trace.moveEnd * dtMs),
    distanceM: Math.round(trace.sM[trace.n - 1]! * 10) / 10,
    edgeIds: drivenEdges(track, trace.sM[trace.n - 1]!),
    harshEvents: harshEvents(trace, lateral, startMs),
    speeding: speedingSpans(trace, track, startMs),
    phoneUse: trace.phone.map((e) => ({
      kind: e.kind,
      startMs: startMs + Math.round(e.startS * 1000),
      endMs: startMs + Math.round(e.endS * 1000),
      handsFree: e.handsFree,
    })),
  };
  return { truth, plan, track, trace, lateral };
}

function drivenEdges(track: Track, endS: number): number[] {
  const out: number[] = [];
  const last = Math.min(track.n - 1, Math.floor(endS / track.dsM));
  for (let i = 0; i <= last; i++) {
    const e = track.edgeId[i]!;
    if (out[out.length - 1] !== e) out.push(e);
  }
  return out;
}
