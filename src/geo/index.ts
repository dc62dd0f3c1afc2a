// Public face of geo: road network import and model, routing, map matching, trip context.
export type * from './types.ts';
export { RoadNetwork, type BBox, type EdgeHit, type PointOnEdge, type RoadNetworkInit } from './network.ts';
export { NETWORK_FORMAT, NETWORK_VERSION, type RoadNetworkJson } from './network-json.ts';
export {
  importOsmBuffer,
  importOsmPbf,
  loadOsmPbf,
  type ImportOptions,
  type ImportSummary,
} from './osm-import.ts';
export {
  COUNTRY_DEFAULTS,
  GENERIC_DEFAULTS,
  UNLIMITED_KMH,
  WALK_KMH,
  defaultSpeedKmh,
  parseMaxspeed,
  speedLimitOf,
  type CountryDefaults,
  type ParsedMaxspeed,
} from './speed-limits.ts';
export { findRoute, freeFlowMps, type RouteOptions } from './route.ts';
export { largestStronglyConnectedComponent } from './graph.ts';
export { createMatcher, createStreamingMatcher, type Matcher, type StreamingMatcher } from './matchers.ts';
export type { GpsFix, MatchEngineState, MatchOptions } from './match.ts';
export { routeDistances, type EdgePosition } from './route-distance.ts';
export { CIVIL_DARK_DEG, isDark, solarElevationDeg } from './sun.ts';
export {
  OPEN_METEO_ARCHIVE_URL,
  WET_MIN_MM,
  WeatherTable,
  isSnowy,
  isWet,
  openMeteoArchiveProvider,
  openMeteoArchiveUrl,
  parseOpenMeteo,
  type WeatherHour,
  type WeatherProvider,
  type WeatherQuery,
} from './weather.ts';
export { parseWeatherCsv } from './weather-csv.ts';
export {
  AREA_RISK_RESOLUTION,
  AreaRiskTable,
  areaRiskFromCounts,
  parseAreaRiskCsv,
  type AreaRiskCell,
} from './area-risk.ts';
export {
  contextFeatures,
  tripContext,
  weatherForTrip,
  type AreaRiskContext,
  type ContextOptions,
  type ContextSources,
  type TracePoint,
  type TripContext,
  type TripContextFeatures,
  type WeatherContext,
} from './trip-context.ts';
// Ground-truth traces along routes, for tests and benchmarks of matching (not a vehicle simulator).
export { gaussian, sampleRoute, seededRandom, type TraceOptions, type TruthFix } from './synthetic-trace.ts';
