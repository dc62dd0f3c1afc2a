// Location precision reduction (LOCATION_PRECISION_DECIMALS): what leaves the pipeline for storage keeps only
// so many decimal places of latitude and longitude (4 ≈ 11 m, 3 ≈ 110 m). The pipeline itself keeps full
// precision (map matching, speeding and distances are computed before rounding).
import type { PipelineOutput, TracePoints } from '../pipeline/types.ts';
import type { DeviceProcessorPort, PipelinePort } from '../worker/index.ts';

export function roundCoord(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

const roundOrNull = (x: number | null, d: number): number | null => (x === null ? null : roundCoord(x, d));

export function roundTrace(trace: TracePoints, decimals: number): TracePoints {
  return {
    ...trace,
    lat: trace.lat.map((x) => roundCoord(x, decimals)),
    lon: trace.lon.map((x) => roundCoord(x, decimals)),
  };
}

export function reduceOutputPrecision(out: PipelineOutput, decimals: number): PipelineOutput {
  return {
    trips: out.trips.map((t) => ({
      ...t,
      startLat: roundOrNull(t.startLat, decimals),
      startLon: roundOrNull(t.startLon, decimals),
      endLat: roundOrNull(t.endLat, decimals),
      endLon: roundOrNull(t.endLon, decimals),
      trace: roundTrace(t.trace, decimals),
    })),
    events: out.events.map((e) => ({
      ...e,
      lat: roundOrNull(e.lat, decimals),
      lon: roundOrNull(e.lon, decimals),
    })),
  };
}

/** The same pipeline, with every output it hands over for storage rounded. */
export function reducedPrecision(port: PipelinePort, decimals: number): PipelinePort {
  const wrap = (p: DeviceProcessorPort): DeviceProcessorPort => ({
    push: (b) => reduceOutputPrecision(p.push(b), decimals),
    tick: (nowMs) => reduceOutputPrecision(p.tick(nowMs), decimals),
    snapshot: () => p.snapshot(),
    get activeTrip() {
      return p.activeTrip;
    },
  });
  return {
    create: (id) => wrap(port.create(id)),
    restore: (id, snapshot) => wrap(port.restore(id, snapshot)),
  };
}
