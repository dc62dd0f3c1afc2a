// Public face of the simulator: a fleet on the real road network (sensor batches + ground truth), the
// portfolio fast path with its documented claim process, and the pieces they are built from.
export { createRng, hash32, type Rng } from './rng.ts';
export {
  DEFAULT_STYLE_MIX,
  type DrivingParams,
  drawDrivingParams,
  STYLE_MEANS,
  STYLE_NAMES,
  type StyleName,
} from './styles.ts';
export { buildTrack, type Track, TRACK_SPACING_M } from './track.ts';
export {
  DYNAMICS_DT_S,
  EMERGENCY_DECEL_MPS2,
  type PhoneEpisode,
  simulateDrive,
  type StopPoint,
  type Trace,
  type TripPlan,
  type Vehicle,
} from './dynamics.ts';
export { curveSpeedMps } from './profile.ts';
export { congestionAt, planTrip } from './traffic.ts';
export {
  harshEvents,
  type HarshEventTruth,
  type HarshKind,
  lateralAccel,
  speedingSpans,
  type SpeedingSpanTruth,
  TRUTH_RULES,
} from './truth.ts';
export { ACCURACY_TO_SIGMA, createGps, type GpsConfig, gpsStep, PHONE_GPS } from './gps.ts';
export { type Quat, type MountKind, MOUNT_KINDS, mountQuat, quatToMatrix } from './rotation.ts';
export {
  phoneWindows,
  type PhoneSetup,
  type SensorWindow,
  type TripRun,
  WINDOW_MS,
} from './phone-sensors.ts';
export { type DeviceRecord, deviceRecords, recordsToSections, TELTONIKA_DEFAULTS } from './device-records.ts';
export { networkPlanner, type Place, type RoutePlanner } from './planner.ts';
export { createDriver, type Driver, type DeviceKind, type ScheduleKind } from './population.ts';
export { dayTrips, localMidnightMs, type PlannedTrip, tzOffsetMin } from './schedule.ts';
export { simulateTrip, type SimulatedTrip, type TripTruth } from './trip.ts';
export {
  DEFAULT_TIME_ZONE,
  type Fleet,
  type FleetEvent,
  type FleetOptions,
  type FleetProtocol,
  simulateFleet,
  toIngestBatchV1,
} from './fleet.ts';
export { type DrivingSummary, summarizeDriving } from './summary.ts';
export {
  ageEffect,
  CLAIM_MODEL,
  type ClaimDraw,
  claimFrequency,
  drawClaims,
  type RatingFactors,
  severityMeanCents,
  TERRITORIES,
  type Territory,
} from './claims.ts';
export { buildRoutePool, generatePortfolio, type Policy, type PortfolioOptions } from './portfolio.ts';
export { batchToNdjsonLine, truthToNdjsonLine } from './ndjson.ts';
// The simulator's edge: sending what it produces (used by `openubi simulate` and the demo filler).
export { requestWithRetry, type RetryOptions, retryAfterMs } from './transport/retry.ts';
export {
  createV1Sender,
  IngestError,
  type SenderStats,
  type V1Sender,
  type V1SenderOptions,
} from './transport/v1-sender.ts';
export { openTcpSession, type TcpSession } from './transport/tcp-session.ts';
