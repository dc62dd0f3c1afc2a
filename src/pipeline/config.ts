// Every threshold of the pipeline in one frozen object; docs/pipeline.md explains each rule.
import { G_MPS2, kmhToMps } from '../domain/index.ts';

export interface PipelineConfig {
  // ordering and cleaning
  /** Samples are held this long so late ones can still be put in order. */
  reorderWindowMs: number;
  /** A batch whose newest sample is this far ahead of the gateway clock is shifted back (device clock skew). */
  maxClockSkewMs: number;
  /** Fixes with a horizontal accuracy worse than this are dropped. */
  maxAccuracyM: number;
  /** A fix implying a faster move from the last good fix (beyond both accuracies) is a jump and is dropped. */
  maxPlausibleSpeedMps: number;
  /** After this many consecutive self-consistent "jumps" the new place is believed (the old fix was the outlier). */
  jumpResetFixes: number;
  /** Process noise of the constant-velocity Kalman filter (white acceleration), m/s². */
  kalmanAccelNoiseMps2: number;

  // trips
  tripStartSpeedMps: number;
  tripStartSustainMs: number;
  /** Below this speed the vehicle counts as stopped (for moving time, idling and dwell starts). */
  stationarySpeedMps: number;
  dwellRadiusM: number;
  /** A stop (or dwell within the radius) this long ends the trip; so does a data gap this long. */
  dwellWindowMs: number;
  /** A trip is dropped when it is shorter than both of these. */
  minTripDurationMs: number;
  minTripDistanceM: number;
  /** Use ignition (device events or fix attributes) when the device reports it. */
  useIgnition: boolean;
  /** Without GPS, a second whose accelerometer-magnitude standard deviation exceeds this counts as moving. */
  imuMotionStdMps2: number;
  /** GPS older than this no longer tells whether the vehicle moves; the IMU does. */
  gpsStaleMs: number;
  traceIntervalMs: number;

  // orientation
  /** A second is calm (for gravity and gyro bias) below this accelerometer-magnitude standard deviation. */
  calmStdMps2: number;
  calmYawRateRps: number;
  /** Time constant of the gravity estimate in the device frame. */
  gravityTauMs: number;
  /** How long of data the gravity estimate needs before the frame counts as levelled. */
  levelAfterMs: number;
  /** Memory of the forward-axis estimator (device frame: the phone does not move in its mount). */
  forwardMemoryMs: number;
  /** Evidence (in seconds of turning / GPS speed change) the forward estimate needs to count as calibrated. */
  forwardMinEvidence: number;

  // events
  /** Time constant of the low-pass filter the acceleration detectors look at. */
  smoothingTauMs: number;
  harshBrakingMps2: number;
  harshAccelerationMps2: number;
  severeLongitudinalMps2: number;
  longitudinalMinDurationMs: number;
  /** An opposite-sign excursion right after a harsh event is the car's (or the sensor fusion's) rebound. */
  reboundSuppressMs: number;
  harshCorneringMps2: number;
  severeCorneringMps2: number;
  corneringMinDurationMs: number;
  /** Yaw rate that confirms a lateral acceleration is steering, not a bump or a handled phone. */
  corneringMinYawRateRps: number;
  /**
   * Earth frame without GPS: the longitudinal magnitude from √(|a|² − g²) (rotation-free), the direction from the
   * earth-frame reading — whose fusion absorbs sustained acceleration into tilt (earth-magnitude.ts).
   */
  earthMagnitudeLongitudinal: boolean;
  /** With fresh GPS, lateral acceleration = GPS speed × gyroscope yaw rate (else the accelerometer's lateral axis). */
  lateralFromGps: boolean;
  /** A manoeuvre turning the heading at least this much is a turn; less, with yaw of both signs, a lane change. */
  turnMinHeadingDeg: number;
  /** Same-kind events closer than this merge into one. */
  mergeGapMs: number;
  evidenceMarginMs: number;
  evidenceHz: number;
  /** Speeding: over the posted limit by at least the first tier for at least this long. */
  speedingMinDurationMs: number;
  /** Over-limit thresholds of the low / moderate / severe tiers. */
  speedingTiersKmh: readonly [number, number, number];
  phoneMinSpeedMps: number;
  /** A handling / unlock / app event without a screen_off counts as this long. */
  phoneMomentMs: number;
  /** IANA time zone for night and rush-hour rules. */
  timeZone: string;
  nightStartHour: number;
  nightEndHour: number;
  /** Local [startHour, endHour) windows on weekdays (Mon–Fri). */
  rushHours: readonly (readonly [number, number])[];
  fatigueDrivingMs: number;
  fatigueBreakMs: number;
  crashPeakMps2: number;
  crashMinSpeedMps: number;
  crashStopWithinMs: number;
}

export const DEFAULT_PIPELINE_CONFIG: Readonly<PipelineConfig> = Object.freeze({
  reorderWindowMs: 30_000,
  maxClockSkewMs: 120_000,
  maxAccuracyM: 100,
  maxPlausibleSpeedMps: kmhToMps(300),
  jumpResetFixes: 5,
  kalmanAccelNoiseMps2: 1.5,

  tripStartSpeedMps: kmhToMps(8),
  tripStartSustainMs: 10_000,
  stationarySpeedMps: 1.0,
  dwellRadiusM: 100,
  dwellWindowMs: 300_000,
  minTripDurationMs: 300_000,
  minTripDistanceM: 500,
  useIgnition: true,
  imuMotionStdMps2: 0.08,
  gpsStaleMs: 10_000,
  traceIntervalMs: 1000,

  calmStdMps2: 0.06,
  calmYawRateRps: 0.03,
  gravityTauMs: 20_000,
  levelAfterMs: 3_000,
  forwardMemoryMs: 600_000,
  forwardMinEvidence: 3,

  smoothingTauMs: 250,
  harshBrakingMps2: 0.35 * G_MPS2,
  harshAccelerationMps2: 0.35 * G_MPS2,
  severeLongitudinalMps2: 0.5 * G_MPS2,
  longitudinalMinDurationMs: 500,
  reboundSuppressMs: 3_000,
  harshCorneringMps2: 0.4 * G_MPS2,
  severeCorneringMps2: 0.55 * G_MPS2,
  corneringMinDurationMs: 300,
  corneringMinYawRateRps: 0.1,
  lateralFromGps: true,
  earthMagnitudeLongitudinal: true,
  turnMinHeadingDeg: 30,
  mergeGapMs: 3_000,
  evidenceMarginMs: 5_000,
  evidenceHz: 25,
  speedingMinDurationMs: 15_000,
  speedingTiersKmh: [10, 20, 30] as const,
  phoneMinSpeedMps: kmhToMps(5),
  phoneMomentMs: 5_000,
  timeZone: 'UTC',
  nightStartHour: 22,
  nightEndHour: 5,
  rushHours: [
    [7, 9],
    [16, 19],
  ] as const,
  fatigueDrivingMs: 2 * 3600_000,
  fatigueBreakMs: 15 * 60_000,
  crashPeakMps2: 3.5 * G_MPS2,
  crashMinSpeedMps: kmhToMps(20),
  crashStopWithinMs: 30_000,
});

const validZones = new Set<string>();

/** Defaults overlaid with the given values; validated, frozen. Throws on a nonsensical value (a programming error). */
export function resolveConfig(partial: Partial<PipelineConfig> = {}): Readonly<PipelineConfig> {
  const c = { ...DEFAULT_PIPELINE_CONFIG, ...partial } as PipelineConfig;
  const problems: string[] = [];
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0))
      problems.push(`${k} must be a finite number ≥ 0`);
  }
  if (c.nightStartHour > 24 || c.nightEndHour > 24) problems.push('night hours must be within 0–24');
  if (c.evidenceHz <= 0) problems.push('evidenceHz must be > 0');
  if (!validZones.has(c.timeZone)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: c.timeZone });
      validZones.add(c.timeZone);
    } catch {
      problems.push(`timeZone '${c.timeZone}' is not an IANA time zone`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid pipeline config: ${problems.join('; ')}`);
  return Object.freeze(c);
}
