// One JSON document per line: v1 batches for `--out`, truth records for `--truth`. Key order is fixed by
// construction, so the same seed gives the same bytes.
import type { SensorBatch } from '../domain/samples.ts';
import { toIngestBatchV1 } from './fleet.ts';
import type { TripTruth } from './trip.ts';

export function batchToNdjsonLine(batch: SensorBatch): string {
  return `${JSON.stringify(toIngestBatchV1(batch))}\n`;
}

export function truthToNdjsonLine(truth: TripTruth): string {
  return `${JSON.stringify(truth)}\n`;
}
