// The OsmAnd protocol of the Traccar Client phone app: query / form / JSON requests → SensorBatch, builder, server.
export { type BuiltRequest, type OsmAndPosition, buildOsmAndJson, buildOsmAndQuery } from './builder.ts';
export { parseOsmAndJson } from './parse-json.ts';
export { parseOsmAndQuery } from './parse-query.ts';
export type { OsmAndFix, OsmAndRecord } from './record.ts';
export { type OsmAndRequest, osmAndBatchId, osmAndToBatch, parseOsmAndRequest } from './request.ts';
export { OSMAND_DEFAULT_PORT, OsmAndServer, type OsmAndServerOptions, createOsmAndServer } from './server.ts';
export { parseOsmAndTime } from './time.ts';
