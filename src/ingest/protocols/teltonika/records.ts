// From decoded AVL records to what OpenUBI keeps: a GPS fix (or none, as Traccar's `valid`), named attributes
// and the events the device reported (green driving, crash, ignition and driver changes).
import type { DeviceEvent } from '../../../domain/index.ts';
import { kmhToMps } from '../../../domain/index.ts';
import { accuracyFromHdopM, accuracyFromSatellitesM } from '../accuracy.ts';
import type { Attributes } from '../types.ts';
import type { AvlRecord } from './avl.ts';
import { interpretIo } from './io-elements.ts';

export interface GpsFix {
  latDeg: number;
  lonDeg: number;
  speedMps: number;
  headingDeg: number;
  altitudeM: number;
  accuracyM: number | null;
}

export interface InterpretedRecord {
  timestampMs: number;
  /** Null when the device had no fix (0 satellites) or sent impossible coordinates or time. */
  fix: GpsFix | null;
  attributes: Attributes;
}

/** What a connection remembers between frames to tell a change from a repeat. */
export interface DeviceState {
  ignition?: boolean;
  driverUniqueId?: string;
}

const MIN_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
const MAX_PLAUSIBLE_MS = Date.UTC(2100, 0, 1);

export const plausibleTime = (t: number): boolean =>
  Number.isFinite(t) && t >= MIN_PLAUSIBLE_MS && t < MAX_PLAUSIBLE_MS;

export function interpretRecord(r: AvlRecord): InterpretedRecord {
  const attributes: Attributes = { priority: r.priority, satellites: r.satellites, eventIoId: r.eventIoId };
  if (r.generationType !== undefined) attributes.generationType = r.generationType;
  Object.assign(attributes, interpretIo(r.io));
  const valid =
    r.satellites > 0 && Math.abs(r.latDeg) <= 90 && Math.abs(r.lonDeg) <= 180 && plausibleTime(r.timestampMs);
  const hdop = attributes.hdop;
  const fix: GpsFix | null = valid
    ? {
        latDeg: r.latDeg,
        lonDeg: r.lonDeg,
        speedMps: Math.round(kmhToMps(r.speedKmh) * 1000) / 1000,
        headingDeg: r.headingDeg % 360,
        altitudeM: r.altitudeM,
        accuracyM:
          (typeof hdop === 'number' ? accuracyFromHdopM(hdop) : null) ??
          accuracyFromSatellitesM(r.satellites),
      }
    : null;
  return { timestampMs: r.timestampMs, fix, attributes };
}

const HARSH = { 1: 'harsh_acceleration', 2: 'harsh_braking', 3: 'harsh_cornering' } as const;

/**
 * Device-reported events of records in time order. Ignition and driver events fire on a change from the
 * previous known value (carried in `state` across frames); with no previous value, an ignition event fires
 * only for a record the device generated because of the ignition IO (event id 239).
 */
export function deviceEventsOf(
  records: readonly InterpretedRecord[],
  state: DeviceState,
): { events: DeviceEvent[]; state: DeviceState } {
  const events: DeviceEvent[] = [];
  const next: DeviceState = { ...state };
  for (const { timestampMs: t, attributes: a } of records) {
    if (!plausibleTime(t)) continue;
    if (typeof a.ignition === 'boolean') {
      const changed = next.ignition === undefined ? a.eventIoId === 239 : next.ignition !== a.ignition;
      if (changed) events.push({ t, kind: a.ignition ? 'ignition_on' : 'ignition_off' });
      next.ignition = a.ignition;
    }
    const type = a.greenDrivingType;
    if (type === 1 || type === 2 || type === 3) {
      const e: DeviceEvent = { t, kind: HARSH[type], attributes: { greenDrivingType: type } };
      if (typeof a.greenDrivingValue === 'number') e.value = a.greenDrivingValue;
      if (typeof a.greenDrivingDurationMs === 'number') e.attributes!.durationMs = a.greenDrivingDurationMs;
      events.push(e);
    }
    if (typeof a.crashType === 'number' && a.crashType > 0) {
      events.push({ t, kind: 'crash', attributes: { crashType: a.crashType } });
    }
    if (typeof a.driverUniqueId === 'string' && a.driverUniqueId !== next.driverUniqueId) {
      events.push({ t, kind: 'driver_id', attributes: { driverUniqueId: a.driverUniqueId } });
      next.driverUniqueId = a.driverUniqueId;
    }
  }
  return { events, state: next };
}
