// Binds the worker's pipeline port to src/pipeline, with posted limits and road classes from the stored road
// network (HMM map matching of each finished trip's 1 Hz trace) when one is loaded.
import { createMatcher, type RoadNetwork } from '../geo/index.ts';
import {
  createProcessor,
  type PipelineDeps,
  type ProcessorSnapshot,
  restoreProcessor,
  type SpeedLimitProvider,
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
