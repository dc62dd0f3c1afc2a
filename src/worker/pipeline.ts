// Binds the worker's pipeline port to src/pipeline, with the road network's speed limits when one is loaded.
import {
  createProcessor,
  type PipelineDeps,
  type ProcessorSnapshot,
  restoreProcessor,
} from '../pipeline/index.ts';
import type { PipelinePort } from './index.ts';

export function pipelinePort(deps: PipelineDeps = {}): PipelinePort {
  return {
    create: (deviceId) => createProcessor(deviceId, {}, deps),
    restore: (_deviceId, snapshot) => restoreProcessor(snapshot as ProcessorSnapshot, deps),
  };
}
