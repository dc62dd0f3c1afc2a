// What the pipeline gives the rest of the system: trips, driving events and trip features.
import type { MatchedFix, RoadClass } from '../geo/types.ts';

export type EventKind =
  | 'harsh_braking'
  | 'harsh_acceleration'
  | 'harsh_cornering'
  | 'harsh_lane_change'
  | 'speeding'
  | 'phone_distraction'
  | 'phone_call'
  | 'night_driving'
  | 'rush_hour'
  | 'fatigue'
  | 'crash_candidate';

export const EVENT_KINDS: readonly EventKind[] = [
  'harsh_braking',
  'harsh_acceleration',
  'harsh_cornering',
  'harsh_lane_change',
  'speeding',
  'phone_distraction',
  'phone_call',
  'night_driving',
  'rush_hour',
  'fatigue',
  'crash_candidate',
];

export type Severity = 'low' | 'moderate' | 'severe';

/** Sensor data around an event (±evidenceMarginMs), kept so a driver or an adjuster can see why it was flagged. */
export interface EventEvidence {
  /** Epoch ms the offsets count from (the event start). */
  t0Ms: number;
  /** Vehicle-frame IMU signals at evidenceHz: longitudinal (+ forward), lateral (+ left), vertical (gravity removed). */
  imu: {
    tOffsetMs: number[];
    lonMps2: number[];
    latMps2: number[];
    vertMps2: number[];
    yawRateRps: number[];
  } | null;
  /** GPS speed (1 Hz trace) around the event, with the posted limit when known. */
  speed: { tOffsetMs: number[]; speedMps: number[]; limitKmh: (number | null)[] } | null;
}

export interface DrivingEvent {
  /** Deterministic: derived from device, start time and kind, so a redelivered batch cannot duplicate it. */
  id: string;
  tripId: string;
  deviceId: string;
  kind: EventKind;
  /** 'detected' by this pipeline, or reported by the 'device' itself (e.g. Teltonika green driving). */
  source: 'detected' | 'device';
  severity: Severity;
  startMs: number;
  endMs: number;
  /** The defining magnitude, in `peakUnit`: m/s² for harsh and crash events, km/h over the limit for speeding. */
  peakValue: number;
  peakUnit: 'mps2' | 'kmh_over' | 'ms' | 'none';
  speedBeforeMps: number | null;
  speedAfterMps: number | null;
  lat: number | null;
  lon: number | null;
  /** Kind-specific facts: turn direction, heading change, hands-free, posted limit… */
  detail: Record<string, string | number | boolean | null>;
  evidence: EventEvidence | null;
}

export type TripMode = 'car' | 'bus' | 'train' | 'walking' | 'unknown';

/**
 * The per-trip inputs of the risk model and of the driver's explanations. Rates are per 100 km and are null
 * when the trip's distance is unknown (no GPS) or under 1 km, where a rate would be noise.
 */
export interface TripFeatures {
  /** Distance along the Kalman-smoothed GPS track, metres (0 without GPS). */
  distanceM: number;
  /** From the trip start (sustained movement) to its end (start of the final stop), ms. */
  durationMs: number;
  /** Time above the stationary speed (or IMU-active without GPS), ms. */
  movingTimeMs: number;
  /** Time stopped within the trip (engine assumed running), ms. */
  idleTimeMs: number;
  /** distanceM / moving time, m/s; null without GPS. */
  meanMovingSpeedMps: number | null;
  maxSpeedMps: number | null;
  /** 85th percentile of the 1 Hz speeds while moving, m/s. */
  p85SpeedMps: number | null;
  /** Count of each event kind in the trip. */
  eventCounts: Record<EventKind, number>;
  harshBrakingPer100Km: number | null;
  harshAccelerationPer100Km: number | null;
  harshCorneringPer100Km: number | null;
  /** All harsh braking, acceleration, cornering and lane-change events per 100 km. */
  harshEventsPer100Km: number | null;
  /** Whether a speed-limit provider was available and matched any of the trace. */
  speedLimitsAvailable: boolean;
  /** Share of moving time with a known limit spent in speeding events; null without limits. */
  speedingShare: number | null;
  /** Share of moving time with a known limit over the limit at all; null without limits. */
  overLimitShare: number | null;
  /** Share of the moving trace whose limit was known. */
  speedLimitCoverage: number | null;
  /** Share of the trip's duration in night hours (local time of config.timeZone). */
  nightShare: number;
  rushHourShare: number;
  /** Share of matched distance per road class; null when not map-matched. */
  roadClassMix: Partial<Record<RoadClass, number>> | null;
  /** Screen-on / unlocked / handled time while moving above phoneMinSpeedMps, plus handheld calls, ms. */
  phoneUseMs: number;
  handheldCallMs: number;
  handsFreeCallMs: number;
  /** Time driven beyond fatigueDrivingMs of continuous driving (breaks shorter than fatigueBreakMs), ms. */
  fatigueMs: number;
  /** Continuous driving time at the trip's end, counting earlier trips without a long enough break, ms. */
  continuousDrivingMs: number;
  /** Share of IMU time whose forward axis was calibrated (harsh braking/acceleration detectable); null without IMU. */
  imuCalibratedShare: number | null;
  /** GPS fixes accepted / dropped by the cleaning rules during the trip. */
  gpsFixesAccepted: number;
  gpsFixesDropped: number;
}

export interface TracePoints {
  tMs: number[];
  lat: number[];
  lon: number[];
  speedMps: number[];
  headingDeg: (number | null)[];
}

export interface Trip {
  /** Deterministic: derived from device and start time. */
  id: string;
  deviceId: string;
  startMs: number;
  endMs: number;
  endReason: 'stationary' | 'gap' | 'ignition_off' | 'end_of_input';
  startLat: number | null;
  startLon: number | null;
  endLat: number | null;
  endLon: number | null;
  mode: TripMode;
  /** Confidence in `mode`, 0–1. */
  modeConfidence: number;
  /** True when the trip looks like public transport or walking: not scored until the driver confirms. */
  needsConfirmation: boolean;
  features: TripFeatures;
  eventIds: string[];
  /** 1 Hz GPS trace (empty without GPS). */
  trace: TracePoints;
}

export interface PipelineOutput {
  trips: Trip[];
  /** Events of the trips in `trips`, emitted with them. */
  events: DrivingEvent[];
}

/** What a live dashboard shows while a trip is open. */
export interface LiveTripView {
  tripId: string;
  /** False until movement has been sustained long enough to be a trip. */
  confirmed: boolean;
  startMs: number;
  lastMs: number;
  lat: number | null;
  lon: number | null;
  speedMps: number | null;
  distanceM: number;
  eventCount: number;
}

/** One 1 Hz trace point handed to a speed-limit provider. */
export interface ProviderPoint {
  tMs: number;
  lat: number;
  lon: number;
  speedMps: number;
  headingDeg: number | null;
}

/**
 * Gives the road and posted limit under each point of a trip's trace (a map matcher). Called once per trip,
 * when it closes, with the whole 1 Hz trace; returns one MatchedFix per point (index = position in `points`).
 * Must be synchronous and deterministic so replays and checkpoints give identical results.
 */
export interface SpeedLimitProvider {
  match(deviceId: string, points: readonly ProviderPoint[]): MatchedFix[];
}

export interface PipelineDeps {
  speedLimits?: SpeedLimitProvider;
}
