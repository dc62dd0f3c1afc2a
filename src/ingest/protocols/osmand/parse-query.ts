// The OsmAnd query form (GET query or form-encoded POST), field by field as Traccar's OsmAnd decoder reads it.
import { type Result, err, ok } from '../../../domain/index.ts';
import { KNOT_MPS } from '../../../domain/index.ts';
import { accuracyFromHdopM } from '../accuracy.ts';
import type { Attributes } from '../types.ts';
import { FORBIDDEN_KEYS, MAX_ATTRIBUTES, MAX_ID_LENGTH, type OsmAndRecord } from './record.ts';
import { parseOsmAndTime } from './time.ts';

const bad = (field: string, message: string): Result<never> => err('invalid_field', message, field);

function number(field: string, raw: string): Result<number> {
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? ok(n) : bad(field, `'${field}' must be a number, got '${raw}'`);
}

/** Negative values are how apps say "unknown" for speed, heading and accuracy. */
const known = (n: number): number | null => (n >= 0 ? n : null);

export function parseOsmAndQuery(params: URLSearchParams): Result<OsmAndRecord> {
  let externalId: string | undefined;
  let timestampMs: number | null = null;
  let lat: number | undefined;
  let lon: number | undefined;
  let valid = true;
  let speedMps: number | null = null;
  let headingDeg: number | null = null;
  let altitudeM: number | null = null;
  let accuracyM: number | null = null;
  let hdop: number | undefined;
  const attributes: Attributes = {};
  let extra = 0;

  for (const [key, value] of params) {
    let n: Result<number> | undefined;
    switch (key) {
      case 'id':
      case 'deviceid':
        if (value === '' || value.length > MAX_ID_LENGTH) {
          return bad(key, `'${key}' must be 1–${MAX_ID_LENGTH} characters`);
        }
        externalId = value;
        break;
      case 'valid':
        valid = value === 'true' || value === '1';
        break;
      case 'timestamp': {
        const t = parseOsmAndTime(value);
        if (t === null) {
          return bad('timestamp', `'timestamp' must be epoch seconds, epoch ms or ISO 8601, got '${value}'`);
        }
        timestampMs = t;
        break;
      }
      case 'lat':
        if (!(n = number('lat', value)).ok) return n;
        lat = n.value;
        break;
      case 'lon':
        if (!(n = number('lon', value)).ok) return n;
        lon = n.value;
        break;
      case 'location': {
        const [a, b, ...rest] = value.split(',');
        if (a === undefined || b === undefined || rest.length > 0) {
          return bad('location', `'location' must be 'lat,lon', got '${value}'`);
        }
        if (!(n = number('location', a)).ok) return n;
        lat = n.value;
        if (!(n = number('location', b)).ok) return n;
        lon = n.value;
        break;
      }
      case 'speed':
        if (!(n = number('speed', value)).ok) return n;
        speedMps = known(n.value) === null ? null : round3(n.value * KNOT_MPS); // knots on the wire
        break;
      case 'bearing':
      case 'heading':
        if (!(n = number(key, value)).ok) return n;
        headingDeg = known(n.value) === null ? null : n.value % 360;
        break;
      case 'altitude':
        if (!(n = number('altitude', value)).ok) return n;
        altitudeM = n.value;
        break;
      case 'accuracy':
        if (!(n = number('accuracy', value)).ok) return n;
        accuracyM = n.value > 0 ? n.value : null;
        break;
      case 'hdop':
        if (!(n = number('hdop', value)).ok) return n;
        hdop = n.value;
        attributes.hdop = n.value;
        break;
      case 'batt':
        if (!(n = number('batt', value)).ok) return n;
        attributes.batteryLevelPct = n.value;
        break;
      case 'charge':
        attributes.charging = value === 'true' || value === '1';
        break;
      case 'driverUniqueId':
        attributes.driverUniqueId = value;
        break;
      default: {
        if (FORBIDDEN_KEYS.has(key) || key.length > 64)
          return bad(key, `attribute name '${key.slice(0, 64)}' is not allowed`);
        if (++extra > MAX_ATTRIBUTES) return bad(key, `more than ${MAX_ATTRIBUTES} extra attributes`);
        const prev = attributes[key];
        const v = attributeValue(value);
        // Repeated keys (several cell= or wifi= entries) are kept together, separated by ';'.
        attributes[key] = prev === undefined ? v : `${prev};${value}`;
      }
    }
  }

  if (externalId === undefined) return bad('id', "missing device identifier: send 'id' (or 'deviceid')");
  if ((lat === undefined) !== (lon === undefined)) {
    const missing = lat === undefined ? 'lat' : 'lon';
    return bad(missing, `'${missing}' is missing while '${missing === 'lat' ? 'lon' : 'lat'}' is present`);
  }
  if (lat !== undefined && Math.abs(lat) > 90) return bad('lat', `'lat' must be within ±90, got ${lat}`);
  if (lon !== undefined && Math.abs(lon) > 180) return bad('lon', `'lon' must be within ±180, got ${lon}`);
  if (accuracyM === null && typeof attributes.hacc === 'number' && attributes.hacc > 0)
    accuracyM = attributes.hacc;
  if (accuracyM === null) accuracyM = accuracyFromHdopM(hdop);

  const fix =
    valid && lat !== undefined && lon !== undefined
      ? { latDeg: lat, lonDeg: lon, speedMps, headingDeg, altitudeM, accuracyM }
      : null;
  return ok({ externalId, timestampMs, fix, attributes });
}

function attributeValue(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
