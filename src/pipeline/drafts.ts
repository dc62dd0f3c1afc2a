// Events while their trip is still open: merged with same-kind repeats, finalised when the trip closes.
import { G_MPS2 } from '../domain/index.ts';
import type { PipelineConfig } from './config.ts';
import type { Context } from './harsh.ts';
import type { DeviceItem } from './reorder.ts';
import type { DrivingEvent, EventEvidence, EventKind, Severity } from './types.ts';

export interface EventDraft {
  kind: EventKind;
  source: 'detected' | 'device';
  severity: Severity;
  startMs: number;
  endMs: number;
  peakValue: number;
  peakUnit: DrivingEvent['peakUnit'];
  speedBeforeMps: number | null;
  speedAfterMps: number | null;
  lat: number | null;
  lon: number | null;
  detail: Record<string, string | number | boolean | null>;
  /** IMU evidence, captured once the IMU has run evidenceMarginMs past the end. */
  imu: EventEvidence['imu'];
  wantsImu: boolean;
}

const RANK: Record<Severity, number> = { low: 0, moderate: 1, severe: 2 };

export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Adds a draft, merging it into the latest one of the same kind and source when they are within mergeGapMs:
 * a driver braking twice in a row is one harsh braking, not two. Returns the draft now holding the event.
 */
export function addDraft(list: EventDraft[], d: EventDraft, cfg: PipelineConfig): EventDraft {
  for (let i = list.length - 1; i >= 0; i--) {
    const p = list[i]!;
    if (d.startMs - p.endMs > cfg.mergeGapMs + 60_000) break;
    if (p.kind !== d.kind || p.source !== d.source) continue;
    if (d.startMs - p.endMs > cfg.mergeGapMs || d.endMs < p.startMs) continue;
    const biggerNew = Math.abs(d.peakValue) > Math.abs(p.peakValue);
    p.endMs = Math.max(p.endMs, d.endMs);
    if (biggerNew) p.peakValue = d.peakValue;
    p.severity = maxSeverity(p.severity, d.severity);
    p.speedAfterMps = d.speedAfterMps ?? p.speedAfterMps;
    p.detail = { ...p.detail, ...(biggerNew ? d.detail : {}), merged: Number(p.detail.merged ?? 1) + 1 };
    // The window now reaches further: capture again.
    if (p.wantsImu) p.imu = null;
    return p;
  }
  list.push(d);
  return d;
}

export function eventId(deviceId: string, startMs: number, kind: EventKind): string {
  return `evt-${deviceId}-${startMs}-${kind}`;
}

export function tripId(deviceId: string, startMs: number): string {
  return `trp-${deviceId}-${startMs}`;
}

const DEVICE_KIND = {
  harsh_braking: 'harsh_braking',
  harsh_acceleration: 'harsh_acceleration',
  harsh_cornering: 'harsh_cornering',
  crash: 'crash_candidate',
} as const;

/** An event the device reported itself (Teltonika green driving, crash), with its magnitude in g when given. */
export function deviceDraft(item: DeviceItem, ctx: Context, cfg: PipelineConfig): EventDraft | null {
  if (item.kind === 'ignition_on' || item.kind === 'ignition_off' || item.kind === 'driver_id') return null;
  const kind = DEVICE_KIND[item.kind];
  const peak = item.value === null ? 0 : item.value * G_MPS2;
  return {
    kind,
    source: 'device',
    severity: kind === 'crash_candidate' || peak >= cfg.severeLongitudinalMps2 ? 'severe' : 'moderate',
    startMs: item.t,
    endMs: item.t,
    peakValue: peak,
    peakUnit: item.value === null ? 'none' : 'mps2',
    speedBeforeMps: ctx.speedMps,
    speedAfterMps: ctx.speedMps,
    lat: ctx.lat,
    lon: ctx.lon,
    detail: { reportedValue: item.value },
    imu: null,
    wantsImu: true,
  };
}
