// One decoded Teltonika frame → one SensorBatch whose id is derived from the frame, so a resend is a duplicate.
import { createHash } from 'node:crypto';
import type { SensorBatch } from '../../../domain/index.ts';
import { type Fix, buildBatch } from '../batch.ts';
import type { AvlRecord } from './avl.ts';
import { type DeviceState, type InterpretedRecord, deviceEventsOf, interpretRecord } from './records.ts';

export interface FrameBatchInput {
  deviceId: string;
  imei: string;
  /** The frame's data field (codec id … trailing record count). */
  payload: Uint8Array;
  records: readonly AvlRecord[];
  receivedAtMs: number;
  state: DeviceState;
}

export const teltonikaBatchId = (imei: string, payload: Uint8Array): string =>
  `tlt-${imei}-${createHash('sha1').update(payload).digest('hex')}`;

/** Devices may send newest records first; the pipeline wants time order, so records are sorted (stably). */
export function interpretFrame(records: readonly AvlRecord[]): InterpretedRecord[] {
  return records.map(interpretRecord).sort((a, b) => a.timestampMs - b.timestampMs);
}

export function frameToBatch(input: FrameBatchInput): { batch: SensorBatch; state: DeviceState } {
  const interpreted = interpretFrame(input.records);
  const { events, state } = deviceEventsOf(interpreted, input.state);
  const fixes: Fix[] = [];
  for (const r of interpreted) {
    if (r.fix) fixes.push({ t: r.timestampMs, ...r.fix, attributes: r.attributes });
  }
  const batch = buildBatch({
    deviceId: input.deviceId,
    batchId: teltonikaBatchId(input.imei, input.payload),
    source: 'teltonika',
    receivedAtMs: input.receivedAtMs,
    fixes,
    events,
  });
  return { batch, state };
}
