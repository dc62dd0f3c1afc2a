// A ring of vehicle-frame IMU signals at evidenceHz (bucket means), so an event keeps ±5 s of evidence
// without the trip holding its raw samples.
import type { EventEvidence } from './types.ts';

export interface EvidenceRing {
  cap: number;
  n: number;
  head: number;
  t: number[];
  lon: number[];
  lat: number[];
  vert: number[];
  yaw: number[];
  /** Current bucket: start time and sums. */
  bT: number;
  bN: number;
  bLon: number;
  bLat: number;
  bVert: number;
  bYaw: number;
  lastT: number;
}

export function newRing(cap: number): EvidenceRing {
  const z = () => new Array<number>(cap).fill(0);
  return {
    cap,
    n: 0,
    head: 0,
    t: z(),
    lon: z(),
    lat: z(),
    vert: z(),
    yaw: z(),
    bT: 0,
    bN: 0,
    bLon: 0,
    bLat: 0,
    bVert: 0,
    bYaw: 0,
    lastT: -1e15,
  };
}

/** Adds a sample; returns true when a bucket was closed (the ring's time advanced). */
export function ringPush(
  r: EvidenceRing,
  bucketMs: number,
  t: number,
  lon: number,
  lat: number,
  vert: number,
  yaw: number,
): boolean {
  if (r.bN > 0 && t - r.bT >= bucketMs) {
    const i = r.head;
    const n = r.bN;
    r.t[i] = r.bT;
    r.lon[i] = r.bLon / n;
    r.lat[i] = r.bLat / n;
    r.vert[i] = r.bVert / n;
    r.yaw[i] = r.bYaw / n;
    r.head = (i + 1) % r.cap;
    if (r.n < r.cap) r.n++;
    r.lastT = r.bT;
    r.bN = 0;
  }
  if (r.bN === 0) {
    r.bT = t;
    r.bLon = 0;
    r.bLat = 0;
    r.bVert = 0;
    r.bYaw = 0;
  }
  r.bN++;
  r.bLon += lon;
  r.bLat += lat;
  r.bVert += vert;
  r.bYaw += yaw;
  return r.bN === 1 && r.n > 0;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The ring's content within [fromMs, toMs], as offsets from t0Ms; null when it holds nothing there. */
export function ringWindow(
  r: EvidenceRing,
  fromMs: number,
  toMs: number,
  t0Ms: number,
): EventEvidence['imu'] {
  const out = {
    tOffsetMs: [] as number[],
    lonMps2: [] as number[],
    latMps2: [] as number[],
    vertMps2: [] as number[],
    yawRateRps: [] as number[],
  };
  for (let k = r.n; k >= 1; k--) {
    const i = (r.head - k + r.cap) % r.cap;
    const t = r.t[i]!;
    if (t < fromMs || t > toMs) continue;
    out.tOffsetMs.push(Math.round(t - t0Ms));
    out.lonMps2.push(r3(r.lon[i]!));
    out.latMps2.push(r3(r.lat[i]!));
    out.vertMps2.push(r3(r.vert[i]!));
    out.yawRateRps.push(r3(r.yaw[i]!));
  }
  return out.tOffsetMs.length > 0 ? out : null;
}

/** Forgets everything (a trip closed, or the mount changed). */
export function ringClear(r: EvidenceRing): void {
  r.n = 0;
  r.head = 0;
  r.bN = 0;
}
