// An insurance portfolio: policies with classic rating factors, each driver's driving summarised by the
// fast path (same dynamics, sampled trips, no sensors), and claims drawn from the documented process.
import type { RoutePath } from '../geo/types.ts';
import { type ClaimDraw, drawClaims, type RatingFactors, type Territory } from './claims.ts';
import type { RoutePlanner } from './planner.ts';
import { createDriver } from './population.ts';
import { createRng, type Rng } from './rng.ts';
import type { StyleName } from './styles.ts';
import { type DrivingSummary, summarizeDriving } from './summary.ts';

export interface Policy extends RatingFactors {
  policyId: string;
  driverId: string;
  /** The latent archetype (not observable by an insurer; kept for analysis). */
  style: StyleName;
  exposureYears: number;
  telematics: DrivingSummary;
  claims: ClaimDraw;
}

export interface PortfolioOptions {
  planner: RoutePlanner;
  policies: number;
  seed: string | number;
  /** Routes shared by all drivers' sampled trips (default 300). */
  routePoolSize?: number;
  /** Trips sampled per driver (default 6). */
  tripsPerDriver?: number;
  styleMix?: Readonly<Partial<Record<StyleName, number>>>;
}

/** Random real routes between 1 and 30 km, drawn once and reused by every driver. */
export function buildRoutePool(planner: RoutePlanner, rng: Rng, size: number): RoutePath[] {
  const pool: RoutePath[] = [];
  for (let attempt = 0; pool.length < size && attempt < size * 20; attempt++) {
    const a = planner.randomPlace(rng);
    const b = planner.randomPlace(rng);
    if (a.nodeId === b.nodeId) continue;
    const r = planner.route(a.nodeId, b.nodeId);
    if (r && r.lengthM >= 1000 && r.lengthM <= 30_000) pool.push(r);
  }
  if (pool.length === 0) throw new Error('no routes between 1 and 30 km could be found on this network');
  return pool;
}

function drawAnnualKm(rng: Rng, schedule: string, age: number): number {
  const median = schedule === 'homebody' ? 7000 : schedule === 'night_shift' ? 15_000 : 12_000;
  const youngOld = age < 25 ? 0.9 : age >= 70 ? 0.7 : 1;
  return Math.round(Math.min(60_000, Math.max(500, rng.lognormal(Math.log(median * youngOld), 0.5))));
}

/** Policies one at a time, so 10,000+ drivers never sit in memory as trips. */
export function* generatePortfolio(opts: PortfolioOptions): Generator<Policy> {
  const root = createRng(opts.seed);
  const pool = buildRoutePool(opts.planner, root.fork('routes'), opts.routePoolSize ?? 300);
  for (let i = 0; i < opts.policies; i++) {
    const rng = root.fork(`policy:${i}`);
    const popOpts = opts.styleMix ? { styleMix: opts.styleMix, idPrefix: 'pf' } : { idPrefix: 'pf' };
    const driver = createDriver(i, rng.fork('driver'), opts.planner, popOpts);
    const telematics = summarizeDriving(driver, pool, rng.fork('drive'), { trips: opts.tripsPerDriver ?? 6 });
    const terr = rng.weighted<Territory>({ A: 0.15, B: 0.25, C: 0.3, D: 0.2, E: 0.1 });
    const factors: RatingFactors = {
      driverAge: driver.ageYears,
      vehiclePowerKw: driver.vehicle.powerKw,
      vehicleAgeYears: driver.vehicle.ageYears,
      territory: terr,
      annualKm: drawAnnualKm(rng, driver.schedule, driver.ageYears),
      harshBrakingPer100Km: telematics.harshBrakingPer100Km,
      speedingShare: telematics.speedingShare,
      phoneMinPerHour: telematics.phoneMinPerHour,
      nightShare: telematics.nightShare,
    };
    const exposureYears = rng.bool(0.65) ? 1 : Math.round(rng.uniform(0.08, 1) * 1000) / 1000;
    yield {
      policyId: `pf-${String(i).padStart(6, '0')}`,
      driverId: driver.driverId,
      style: driver.style,
      ...factors,
      exposureYears,
      telematics,
      claims: drawClaims(factors, exposureYears, rng.fork('claims')),
    };
  }
}
