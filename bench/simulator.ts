// Simulator speed on the real Andorra network: simulated driving hours per wall-clock second with full
// sensors (50 Hz IMU + 1 Hz GPS + phone events, serialised to v1 NDJSON as `simulate --out` does), and the
// portfolio fast path (same dynamics, no sensors) in driver-days per second.
import { join } from 'node:path';
import { loadOsmPbf } from '../src/geo/index.ts';
import { batchToNdjsonLine, generatePortfolio, networkPlanner, simulateFleet } from '../src/sim/index.ts';
import { SHARED_DATA, writeResult } from './lib.ts';

function arg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

export async function main(argv: string[]): Promise<number> {
  const drivers = arg(argv, 'drivers', 6);
  const days = arg(argv, 'days', 2);
  const policies = arg(argv, 'policies', 400);
  const net = await loadOsmPbf(join(SHARED_DATA, 'osm', 'andorra.osm.pbf'), { countryCode: 'AD' });
  const planner = networkPlanner(net);

  // Full sensors, with NDJSON serialisation.
  let t0 = performance.now();
  let cpu0 = process.cpuUsage();
  let drivingS = 0;
  let batches = 0;
  let bytes = 0;
  let imuSamples = 0;
  let trips = 0;
  const fleet = simulateFleet({ planner, drivers, days, startDate: '2024-03-04', seed: 'bench' });
  for (const ev of fleet.events) {
    if (ev.type === 'trip') {
      trips++;
      drivingS += (ev.truth.endMs - ev.truth.startMs) / 1000;
    } else {
      batches++;
      imuSamples += ev.batch.imu?.t.length ?? 0;
      bytes += batchToNdjsonLine(ev.batch).length;
    }
  }
  const sensorWallS = (performance.now() - t0) / 1000;
  const sensorCpuS = process.cpuUsage(cpu0).user / 1e6;

  // Portfolio fast path.
  t0 = performance.now();
  cpu0 = process.cpuUsage();
  let sampledHours = 0;
  let n = 0;
  for (const p of generatePortfolio({ planner, policies, seed: 'bench' })) {
    sampledHours += p.telematics.sampledHours;
    n++;
  }
  const pfWallS = (performance.now() - t0) / 1000;
  const pfCpuS = process.cpuUsage(cpu0).user / 1e6;

  const result = {
    figures: {
      sensors: {
        drivingHoursPerSecond: drivingS / 3600 / sensorWallS,
        drivingHoursPerCpuSecond: drivingS / 3600 / sensorCpuS,
        imuSamplesPerSecond: imuSamples / sensorWallS,
        ndjsonMBPerDrivingHour: bytes / 1e6 / (drivingS / 3600),
      },
      portfolio: {
        driverDaysPerSecond: (n * 365) / pfWallS,
        driversPerSecond: n / pfWallS,
        driversPerCpuSecond: n / pfCpuS,
        sampledDrivingHoursPerSecond: sampledHours / pfWallS,
        projectedSecondsFor10kDrivers: (10_000 / n) * pfWallS,
      },
    },
    inputs: {
      network: 'andorra.osm.pbf',
      sensors: { drivers, days, trips, batches, drivingHours: drivingS / 3600, wallSeconds: sensorWallS },
      portfolio: { policies: n, tripsPerDriver: 6, daysPerDriver: 365, wallSeconds: pfWallS },
      note: 'wall-clock figures on a 2-core machine shared with other work; CPU-second figures are steadier',
    },
  };
  const file = writeResult('simulator', result);
  process.stdout.write(`${JSON.stringify(result.figures, null, 2)}\nwrote ${file}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
