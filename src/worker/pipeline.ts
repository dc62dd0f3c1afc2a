// Binds the worker's pipeline port to src/pipeline, with posted limits and road classes from the stored road
// network (HMM map matching of each finished trip's 1 Hz trace) when one is loaded.
import {
  type ContextSources,
  contextFeatures,
  createMatcher,
  type RoadNetwork,
  tripContext,
} from '../geo/index.ts';
import {
  createProcessor,
  type PipelineDeps,
  type ProcessorSnapshot,
  restoreProcessor,
  type SpeedLimitProvider,
  type Trip,
} from '../pipeline/index.ts';
import type { PipelinePort } from './index.ts';

export function speedLimitsFrom(net: RoadNetwork): SpeedLimitProvider {
  const matcher = createMatcher(net);
  return {
    match: (_deviceId, points) =>
      matcher.matchTrace(
        points.map((p) => ({
          t: p.tMs,
          lat: p.lat,
          lon: p.lon,
          speedMps: p.speedMps,
          headingDeg: p.headingDeg,
        })),
      ),
  };
}

export function pipelinePort(deps: PipelineDeps = {}): PipelinePort {
  return {
    create: (deviceId) => createProcessor(deviceId, {}, deps),
    restore: (_deviceId, snapshot) => restoreProcessor(snapshot as ProcessorSnapshot, deps),
  };
}

/** Weather, darkness and area-risk features of a finished trip from its 1 Hz trace; says why when unavailable. */
export function contextEnricher(sources: () => ContextSources): (trip: Trip) => Record<string, unknown> {
  return (trip) => {
    const trace = trip.trace.tMs.map((t, i) => ({ t, lat: trip.trace.lat[i]!, lon: trip.trace.lon[i]! }));
    const ctx = tripContext(trace, sources());
    return { context: { ...contextFeatures(ctx), detail: ctx } };
  };
}
