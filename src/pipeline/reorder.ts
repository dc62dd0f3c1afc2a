// Holds samples for the reorder window, drops duplicates and late samples, and releases them in time order.
import type { DeviceEventKind, ImuFrame, PhoneEventKind, SensorBatch } from '../domain/index.ts';
import type { PipelineConfig } from './config.ts';
import { addImu, toChunk } from './imu-chunks.ts';

export interface GpsItem {
  t: number;
  lat: number;
  lon: number;
  speedMps: number | null;
  headingDeg: number | null;
  accuracyM: number | null;
  ignition: boolean | null;
}
export interface PhoneItem {
  t: number;
  event: PhoneEventKind;
  handsFree: boolean | null;
}
export interface DeviceItem {
  t: number;
  kind: DeviceEventKind;
  value: number | null;
}
/** A sorted run of IMU samples without duplicate timestamps. */
export interface ImuChunk {
  frame: ImuFrame;
  t: number[];
  ax: number[];
  ay: number[];
  az: number[];
  gx: number[] | null;
  gy: number[] | null;
  gz: number[] | null;
}

export interface ReorderState {
  /** Everything with t ≤ this has been released; later arrivals before it are late. */
  releasedUpToMs: number | null;
  maxSeenMs: number | null;
  gps: GpsItem[];
  phone: PhoneItem[];
  device: DeviceItem[];
  imu: ImuChunk[];
  /** Index of the next unreleased sample in imu[0]. */
  imuHead: number;
  recentBatchIds: string[];
  /**
   * Content signature of each recent batch (same index as recentBatchIds): a batch is a redelivery only when
   * both match, because batch ids are not unique forever (sequence counters restart with the app, recorded
   * files are concatenated). Absent in snapshots taken before it existed (null entries then): the id alone decides.
   */
  recentBatchSigs?: (string | null)[];
  dropped: { late: number; duplicate: number; invalidTime: number; duplicateBatches: number };
}

const RECENT_BATCHES = 64;

export function newReorderState(): ReorderState {
  return {
    releasedUpToMs: null,
    maxSeenMs: null,
    gps: [],
    phone: [],
    device: [],
    imu: [],
    imuHead: 0,
    recentBatchIds: [],
    recentBatchSigs: [],
    dropped: { late: 0, duplicate: 0, invalidTime: 0, duplicateBatches: 0 },
  };
}

const finiteOrNull = (x: number | null | undefined): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null;

function newestSampleMs(b: SensorBatch): number {
  let m = Number.NEGATIVE_INFINITY;
  const g = b.gps?.t;
  if (g && g.length > 0) m = Math.max(m, g[g.length - 1]!, g[0]!);
  const i = b.imu?.t;
  if (i && i.length > 0) m = Math.max(m, i[i.length - 1]!, i[0]!);
  for (const p of b.phone ?? []) m = Math.max(m, p.t);
  for (const d of b.deviceEvents ?? []) m = Math.max(m, d.t);
  return m;
}

/** Index of the first element of sorted `arr` (by .t) with t ≥ x. */
function lowerBound<T extends { t: number }>(arr: T[], x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]!.t < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted<T extends { t: number }>(s: ReorderState, arr: T[], item: T): void {
  if (!Number.isFinite(item.t)) {
    s.dropped.invalidTime++;
    return;
  }
  if (s.releasedUpToMs !== null && item.t <= s.releasedUpToMs) {
    s.dropped.late++;
    return;
  }
  const n = arr.length;
  if (n === 0 || arr[n - 1]!.t < item.t) {
    arr.push(item);
    return;
  }
  const i = lowerBound(arr, item.t);
  if (i < n && arr[i]!.t === item.t) {
    s.dropped.duplicate++;
    return;
  }
  arr.splice(i, 0, item);
}

/** What identifies a batch's content cheaply: sample counts and first / last times of each section. */
export function batchSignature(b: SensorBatch): string {
  const g = b.gps?.t ?? [];
  const i = b.imu?.t ?? [];
  const p = b.phone ?? [];
  const d = b.deviceEvents ?? [];
  return [
    g.length,
    g[0],
    g[g.length - 1],
    i.length,
    i[0],
    i[i.length - 1],
    p.length,
    p[0]?.t,
    d.length,
    d[0]?.t,
  ]
    .map((x) => x ?? '')
    .join(',');
}

function seenRecently(s: ReorderState, id: string, sig: string): boolean {
  const ids = s.recentBatchIds;
  for (let k = ids.length - 1; k >= 0; k--) {
    if (ids[k] !== id) continue;
    const old = s.recentBatchSigs?.[k];
    if (old == null || old === sig) return true;
  }
  return false;
}

/** Adds a batch; returns false when the same batch (id and content) was seen recently (a redelivery). */
export function ingestBatch(s: ReorderState, cfg: PipelineConfig, b: SensorBatch): boolean {
  const sig = batchSignature(b);
  if (seenRecently(s, b.batchId, sig)) {
    s.dropped.duplicateBatches++;
    return false;
  }
  // A legacy snapshot's ids have no signature: they keep matching by id until they leave the window.
  const sigs = (s.recentBatchSigs ??= s.recentBatchIds.map(() => null));
  s.recentBatchIds.push(b.batchId);
  sigs.push(sig);
  if (s.recentBatchIds.length > RECENT_BATCHES) {
    s.recentBatchIds.shift();
    sigs.shift();
  }

  const newest = newestSampleMs(b);
  // Device clocks that run ahead of the gateway are pulled back; a late delivery is normal and left alone.
  const offset =
    b.receivedAtMs > 0 && newest - b.receivedAtMs > cfg.maxClockSkewMs ? b.receivedAtMs - newest : 0;

  const g = b.gps;
  if (g) {
    for (let i = 0; i < g.t.length; i++) {
      const ign = b.gpsAttributes?.[i]?.ignition;
      insertSorted(s, s.gps, {
        t: g.t[i]! + offset,
        lat: g.lat[i]!,
        lon: g.lon[i]!,
        speedMps: finiteOrNull(g.speedMps?.[i]),
        headingDeg: finiteOrNull(g.headingDeg?.[i]),
        // A non-numeric accuracy is unknown quality: kept JSON-safe as a huge value so cleaning drops the fix.
        accuracyM: g.accuracyM?.[i] == null ? null : Number.isFinite(g.accuracyM[i]) ? g.accuracyM[i]! : 1e9,
        ignition: ign === undefined ? null : ign === true || ign === 1 || ign === '1' || ign === 'true',
      });
    }
  }
  for (const p of b.phone ?? []) {
    insertSorted(s, s.phone, { t: p.t + offset, event: p.event, handsFree: p.handsFree ?? null });
  }
  for (const d of b.deviceEvents ?? []) {
    insertSorted(s, s.device, { t: d.t + offset, kind: d.kind, value: finiteOrNull(d.value) });
  }
  if (b.imu && b.imu.t.length > 0) addImu(s, toChunk(s, b.imu, offset));

  if (Number.isFinite(newest))
    s.maxSeenMs = Math.max(s.maxSeenMs ?? Number.NEGATIVE_INFINITY, newest + offset);
  return true;
}

export interface ReleaseHandler {
  gps(item: GpsItem): void;
  phone(item: PhoneItem): void;
  device(item: DeviceItem): void;
  /** Samples [from, to) of the chunk, all before the next non-IMU item. */
  imu(chunk: ImuChunk, from: number, to: number): void;
}

/** First index ≥ from in sorted t with t ≥ bound (strict = false: t > bound). */
function imuEnd(t: number[], from: number, bound: number, inclusive: boolean): number {
  let lo = from;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = t[mid]!;
    if (inclusive ? v <= bound : v < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Releases, in time order, every held sample with t ≤ upToMs. */
export function release(s: ReorderState, upToMs: number, h: ReleaseHandler): void {
  let gi = 0;
  let pi = 0;
  let di = 0;
  const INF = Number.POSITIVE_INFINITY;
  for (;;) {
    const tg = gi < s.gps.length && s.gps[gi]!.t <= upToMs ? s.gps[gi]!.t : INF;
    const tp = pi < s.phone.length && s.phone[pi]!.t <= upToMs ? s.phone[pi]!.t : INF;
    const td = di < s.device.length && s.device[di]!.t <= upToMs ? s.device[di]!.t : INF;
    const tNext = Math.min(tg, tp, td);
    while (s.imu.length > 0) {
      const c = s.imu[0]!;
      const end = tNext === INF ? imuEnd(c.t, s.imuHead, upToMs, true) : imuEnd(c.t, s.imuHead, tNext, false);
      if (end > s.imuHead) h.imu(c, s.imuHead, end);
      if (end >= c.t.length) {
        s.imu.shift();
        s.imuHead = 0;
        continue;
      }
      s.imuHead = end;
      break;
    }
    if (tNext === INF) break;
    if (tg === tNext) h.gps(s.gps[gi++]!);
    else if (td === tNext) h.device(s.device[di++]!);
    else h.phone(s.phone[pi++]!);
  }
  if (gi > 0) s.gps.splice(0, gi);
  if (pi > 0) s.phone.splice(0, pi);
  if (di > 0) s.device.splice(0, di);
  s.releasedUpToMs = Math.max(s.releasedUpToMs ?? Number.NEGATIVE_INFINITY, upToMs);
}

/** Latest time of anything still held, or null. */
export function heldUntilMs(s: ReorderState): number | null {
  let m = Number.NEGATIVE_INFINITY;
  if (s.gps.length) m = Math.max(m, s.gps[s.gps.length - 1]!.t);
  if (s.phone.length) m = Math.max(m, s.phone[s.phone.length - 1]!.t);
  if (s.device.length) m = Math.max(m, s.device[s.device.length - 1]!.t);
  const c = s.imu[s.imu.length - 1];
  if (c) m = Math.max(m, c.t[c.t.length - 1]!);
  return Number.isFinite(m) ? m : null;
}
