// The gateway's core: make batches durable on the bus, report duplicates, shed load before memory runs out.
import type { Bus } from '../bus/index.ts';
import { type SensorBatch, sampleCount } from '../domain/index.ts';
import type { PlatformMetrics } from '../ops/metrics.ts';
import { batchMessageId, encodeBatch, encodeRaw } from './codec.ts';

/** A batch with, when the gateway has it, the exact JSON text it arrived as (saves re-serialising). */
export type IncomingBatch = SensorBatch & { rawJson?: string };

export const INGEST_TOPIC = 'ingest';

export interface BatchReceipt {
  batchId: string;
  accepted: number;
  duplicate: boolean;
}

export type AcceptResult =
  | { ok: true; accepted: number; duplicate: boolean; batches: BatchReceipt[] }
  | { ok: false; error: { code: 'overloaded' | 'unavailable'; message: string; retryAfterS: number } };

export interface Gateway {
  accept(batches: IncomingBatch[]): Promise<AcceptResult>;
  readonly pendingBatches: number;
}

export function createGateway(opts: {
  bus: Bus;
  metrics: PlatformMetrics;
  maxPendingBatches: number;
}): Gateway {
  const { bus, metrics } = opts;
  // See codec.ts: batches travel deflated on either bus.
  const compress = true;
  let pending = 0;
  metrics.pending.collect(() => metrics.pending.set(pending));
  return {
    get pendingBatches() {
      return pending;
    },
    async accept(batches) {
      if (pending + batches.length > opts.maxPendingBatches) {
        metrics.rejects.inc({ reason: 'overloaded' });
        return {
          ok: false,
          error: {
            code: 'overloaded',
            message: 'too many batches waiting to be stored; retry shortly',
            retryAfterS: 1,
          },
        };
      }
      pending += batches.length;
      const started = performance.now();
      try {
        const results = await bus.publish(
          INGEST_TOPIC,
          batches.map((b) => ({
            key: b.deviceId,
            id: batchMessageId(b.deviceId, b.batchId),
            payload:
              b.rawJson !== undefined
                ? encodeRaw(b.source, b.receivedAtMs, b.rawJson, compress)
                : encodeBatch(b, compress),
          })),
        );
        metrics.ackLatency.observe((performance.now() - started) / 1000);
        const receipts = batches.map((b, i) => {
          const duplicate = results[i]!.duplicate;
          const n = sampleCount(b);
          metrics.batches.inc();
          if (duplicate) metrics.duplicates.inc();
          else metrics.samples.inc({ source: b.source }, n);
          return { batchId: b.batchId, accepted: n, duplicate };
        });
        return {
          ok: true,
          accepted: receipts.reduce((s, r) => s + r.accepted, 0),
          duplicate: receipts.every((r) => r.duplicate),
          batches: receipts,
        };
      } catch (e) {
        metrics.rejects.inc({ reason: 'unavailable' });
        return {
          ok: false,
          error: {
            code: 'unavailable',
            message: `storage unavailable: ${(e as Error).message}`,
            retryAfterS: 2,
          },
        };
      } finally {
        pending -= batches.length;
      }
    },
  };
}
