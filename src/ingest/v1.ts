// Validation of ingest wire format v1: schema (TypeBox, compiled) then the rules a schema cannot say.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  err,
  ok,
  type IngestBatchV1,
  IngestBatchV1 as Schema,
  type Result,
  type SensorBatch,
} from '../domain/index.ts';

const check = TypeCompiler.Compile(Schema);

// Samples more than a year old or a day in the future are a clock bug, not driving data.
const MAX_AGE_MS = 366 * 86_400_000;
const MAX_FUTURE_MS = 86_400_000;

function sameLength(section: string, obj: Record<string, unknown>, ref: number): Result<true> {
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v) && v.length !== ref) {
      return err(
        'length_mismatch',
        `${section}.${k} has ${v.length} values but ${section}.t has ${ref}`,
        `${section}.${k}`,
      );
    }
  }
  return ok(true);
}

function timesInRange(section: string, t: number[], nowMs: number): Result<true> {
  for (let i = 0; i < t.length; i++) {
    const x = t[i]!;
    if (!Number.isFinite(x) || x < nowMs - MAX_AGE_MS || x > nowMs + MAX_FUTURE_MS) {
      return err(
        'bad_timestamp',
        `${section}.t[${i}] = ${x} is not epoch milliseconds within the last year (clock or unit error?)`,
        `${section}.t[${i}]`,
      );
    }
  }
  return ok(true);
}

/** Validates one decoded JSON value as a v1 batch; the error names the first offending field. */
export function validateV1(value: unknown, nowMs: number): Result<IngestBatchV1> {
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    const field = first ? jsonPointerToField(first.path) : '(root)';
    return err('invalid_batch', `${field}: ${first?.message ?? 'invalid'}`, field);
  }
  const b = value;
  if (!b.gps && !b.imu && !(b.phone && b.phone.length > 0)) {
    return err('empty_batch', 'a batch needs at least one of gps, imu or phone', '(root)');
  }
  if (b.gps) {
    const r = sameLength('gps', b.gps, b.gps.t.length);
    if (!r.ok) return r;
    const t = timesInRange('gps', b.gps.t, nowMs);
    if (!t.ok) return t;
  }
  if (b.imu) {
    const r = sameLength('imu', b.imu, b.imu.t.length);
    if (!r.ok) return r;
    const t = timesInRange('imu', b.imu.t, nowMs);
    if (!t.ok) return t;
  }
  return ok(b);
}

export function toSensorBatch(b: IngestBatchV1, receivedAtMs: number): SensorBatch {
  const out: SensorBatch = { deviceId: b.deviceId, batchId: b.batchId, source: 'v1', receivedAtMs };
  if (b.gps) out.gps = b.gps;
  if (b.imu) out.imu = b.imu;
  if (b.phone) out.phone = b.phone;
  return out;
}

/** '/gps/lat/3' → 'gps.lat[3]': how a developer writes the path. */
function jsonPointerToField(pointer: string): string {
  const parts = pointer.split('/').slice(1);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}
