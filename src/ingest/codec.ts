// How a SensorBatch travels on the bus: a small JSON envelope around the batch's own JSON text. The gateway
// reuses the text the device sent (validated, never re-serialised) and does not compress: the ack path is
// CPU-bound. The worker deflates it once when archiving into raw_batches.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SensorBatch, SourceProtocol } from '../domain/index.ts';

type Wire = Omit<SensorBatch, 'source' | 'receivedAtMs'>;

/** Envelope from the batch's JSON text as received (it must be the JSON of a valid batch). */
export function encodeRaw(source: SourceProtocol, receivedAtMs: number, batchJson: string): Uint8Array {
  return Buffer.from(`{"source":"${source}","receivedAtMs":${receivedAtMs},"batch":${batchJson}}`);
}

export function encodeBatch(b: SensorBatch): Uint8Array {
  const { source, receivedAtMs, ...wire } = b;
  return encodeRaw(source, receivedAtMs, JSON.stringify(wire));
}

export function decodeBatch(payload: Uint8Array): SensorBatch {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  const env = JSON.parse(text) as { source: SourceProtocol; receivedAtMs: number; batch: Wire };
  return { ...env.batch, source: env.source, receivedAtMs: env.receivedAtMs };
}

/** raw_batches keeps the envelope deflated (fast level): raw data is the bulk of the database. */
export const archive = (payload: Uint8Array): Buffer => deflateRawSync(payload, { level: 1 });
export const unarchive = (stored: Uint8Array): Uint8Array => inflateRawSync(stored);

/** The bus message id: resending the same batch from the same device is the same message. */
export const batchMessageId = (deviceId: string, batchId: string): string => `${deviceId}/${batchId}`;
