// Streams v1 batches to `POST {target}/v1/ingest` as NDJSON, several batches of one device per request
// (each device authenticates with its own bearer token), with the gateway's retry discipline.
import type { IngestBatchV1 } from '../../domain/wire.ts';
import { requestWithRetry, type RetryOptions } from './retry.ts';

export interface V1SenderOptions extends RetryOptions {
  target: string;
  /** The bearer token of a device, or null when none is known (the batch is then refused locally). */
  tokenFor: (deviceId: string) => string | null;
  /** Batches per request (default 6: a minute of 10 s batches). */
  batchesPerRequest?: number;
}

export interface SenderStats {
  requests: number;
  batchesSent: number;
  accepted: number;
  duplicates: number;
  retries: number;
}

export interface V1Sender {
  add(batch: IngestBatchV1): Promise<void>;
  /** Sends what is buffered for one device (e.g. at the end of its trip). */
  flush(deviceId: string): Promise<void>;
  flushAll(): Promise<void>;
  readonly stats: SenderStats;
}

export class IngestError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    message: string,
  ) {
    super(message);
  }
}

export function createV1Sender(opts: V1SenderOptions): V1Sender {
  const url = `${opts.target.replace(/\/+$/, '')}/v1/ingest`;
  const per = opts.batchesPerRequest ?? 6;
  const buffers = new Map<string, IngestBatchV1[]>();
  const stats: SenderStats = { requests: 0, batchesSent: 0, accepted: 0, duplicates: 0, retries: 0 };
  const onRetry = opts.onRetry;
  const retry: RetryOptions = {
    ...opts,
    onRetry: (info) => {
      stats.retries++;
      onRetry?.(info);
    },
  };

  const send = async (deviceId: string, batches: IngestBatchV1[]): Promise<void> => {
    const token = opts.tokenFor(deviceId);
    if (!token) throw new IngestError(401, '', `no token for device ${deviceId} (give --token or --tokens)`);
    const body = batches.map((b) => JSON.stringify(b)).join('\n');
    const res = await requestWithRetry(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
        body,
      },
      retry,
    );
    stats.requests++;
    if (res.status !== 202 && res.status !== 200) {
      throw new IngestError(
        res.status,
        res.body,
        `${url} answered ${res.status} for ${deviceId}: ${res.body.slice(0, 300)}`,
      );
    }
    stats.batchesSent += batches.length;
    try {
      const r = JSON.parse(res.body) as { accepted?: number; duplicate?: boolean };
      stats.accepted += r.accepted ?? 0;
      if (r.duplicate) stats.duplicates++;
    } catch {
      // A 202 without a JSON body still means accepted; the count is then unknown.
    }
  };

  const flush = async (deviceId: string): Promise<void> => {
    const buf = buffers.get(deviceId);
    if (!buf || buf.length === 0) return;
    buffers.delete(deviceId);
    await send(deviceId, buf);
  };

  return {
    stats,
    async add(batch) {
      let buf = buffers.get(batch.deviceId);
      if (!buf) buffers.set(batch.deviceId, (buf = []));
      buf.push(batch);
      if (buf.length >= per) await flush(batch.deviceId);
    },
    flush,
    async flushAll() {
      for (const id of [...buffers.keys()]) await flush(id);
    },
  };
}
