// The processor's whole state: plain JSON data, so a snapshot is a deep copy and a restore resumes exactly.
import type { PipelineConfig } from './config.ts';
import { type CleanState, newCleanState } from './clean.ts';
import { type CrashState, newCrashState } from './crash.ts';
import { type EvidenceRing, newRing } from './evidence.ts';
import type { DriveState } from './finalize.ts';
import { type LatState, type LongState, newLatState, newLongState } from './harsh.ts';
import type { KalmanState } from './kalman.ts';
import { newOrientState, type OrientState } from './orientation.ts';
import { newPhoneState, type PhoneState } from './phone.ts';
import { newReorderState, type ReorderState } from './reorder.ts';
import { newSegState, type OpenTrip, type SegState } from './trips.ts';

/** Evidence ring at 25 Hz: 512 buckets ≈ 20 s, enough for ±5 s around events up to 10 s long. */
const RING_CAPACITY = 512;

export interface ProcessorState {
  deviceId: string;
  config: PipelineConfig;
  reorder: ReorderState;
  clean: CleanState;
  kf: KalmanState | null;
  fix: { t: number; lat: number; lon: number; speedMps: number; headingDeg: number | null } | null;
  orient: OrientState;
  long: LongState;
  lat: LatState;
  crash: CrashState;
  phone: PhoneState;
  ring: EvidenceRing;
  seg: SegState;
  trip: OpenTrip | null;
  drive: DriveState;
  lastImuT: number | null;
  stats: { batches: number; tripsEmitted: number; tripsDropped: number; eventsEmitted: number };
}

export function newProcessorState(deviceId: string, config: PipelineConfig): ProcessorState {
  return {
    deviceId,
    config: { ...config },
    reorder: newReorderState(),
    clean: newCleanState(),
    kf: null,
    fix: null,
    orient: newOrientState(),
    long: newLongState(),
    lat: newLatState(),
    crash: newCrashState(),
    phone: newPhoneState(),
    ring: newRing(RING_CAPACITY),
    seg: newSegState(),
    trip: null,
    drive: { sinceMs: null, lastEndMs: null },
    lastImuT: null,
    stats: { batches: 0, tripsEmitted: 0, tripsDropped: 0, eventsEmitted: 0 },
  };
}
