// The portfolio fast path: a driver's driving summarised from a sample of trips run through the same
// dynamics (no 50 Hz sensors), on a shared pool of real routes so no routing is needed per driver.
import type { RoutePath } from '../geo/types.ts';
import type { Driver } from './population.ts';
import type { Rng } from './rng.ts';
import { dayTrips } from './schedule.ts';
import { secondsOverThreshold } from './truth.ts';
import { simulateTrip } from './trip.ts';

export interface DrivingSummary {
  sampledTrips: number;
  sampledKm: number;
  sampledHours: number;
  harshBrakingPer100Km: number;
  harshAccelerationPer100Km: number;
  harshCorneringPer100Km: number;
  /** Share of moving time above 1.10 × the posted limit. */
  speedingShare: number;
  /** Minutes of hand-held phone use (screen, hand-held calls) per driving hour. */
  phoneMinPerHour: number;
  /** Share of distance driven between 22:00 and 05:00 local. */
  nightShare: number;
  meanSpeedKmh: number;
}

export interface SummaryOptions {
  /** Trips sampled per driver (default 6). */
  trips?: number;
}

const isNight = (h: number): boolean => h >= 22 || h < 5;

/** Departure hours and weekdays the driver's own schedule produces over two weeks. */
function departureSlots(driver: Driver, rng: Rng): Array<{ hour: number; weekday: number }> {
  const slots: Array<{ hour: number; weekday: number }> = [];
  for (let day = 0; day < 14; day++) {
    const weekday = day % 7;
    for (const t of dayTrips(driver, 0, weekday, rng.fork(`slot:${day}`))) {
      slots.push({ hour: (((t.departMs / 3_600_000) % 24) + 24) % 24, weekday });
    }
  }
  return slots.length > 0 ? slots : [{ hour: 12, weekday: 3 }];
}

export function summarizeDriving(
  driver: Driver,
  routePool: readonly RoutePath[],
  rng: Rng,
  opts: SummaryOptions = {},
): DrivingSummary {
  const n = opts.trips ?? 6;
  const slots = departureSlots(driver, rng.fork('slots'));
  let km = 0;
  let movingS = 0;
  let hb = 0;
  let ha = 0;
  let hc = 0;
  let overS = 0;
  let phoneS = 0;
  let nightKm = 0;
  for (let k = 0; k < n; k++) {
    const tr = rng.fork(`trip:${k}`);
    const route = routePool[tr.int(routePool.length)]!;
    const slot = tr.pick(slots);
    const sim = simulateTrip(driver, route, 0, `${driver.driverId}-s${k}`, tr, {
      localHour: slot.hour,
      weekday: slot.weekday,
    });
    const tripKm = sim.truth.distanceM / 1000;
    km += tripKm;
    if (isNight(slot.hour)) nightKm += tripKm;
    movingS += (sim.truth.moveEndMs - sim.truth.moveStartMs) / 1000;
    overS += secondsOverThreshold(sim.trace, sim.track);
    for (const h of sim.truth.harshEvents) {
      if (h.kind === 'harsh_braking') hb++;
      else if (h.kind === 'harsh_acceleration') ha++;
      else hc++;
    }
    for (const p of sim.truth.phoneUse) {
      if (p.kind === 'screen' || (p.kind === 'call' && !p.handsFree)) phoneS += (p.endMs - p.startMs) / 1000;
    }
  }
  const per100 = km > 0 ? 100 / km : 0;
  const hours = movingS / 3600;
  return {
    sampledTrips: n,
    sampledKm: round(km, 2),
    sampledHours: round(hours, 3),
    harshBrakingPer100Km: round(hb * per100, 3),
    harshAccelerationPer100Km: round(ha * per100, 3),
    harshCorneringPer100Km: round(hc * per100, 3),
    speedingShare: movingS > 0 ? round(overS / movingS, 4) : 0,
    phoneMinPerHour: hours > 0 ? round(phoneS / 60 / hours, 3) : 0,
    nightShare: km > 0 ? round(nightKm / km, 4) : 0,
    meanSpeedKmh: hours > 0 ? round(km / hours, 1) : 0,
  };
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
