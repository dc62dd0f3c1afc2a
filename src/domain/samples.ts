// The internal form every source (v1 HTTP, OsmAnd, Teltonika, simulator) is turned into before the bus.
import type { GpsSection, ImuSection, PhoneEvent } from './wire.ts';

export type SourceProtocol = 'v1' | 'osmand' | 'teltonika' | 'sim';

/** Events a device reports by itself (Teltonika green driving, accident, ignition), not derived by us. */
export type DeviceEventKind =
  | 'ignition_on'
  | 'ignition_off'
  | 'harsh_acceleration'
  | 'harsh_braking'
  | 'harsh_cornering'
  | 'crash'
  | 'driver_id';

export interface DeviceEvent {
  t: number;
  kind: DeviceEventKind;
  /** Magnitude as the device reports it (e.g. g for green driving), when it gives one. */
  value?: number;
  /** Free-form attributes from the device (e.g. iButton id). */
  attributes?: Record<string, string | number | boolean>;
}

/** One batch of samples from one device, columnar as on the wire. */
export interface SensorBatch {
  deviceId: string;
  batchId: string;
  source: SourceProtocol;
  /** Epoch ms when the gateway accepted it. */
  receivedAtMs: number;
  gps?: GpsSection;
  imu?: ImuSection;
  phone?: PhoneEvent[];
  deviceEvents?: DeviceEvent[];
  /** Per-fix attributes for device protocols (ignition, odometer, voltages, io<id>), aligned with gps.t. */
  gpsAttributes?: Array<Record<string, string | number | boolean>>;
}

export function sampleCount(b: Pick<SensorBatch, 'gps' | 'imu' | 'phone' | 'deviceEvents'>): number {
  return (
    (b.gps?.t.length ?? 0) + (b.imu?.t.length ?? 0) + (b.phone?.length ?? 0) + (b.deviceEvents?.length ?? 0)
  );
}
