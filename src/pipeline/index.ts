// The pipeline's public face: a per-device streaming processor (pure; the worker feeds it and checkpoints it).
import type { SensorBatch } from '../domain/index.ts';
import { type PipelineConfig, resolveConfig } from './config.ts';
import { newLatState, newLongState } from './harsh.ts';
import { newOrientState } from './orientation.ts';
import { Engine } from './processor.ts';
import { newProcessorState, type ProcessorState } from './state.ts';
import type { LiveTripView, PipelineDeps, PipelineOutput } from './types.ts';

export { DEFAULT_PIPELINE_CONFIG, type PipelineConfig, resolveConfig } from './config.ts';
export { eventId, tripId } from './drafts.ts';
export * from './types.ts';

export interface DeviceProcessor {
  readonly deviceId: string;
  /** Adds a batch; returns the trips (with their events) that became final because of it. */
  push(batch: SensorBatch): PipelineOutput;
  /** Time passes without data (device clock, epoch ms): releases held samples and closes a trip after the dwell window. */
  tick(nowMs: number): PipelineOutput;
  /** End of input (offline processing): releases everything and closes the open trip. */
  flush(): PipelineOutput;
  /** JSON-safe state; restoreProcessor(JSON.parse(JSON.stringify(snapshot))) resumes exactly. */
  snapshot(): ProcessorSnapshot;
  /** The open trip, for live dashboards. */
  readonly activeTrip: LiveTripView | null;
  /** Counters: batches, trips emitted / dropped as too short, events; dropped samples by reason. */
  stats(): ProcessorStats;
}

export interface ProcessorSnapshot {
  format: 'openubi.pipeline/1';
  state: ProcessorState;
}

export interface ProcessorStats {
  batches: number;
  tripsEmitted: number;
  tripsDropped: number;
  eventsEmitted: number;
  samplesDropped: { late: number; duplicate: number; invalid: number; duplicateBatches: number };
  fixesDropped: { nullIsland: number; inaccurate: number; invalid: number; jump: number };
}

class Processor implements DeviceProcessor {
  constructor(private readonly e: Engine) {}
  get deviceId(): string {
    return this.e.s.deviceId;
  }
  push(batch: SensorBatch): PipelineOutput {
    if (batch.deviceId !== this.e.s.deviceId) {
      throw new Error(
        `batch for device '${batch.deviceId}' pushed to the processor of '${this.e.s.deviceId}'`,
      );
    }
    this.e.push(batch);
    return this.e.take();
  }
  tick(nowMs: number): PipelineOutput {
    this.e.tick(nowMs);
    return this.e.take();
  }
  flush(): PipelineOutput {
    this.e.flush();
    return this.e.take();
  }
  snapshot(): ProcessorSnapshot {
    return { format: 'openubi.pipeline/1', state: JSON.parse(JSON.stringify(this.e.s)) as ProcessorState };
  }
  get activeTrip(): LiveTripView | null {
    return this.e.live();
  }
  stats(): ProcessorStats {
    const s = this.e.s;
    const d = s.reorder.dropped;
    const c = s.clean.counts;
    return {
      ...s.stats,
      samplesDropped: {
        late: d.late,
        duplicate: d.duplicate,
        invalid: d.invalidTime,
        duplicateBatches: d.duplicateBatches,
      },
      fixesDropped: { nullIsland: c.null_island, inaccurate: c.inaccurate, invalid: c.invalid, jump: c.jump },
    };
  }
}

export function createProcessor(
  deviceId: string,
  config: Partial<PipelineConfig> = {},
  deps: PipelineDeps = {},
): DeviceProcessor {
  return new Processor(new Engine(newProcessorState(deviceId, resolveConfig(config)), deps));
}

export function restoreProcessor(snapshot: ProcessorSnapshot, deps: PipelineDeps = {}): DeviceProcessor {
  if (snapshot?.format !== 'openubi.pipeline/1' || typeof snapshot.state?.deviceId !== 'string') {
    throw new Error('not an openubi.pipeline/1 snapshot');
  }
  const state = JSON.parse(JSON.stringify(snapshot.state)) as ProcessorState;
  state.config = { ...resolveConfig(state.config) };
  // Fields added since the snapshot was taken start from their initial values.
  state.orient = { ...newOrientState(), ...state.orient };
  state.long = { ...newLongState(), ...state.long };
  state.lat = { ...newLatState(), ...state.lat };
  return new Processor(new Engine(state, deps));
}
