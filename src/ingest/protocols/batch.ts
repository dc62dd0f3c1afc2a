// Builds the internal SensorBatch from device fixes, the same columns a v1 batch carries.
import type { DeviceEvent, GpsSection, SensorBatch, SourceProtocol } from '../../domain/index.ts';
import type { Attributes } from './types.ts';

export interface Fix {
  t: number;
  latDeg: number;
  lonDeg: number;
  speedMps: number | null;
  headingDeg: number | null;
  altitudeM: number | null;
  accuracyM: number | null;
  attributes: Attributes;
}

export interface BatchParts {
  deviceId: string;
  batchId: string;
  source: SourceProtocol;
  receivedAtMs: number;
  fixes: readonly Fix[];
  events: readonly DeviceEvent[];
}

export function buildBatch(p: BatchParts): SensorBatch {
  const batch: SensorBatch = {
    deviceId: p.deviceId,
    batchId: p.batchId,
    source: p.source,
    receivedAtMs: p.receivedAtMs,
  };
  if (p.fixes.length > 0) {
    const gps: GpsSection = {
      t: p.fixes.map((f) => f.t),
      lat: p.fixes.map((f) => f.latDeg),
      lon: p.fixes.map((f) => f.lonDeg),
    };
    const speed = p.fixes.map((f) => f.speedMps);
    const heading = p.fixes.map((f) => f.headingDeg);
    const accuracy = p.fixes.map((f) => f.accuracyM);
    const altitude = p.fixes.map((f) => f.altitudeM);
    // Columns that are null throughout are left out, as v1 allows.
    if (speed.some((x) => x !== null)) gps.speedMps = speed;
    if (heading.some((x) => x !== null)) gps.headingDeg = heading;
    if (accuracy.some((x) => x !== null)) gps.accuracyM = accuracy;
    if (altitude.some((x) => x !== null)) gps.altitudeM = altitude;
    batch.gps = gps;
    batch.gpsAttributes = p.fixes.map((f) => f.attributes);
  }
  if (p.events.length > 0) batch.deviceEvents = [...p.events];
  return batch;
}
