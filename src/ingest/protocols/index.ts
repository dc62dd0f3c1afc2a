// Device protocols: Teltonika TCP and OsmAnd HTTP servers that turn device traffic into SensorBatches for a sink.
export * from './types.ts';
export { accuracyFromHdopM, accuracyFromSatellitesM } from './accuracy.ts';
export * as teltonika from './teltonika/index.ts';
export * as osmand from './osmand/index.ts';
export { createTeltonikaServer, TELTONIKA_DEFAULT_PORT, type TeltonikaServer } from './teltonika/index.ts';
export { createOsmAndServer, OSMAND_DEFAULT_PORT, type OsmAndServer } from './osmand/index.ts';
