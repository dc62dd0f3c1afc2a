// How a SensorBatch travels on the bus and rests in raw_batches: a small JSON envelope around the batch's own
// JSON text (the gateway reuses what the device sent, validated, never re-serialised), behind a one-byte flag
// saying whether it is deflated. The gateway deflates (fast level) on either bus. On the PostgreSQL queue fewer
// bytes to write and fsync bound durable ingest. On JetStream it is a trade, measured: a gateway alone acks
// 0.80 M samples/s instead of 1.06 M (bench/results/ingest.json, both far above the 0.3 M target), while end to
// end the platform spends about 8% less CPU (the worker, the bottleneck, archives the payload as it came
// instead of deflating it; fleet-e2e) and the stream keeps a third of the bytes (2.3 MB a driver-day, not 4.9).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SensorBatch, SourceProtocol } from '../domain/index.ts';

type Wire = Omit<SensorBatch, 'source' | 'receivedAtMs'>;

const PLAIN = 0;
const DEFLATED = 1;

function frame(flag: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(body.byteLength + 1);
  out[0] = flag;
  out.set(body, 1);
  return out;
}

/** Envelope from the batch's JSON text as received (it must be the JSON of a valid batch). */
export function encodeRaw(
  source: SourceProtocol,
  receivedAtMs: number,
  batchJson: string,
  compress: boolean,
): Buffer {
  const text = `{"source":"${source}","receivedAtMs":${receivedAtMs},"batch":${batchJson}}`;
  return compress ? frame(DEFLATED, deflateRawSync(text, { level: 1 })) : frame(PLAIN, Buffer.from(text));
}

export function encodeBatch(b: SensorBatch, compress: boolean): Buffer {
  const { source, receivedAtMs, ...wire } = b;
  return encodeRaw(source, receivedAtMs, JSON.stringify(wire), compress);
}

function body(payload: Uint8Array): Buffer {
  const rest = Buffer.from(payload.buffer, payload.byteOffset + 1, payload.byteLength - 1);
  if (payload[0] === DEFLATED) return inflateRawSync(rest);
  if (payload[0] === PLAIN) return rest;
  throw new Error(`not an OpenUBI batch payload (flag ${payload[0]})`);
}

export function decodeBatch(payload: Uint8Array): SensorBatch {
  const env = JSON.parse(body(payload).toString('utf8')) as {
    source: SourceProtocol;
    receivedAtMs: number;
    batch: Wire;
  };
  return { ...env.batch, source: env.source, receivedAtMs: env.receivedAtMs };
}

/** The form kept in raw_batches: always deflated (raw data is the bulk of the database). */
export function archived(payload: Uint8Array): Buffer {
  if (payload[0] === DEFLATED) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return frame(DEFLATED, deflateRawSync(body(payload), { level: 1 }));
}

/** The bus message id: resending the same batch from the same device is the same message. */
export const batchMessageId = (deviceId: string, batchId: string): string => `${deviceId}/${batchId}`;
