// Trip context features from a trip's trace and whatever context sources are loaded: the share of driving
// time on wet or snowy roads (weather), in the dark (sun position), and the trip's exposure to risky areas.
// Each part reports { available: false, reason } instead of guessing when its data is missing.
import { haversineM } from '../domain/units.ts';
import type { AreaRiskTable } from './area-risk.ts';
import { CIVIL_DARK_DEG, solarElevationDeg } from './sun.ts';
import { type WeatherProvider, WeatherTable, isSnowy, isWet } from './weather.ts';

export interface TracePoint {
  t: number;
  lat: number;
  lon: number;
}

export interface ContextSources {
  weather?: WeatherTable | null;
  areaRisk?: AreaRiskTable | null;
}

export interface ContextOptions {
  /** Intervals between fixes longer than this are not driving time (default 120 s). */
  maxIntervalS?: number;
  /** Sun elevation below which it is dark (default −6°, civil dusk). */
  darkBelowDeg?: number;
  /** Least share of driving time with weather data for the weather shares to count (default 0.5). */
  minWeatherCoverage?: number;
}

export type Unavailable = { available: false; reason: string };

export type WeatherContext =
  | {
      available: true;
      wetShare: number;
      snowShare: number;
      coverageShare: number;
      meanTemperatureC: number | null;
    }
  | Unavailable;

export type AreaRiskContext =
  | {
      available: true;
      /** Distance-weighted mean incidents per km² of the H3 cells driven through. */
      exposurePerKm2: number;
      /** exposurePerKm2 relative to the table's mean (1 = average area). */
      index: number;
    }
  | Unavailable;

export type TripContext =
  | {
      available: true;
      durationS: number;
      darkShare: number;
      weather: WeatherContext;
      areaRisk: AreaRiskContext;
    }
  | Unavailable;

/** The flat features the risk model takes (null where a source is not loaded). */
export interface TripContextFeatures {
  wetShare: number | null;
  snowShare: number | null;
  darkShare: number | null;
  areaRiskExposure: number | null;
}

export function tripContext(
  trace: readonly TracePoint[],
  sources: ContextSources,
  opts: ContextOptions = {},
): TripContext {
  const maxMs = (opts.maxIntervalS ?? 120) * 1000;
  const darkBelow = opts.darkBelowDeg ?? CIVIL_DARK_DEG;
  let total = 0;
  let dark = 0;
  let covered = 0;
  let wet = 0;
  let snow = 0;
  let tempSum = 0;
  let tempW = 0;
  let distSum = 0;
  let riskSum = 0;
  for (let i = 1; i < trace.length; i++) {
    const a = trace[i - 1]!;
    const b = trace[i]!;
    const dtMs = b.t - a.t;
    if (!(dtMs > 0) || dtMs > maxMs) continue;
    // Each interval is judged at its midpoint.
    const t = a.t + dtMs / 2;
    const lat = (a.lat + b.lat) / 2;
    const lon = (a.lon + b.lon) / 2;
    total += dtMs;
    if (solarElevationDeg(t, lat, lon) < darkBelow) dark += dtMs;
    const w = sources.weather?.lookup(lat, lon, t);
    if (w) {
      covered += dtMs;
      if (isWet(w)) wet += dtMs;
      if (isSnowy(w)) snow += dtMs;
      if (w.temperatureC !== null) {
        tempSum += w.temperatureC * dtMs;
        tempW += dtMs;
      }
    }
    if (sources.areaRisk) {
      const d = haversineM(a.lat, a.lon, b.lat, b.lon);
      distSum += d;
      riskSum += d * sources.areaRisk.perKm2At(lat, lon);
    }
  }
  if (total === 0)
    return { available: false, reason: 'trace has no driving intervals (fewer than two usable fixes)' };
  return {
    available: true,
    durationS: total / 1000,
    darkShare: dark / total,
    weather: weatherPart(sources.weather, total, covered, wet, snow, tempW ? tempSum / tempW : null, opts),
    areaRisk: areaPart(sources.areaRisk, distSum, riskSum),
  };
}

function weatherPart(
  table: WeatherTable | null | undefined,
  total: number,
  covered: number,
  wet: number,
  snow: number,
  meanTemperatureC: number | null,
  opts: ContextOptions,
): WeatherContext {
  if (!table || table.size === 0) return { available: false, reason: 'no weather data loaded' };
  const coverageShare = covered / total;
  if (coverageShare < (opts.minWeatherCoverage ?? 0.5))
    return {
      available: false,
      reason: `weather covers ${(coverageShare * 100).toFixed(0)}% of the trip's time and place`,
    };
  return {
    available: true,
    wetShare: wet / covered,
    snowShare: snow / covered,
    coverageShare,
    meanTemperatureC,
  };
}

function areaPart(
  table: AreaRiskTable | null | undefined,
  distSum: number,
  riskSum: number,
): AreaRiskContext {
  if (!table || table.cells.size === 0) return { available: false, reason: 'no area risk data loaded' };
  if (distSum === 0) return { available: false, reason: 'the trip did not move' };
  const exposurePerKm2 = riskSum / distSum;
  return {
    available: true,
    exposurePerKm2,
    index: table.meanPerKm2 > 0 ? exposurePerKm2 / table.meanPerKm2 : 0,
  };
}

export function contextFeatures(ctx: TripContext): TripContextFeatures {
  if (!ctx.available) return { wetShare: null, snowShare: null, darkShare: null, areaRiskExposure: null };
  return {
    wetShare: ctx.weather.available ? ctx.weather.wetShare : null,
    snowShare: ctx.weather.available ? ctx.weather.snowShare : null,
    darkShare: ctx.darkShare,
    areaRiskExposure: ctx.areaRisk.available ? ctx.areaRisk.exposurePerKm2 : null,
  };
}

/** Fetches the hourly weather around a trip (its centre, its days) through a provider. */
export async function weatherForTrip(provider: WeatherProvider, trace: readonly TracePoint[]) {
  if (trace.length === 0)
    return { ok: false as const, error: { code: 'empty_trace', message: 'trace is empty' } };
  let lat = 0;
  let lon = 0;
  for (const p of trace) {
    lat += p.lat;
    lon += p.lon;
  }
  const res = await provider.hourly({
    lat: lat / trace.length,
    lon: lon / trace.length,
    startMs: trace[0]!.t,
    endMs: trace[trace.length - 1]!.t,
  });
  return res.ok ? { ok: true as const, value: new WeatherTable(res.value) } : res;
}
