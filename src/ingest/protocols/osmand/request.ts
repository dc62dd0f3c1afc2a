// One OsmAnd HTTP request (query, form or JSON body) → a record, and a record → a SensorBatch.
import { type Result, type SensorBatch, err } from '../../../domain/index.ts';
import { buildBatch } from '../batch.ts';
import { parseOsmAndJson } from './parse-json.ts';
import { parseOsmAndQuery } from './parse-query.ts';
import type { OsmAndRecord } from './record.ts';

export interface OsmAndRequest {
  /** Request target, e.g. '/?id=1&lat=…' (a full URL works too). */
  url: string;
  contentType?: string | undefined;
  body?: string;
}

export function parseOsmAndRequest(req: OsmAndRequest): Result<OsmAndRecord> {
  const body = req.body ?? '';
  const isJson = req.contentType?.startsWith('application/json') || body.trimStart().startsWith('{');
  if (isJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return err('invalid_json', `body is not valid JSON: ${(e as Error).message}`, 'body');
    }
    return parseOsmAndJson(parsed);
  }
  const url = new URL(req.url, 'http://osmand.invalid');
  // As Traccar: parameters come from the query string, or from a form-encoded body when the query is empty.
  const params = url.search.length > 1 ? url.searchParams : new URLSearchParams(body);
  return parseOsmAndQuery(params);
}

/** Without a device timestamp the fix is dated at receipt, as Traccar does; such a resend cannot be told apart. */
export function osmAndBatchId(externalId: string, timestampMs: number): string {
  return `osm-${externalId}-${timestampMs}`;
}

export function osmAndToBatch(record: OsmAndRecord, deviceId: string, receivedAtMs: number): SensorBatch {
  const t = record.timestampMs ?? receivedAtMs;
  const fixes = record.fix ? [{ t, ...record.fix, attributes: record.attributes }] : [];
  return buildBatch({
    deviceId,
    batchId: osmAndBatchId(record.externalId, t),
    source: 'osmand',
    receivedAtMs,
    fixes,
    events: [],
  });
}
