// A driver's week: commutes on working days (or night shifts), errands to favourite places, weekend
// outings. Times are local (the fleet's time zone); each day draws from its own random stream.
import type { Place } from './planner.ts';
import type { Driver } from './population.ts';
import type { Rng } from './rng.ts';

export type TripPurpose = 'commute' | 'return' | 'errand' | 'leisure';

export interface PlannedTrip {
  departMs: number;
  from: Place;
  to: Place;
  purpose: TripPurpose;
}

const HOUR_MS = 3_600_000;

/** Offset of a time zone from UTC at an instant, minutes (e.g. +60 for Europe/Andorra in winter). */
export function tzOffsetMin(timeZone: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/** Epoch ms of local midnight starting day `dayIndex` after the local date `startDate` (YYYY-MM-DD). */
export function localMidnightMs(startDate: string, dayIndex: number, timeZone: string): number {
  const [y, m, d] = startDate.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d + dayIndex);
  // The offset at local noon of that day is the day's offset (DST switches happen at night).
  const off = tzOffsetMin(timeZone, utcMidnight + 12 * HOUR_MS);
  return utcMidnight - off * 60_000;
}

/** Trips the driver plans for one local day (0 = Sunday … 6 = Saturday), in departure order. */
export function dayTrips(driver: Driver, midnightMs: number, weekday: number, rng: Rng): PlannedTrip[] {
  const trips: PlannedTrip[] = [];
  const at = (hour: number): number => midnightMs + Math.round(hour * HOUR_MS);
  const weekend = weekday === 0 || weekday === 6;
  const home = driver.home;
  const roundTrip = (to: Place, departHour: number, stayH: number, purpose: TripPurpose): void => {
    trips.push({ departMs: at(departHour), from: home, to, purpose });
    trips.push({ departMs: at(departHour + stayH), from: to, to: home, purpose: 'return' });
  };
  const errand = (fromHour: number, toHour: number): void => {
    const to = rng.pick(driver.favourites);
    if (to.nodeId !== home.nodeId)
      roundTrip(to, rng.uniform(fromHour, toHour), rng.uniform(0.3, 1.5), 'errand');
  };

  if (driver.schedule === 'commuter' && !weekend && driver.work && rng.bool(0.92)) {
    const go = driver.departHour + rng.normal(0, 0.25);
    roundTrip(driver.work, go, driver.workHours + rng.normal(0, 0.4), 'commute');
    if (rng.bool(0.35)) errand(18.5, 20.5);
  } else if (
    driver.schedule === 'night_shift' &&
    weekday >= 1 &&
    weekday <= 5 &&
    driver.work &&
    rng.bool(0.92)
  ) {
    const go = driver.departHour + rng.normal(0, 0.25);
    roundTrip(driver.work, go, driver.workHours + rng.normal(0, 0.3), 'commute');
    if (rng.bool(0.3)) errand(14, 17);
  } else if (driver.schedule === 'homebody' && !weekend) {
    const n = rng.poisson(1.2);
    for (let k = 0; k < n; k++) errand(9 + k * 2.5, 11 + k * 2.5);
  } else if (weekend) {
    const n = rng.poisson(driver.schedule === 'homebody' ? 0.8 : 1.0);
    for (let k = 0; k < n; k++) errand(9.5 + k * 3, 11.5 + k * 3);
    if (rng.bool(0.3)) {
      const far = rng.pick(driver.favourites.slice(-1));
      roundTrip(far, rng.uniform(10, 15), rng.uniform(1, 5), 'leisure');
    }
  }
  // Friday and Saturday nights out, mostly for younger drivers.
  if (
    (weekday === 5 || weekday === 6) &&
    rng.bool(driver.ageYears < 30 ? 0.3 : driver.ageYears < 50 ? 0.1 : 0.03)
  ) {
    roundTrip(rng.pick(driver.favourites), rng.uniform(21.5, 23.5), rng.uniform(2, 4), 'leisure');
  }
  return trips.sort((a, b) => a.departMs - b.departMs);
}
