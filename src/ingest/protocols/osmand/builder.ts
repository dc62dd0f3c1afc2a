// Builds requests as the Traccar Client app sends them: for tests and the simulator (`simulate --protocol osmand`).
import { KNOT_MPS } from '../../../domain/index.ts';
import type { Attributes } from '../types.ts';

export interface OsmAndPosition {
  id: string;
  timestampMs: number;
  latDeg: number;
  lonDeg: number;
  speedMps?: number | null;
  headingDeg?: number | null;
  altitudeM?: number | null;
  accuracyM?: number | null;
  batteryLevelPct?: number;
  charging?: boolean;
  /** Extra parameters (query form) or `extras` (JSON form). */
  attributes?: Attributes;
}

export interface BuiltRequest {
  method: 'GET' | 'POST';
  /** Path and query, to append to the server URL (e.g. http://host:5055). */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The query form: timestamp in epoch seconds, speed in knots (the app's own units). */
export function buildOsmAndQuery(p: OsmAndPosition, method: 'GET' | 'POST' = 'GET'): BuiltRequest {
  const q = new URLSearchParams();
  q.set('id', p.id);
  q.set('timestamp', String(Math.floor(p.timestampMs / 1000)));
  q.set('lat', String(p.latDeg));
  q.set('lon', String(p.lonDeg));
  if (p.speedMps != null) q.set('speed', String(Math.round((p.speedMps / KNOT_MPS) * 1000) / 1000));
  if (p.headingDeg != null) q.set('bearing', String(p.headingDeg));
  if (p.altitudeM != null) q.set('altitude', String(p.altitudeM));
  if (p.accuracyM != null) q.set('accuracy', String(p.accuracyM));
  if (p.batteryLevelPct !== undefined) q.set('batt', String(p.batteryLevelPct));
  if (p.charging !== undefined) q.set('charge', String(p.charging));
  for (const [k, v] of Object.entries(p.attributes ?? {})) q.set(k, String(v));
  if (method === 'GET') return { method, path: `/?${q}`, headers: {} };
  return {
    method,
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: q.toString(),
  };
}

/** The JSON form: ISO timestamp, speed in m/s, -1 for unknown values, battery level 0–1. */
export function buildOsmAndJson(p: OsmAndPosition): BuiltRequest {
  const body = {
    location: {
      timestamp: new Date(p.timestampMs).toISOString(),
      coords: {
        latitude: p.latDeg,
        longitude: p.lonDeg,
        speed: p.speedMps ?? -1,
        heading: p.headingDeg ?? -1,
        accuracy: p.accuracyM ?? -1,
        ...(p.altitudeM != null ? { altitude: p.altitudeM } : {}),
      },
      ...(p.batteryLevelPct !== undefined || p.charging !== undefined
        ? {
            battery: {
              level: p.batteryLevelPct !== undefined ? p.batteryLevelPct / 100 : -1,
              is_charging: p.charging ?? false,
            },
          }
        : {}),
      extras: p.attributes ?? {},
    },
    device_id: p.id,
  };
  return {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}
