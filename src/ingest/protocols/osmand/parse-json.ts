// The JSON body the Traccar Client app posts (its background-geolocation "location" object).
import { type Result, err, ok } from '../../../domain/index.ts';
import type { Attributes } from '../types.ts';
import {
  FORBIDDEN_KEYS,
  MAX_ATTRIBUTES,
  MAX_ID_LENGTH,
  type OsmAndFix,
  type OsmAndRecord,
} from './record.ts';
import { parseOsmAndTime } from './time.ts';

type Json = Record<string, unknown>;
const bad = (field: string, message: string): Result<never> => err('invalid_field', message, field);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function parseOsmAndJson(body: unknown): Result<OsmAndRecord> {
  if (!isObject(body)) return bad('body', 'JSON body must be an object');
  const rawId = body.device_id;
  const externalId = typeof rawId === 'number' ? String(rawId) : rawId;
  if (typeof externalId !== 'string' || externalId === '' || externalId.length > MAX_ID_LENGTH) {
    return bad('device_id', `'device_id' must be a string of 1–${MAX_ID_LENGTH} characters`);
  }
  const loc = body.location;
  if (!isObject(loc)) return bad('location', "'location' must be an object");
  if (typeof loc.timestamp !== 'string')
    return bad('location.timestamp', "'location.timestamp' must be an ISO 8601 string");
  const timestampMs = parseOsmAndTime(loc.timestamp);
  if (timestampMs === null)
    return bad('location.timestamp', `'location.timestamp' is not a date: '${loc.timestamp}'`);

  let fix: OsmAndFix | null = null;
  if (loc.coords !== undefined) {
    const c = loc.coords;
    if (!isObject(c)) return bad('location.coords', "'location.coords' must be an object");
    if (!isNum(c.latitude) || Math.abs(c.latitude) > 90) {
      return bad('location.coords.latitude', "'location.coords.latitude' must be a number within ±90");
    }
    if (!isNum(c.longitude) || Math.abs(c.longitude) > 180) {
      return bad('location.coords.longitude', "'location.coords.longitude' must be a number within ±180");
    }
    for (const k of ['speed', 'heading', 'accuracy', 'altitude'] as const) {
      if (c[k] !== undefined && c[k] !== null && !isNum(c[k])) {
        return bad(`location.coords.${k}`, `'location.coords.${k}' must be a number`);
      }
    }
    // The app reports -1 for "unknown" speed, heading and accuracy.
    const nonNeg = (v: unknown): number | null => (isNum(v) && v >= 0 ? v : null);
    fix = {
      latDeg: c.latitude,
      lonDeg: c.longitude,
      speedMps: nonNeg(c.speed),
      headingDeg: nonNeg(c.heading) === null ? null : (c.heading as number) % 360,
      altitudeM: isNum(c.altitude) ? c.altitude : null,
      accuracyM: isNum(c.accuracy) && c.accuracy > 0 ? c.accuracy : null,
    };
  }

  const attributes: Attributes = {};
  if (typeof loc.event === 'string') attributes.event = loc.event;
  if (typeof loc.is_moving === 'boolean') attributes.motion = loc.is_moving;
  if (isNum(loc.odometer)) attributes.odometerM = loc.odometer;
  if (typeof loc.mock === 'boolean') attributes.mock = loc.mock;
  if (isObject(loc.activity) && typeof loc.activity.type === 'string')
    attributes.activity = loc.activity.type;
  if (isObject(loc.battery)) {
    const { level, is_charging } = loc.battery;
    if (isNum(level) && level >= 0) attributes.batteryLevelPct = Math.round(level * 100);
    if (typeof is_charging === 'boolean') attributes.charging = is_charging;
  }
  if (typeof loc.alarm === 'string') attributes.alarm = loc.alarm;
  if (loc.extras !== undefined) {
    if (!isObject(loc.extras)) return bad('location.extras', "'location.extras' must be an object");
    const entries = Object.entries(loc.extras);
    if (entries.length > MAX_ATTRIBUTES) return bad('location.extras', `more than ${MAX_ATTRIBUTES} extras`);
    for (const [k, v] of entries) {
      if (FORBIDDEN_KEYS.has(k) || k.length > 64)
        return bad(`location.extras.${k.slice(0, 64)}`, 'extra name not allowed');
      if (typeof v === 'string' || typeof v === 'boolean' || isNum(v)) attributes[k] = v;
      else if (v !== null) attributes[k] = JSON.stringify(v);
    }
  }
  return ok({ externalId, timestampMs, fix, attributes });
}
