// Ports the device-protocol servers are given. They know nothing of the gateway, store or bus behind them.
import type { SensorBatch } from '../../domain/index.ts';

export type DeviceProtocol = 'teltonika' | 'osmand';

/** Maps a protocol's own device identity (Teltonika IMEI, OsmAnd id) to our device id. */
export interface DeviceDirectory {
  lookup(protocol: DeviceProtocol, externalId: string): Promise<{ deviceId: string } | null>;
}

/** Where decoded batches go. Resolves only once the batch is durable; a repeated batchId is a duplicate. */
export interface DurableSink {
  write(batch: SensorBatch): Promise<{ accepted: number; duplicate: boolean }>;
}

/** Attribute values device protocols attach to fixes and events. */
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;
