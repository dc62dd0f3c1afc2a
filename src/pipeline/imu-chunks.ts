// IMU columns into sorted, duplicate-free chunks held by the reorder buffer (reorder.ts).
import type { SensorBatch } from '../domain/index.ts';
import type { ImuChunk, ReorderState } from './reorder.ts';

export function toChunk(s: ReorderState, imu: NonNullable<SensorBatch['imu']>, offset: number): ImuChunk {
  const n = imu.t.length;
  const hasGyro0 = imu.gx !== undefined && imu.gy !== undefined && imu.gz !== undefined;
  // Fast path (the usual batch): sorted, finite, nothing late, no clock shift → plain copies of the columns.
  if (offset === 0 && cleanColumns(imu, n, s.releasedUpToMs ?? Number.NEGATIVE_INFINITY, hasGyro0)) {
    return {
      frame: imu.frame,
      t: imu.t.slice(),
      ax: imu.ax.slice(),
      ay: imu.ay.slice(),
      az: imu.az.slice(),
      gx: hasGyro0 ? imu.gx!.slice() : null,
      gy: hasGyro0 ? imu.gy!.slice() : null,
      gz: hasGyro0 ? imu.gz!.slice() : null,
    };
  }
  let order: number[] | null = null;
  for (let i = 1; i < n; i++) {
    if (!(imu.t[i]! > imu.t[i - 1]!)) {
      order = Array.from({ length: n }, (_, k) => k).sort((a, c) => imu.t[a]! - imu.t[c]!);
      break;
    }
  }
  const floor = s.releasedUpToMs ?? Number.NEGATIVE_INFINITY;
  const hasGyro = imu.gx !== undefined && imu.gy !== undefined && imu.gz !== undefined;
  const c: ImuChunk = {
    frame: imu.frame,
    t: [],
    ax: [],
    ay: [],
    az: [],
    gx: hasGyro ? [] : null,
    gy: hasGyro ? [] : null,
    gz: hasGyro ? [] : null,
  };
  let last = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const i = order ? order[k]! : k;
    const t = imu.t[i]! + offset;
    if (
      !Number.isFinite(t) ||
      !Number.isFinite(imu.ax[i]!) ||
      !Number.isFinite(imu.ay[i]!) ||
      !Number.isFinite(imu.az[i]!)
    ) {
      s.dropped.invalidTime++;
      continue;
    }
    if (t <= floor) {
      s.dropped.late++;
      continue;
    }
    if (t === last) {
      s.dropped.duplicate++;
      continue;
    }
    last = t;
    c.t.push(t);
    c.ax.push(imu.ax[i]!);
    c.ay.push(imu.ay[i]!);
    c.az.push(imu.az[i]!);
    if (hasGyro) {
      // A missing gyro reading is taken as no rotation rather than poisoning the filters.
      c.gx!.push(Number.isFinite(imu.gx![i]) ? imu.gx![i]! : 0);
      c.gy!.push(Number.isFinite(imu.gy![i]) ? imu.gy![i]! : 0);
      c.gz!.push(Number.isFinite(imu.gz![i]) ? imu.gz![i]! : 0);
    }
  }
  return c;
}

function cleanColumns(
  imu: NonNullable<SensorBatch['imu']>,
  n: number,
  floor: number,
  gyro: boolean,
): boolean {
  if (imu.ax.length !== n || imu.ay.length !== n || imu.az.length !== n) return false;
  if (gyro && (imu.gx!.length !== n || imu.gy!.length !== n || imu.gz!.length !== n)) return false;
  let last = floor;
  for (let i = 0; i < n; i++) {
    const t = imu.t[i]!;
    if (!(t > last)) return false;
    last = t;
    if (!Number.isFinite(imu.ax[i]!) || !Number.isFinite(imu.ay[i]!) || !Number.isFinite(imu.az[i]!))
      return false;
    if (
      gyro &&
      !(Number.isFinite(imu.gx![i]!) && Number.isFinite(imu.gy![i]!) && Number.isFinite(imu.gz![i]!))
    )
      return false;
  }
  return Number.isFinite(last);
}

export function addImu(s: ReorderState, c: ImuChunk): void {
  if (c.t.length === 0) return;
  const lastChunk = s.imu[s.imu.length - 1];
  if (!lastChunk || lastChunk.t[lastChunk.t.length - 1]! < c.t[0]!) {
    s.imu.push(c);
    return;
  }
  // Slow path (late or overlapping IMU): merge every pending sample with the new ones.
  if (s.imuHead > 0) trimHead(s);
  const all = [...s.imu, c];
  const idx: Array<[number, number]> = [];
  all.forEach((ch, ci) => {
    for (let i = 0; i < ch.t.length; i++) idx.push([ci, i]);
  });
  idx.sort((a, b) => all[a[0]]!.t[a[1]]! - all[b[0]]!.t[b[1]]! || a[0] - b[0]);
  const frame = all[0]!.frame;
  const gyro = all.every((ch) => ch.gx !== null);
  const m: ImuChunk = {
    frame,
    t: [],
    ax: [],
    ay: [],
    az: [],
    gx: gyro ? [] : null,
    gy: gyro ? [] : null,
    gz: gyro ? [] : null,
  };
  let last = Number.NEGATIVE_INFINITY;
  for (const [ci, i] of idx) {
    const ch = all[ci]!;
    const t = ch.t[i]!;
    if (t === last || ch.frame !== frame) {
      s.dropped.duplicate++;
      continue;
    }
    last = t;
    m.t.push(t);
    m.ax.push(ch.ax[i]!);
    m.ay.push(ch.ay[i]!);
    m.az.push(ch.az[i]!);
    if (gyro) {
      m.gx!.push(ch.gx![i]!);
      m.gy!.push(ch.gy![i]!);
      m.gz!.push(ch.gz![i]!);
    }
  }
  s.imu = [m];
}

function trimHead(s: ReorderState): void {
  const c = s.imu[0]!;
  const h = s.imuHead;
  s.imu[0] = {
    frame: c.frame,
    t: c.t.slice(h),
    ax: c.ax.slice(h),
    ay: c.ay.slice(h),
    az: c.az.slice(h),
    gx: c.gx ? c.gx.slice(h) : null,
    gy: c.gy ? c.gy.slice(h) : null,
    gz: c.gz ? c.gz.slice(h) : null,
  };
  s.imuHead = 0;
}
