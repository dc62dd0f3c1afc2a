// How a SensorBatch travels on the bus and rests in raw_batches: JSON, deflated (fast level: ingest is CPU-bound).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SensorBatch } from '../domain/index.ts';

export function encodeBatch(b: SensorBatch): Uint8Array {
  return deflateRawSync(JSON.stringify(b), { level: 1 });
}

export function decodeBatch(payload: Uint8Array): SensorBatch {
  return JSON.parse(inflateRawSync(payload).toString('utf8')) as SensorBatch;
}

/** The bus message id: resending the same batch from the same device is the same message. */
export const batchMessageId = (deviceId: string, batchId: string): string => `${deviceId}/${batchId}`;
