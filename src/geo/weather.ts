// Hourly weather for trip context: one record type, a lookup table by place and hour, and two sources —
// the Open-Meteo historical (archive) API's JSON through an injected fetch, and an offline CSV import.
import { type Result, err, ok } from '../domain/result.ts';
import { haversineM } from '../domain/units.ts';

export interface WeatherHour {
  /** Start of the hour, epoch ms UTC. */
  startMs: number;
  lat: number;
  lon: number;
  temperatureC: number | null;
  /** Total precipitation (rain + showers + snow water equivalent) in the preceding hour, mm. */
  precipitationMm: number | null;
  rainMm: number | null;
  snowfallCm: number | null;
  /** WMO weather interpretation code. */
  weatherCode: number | null;
  isDay: boolean | null;
}

const HOUR_MS = 3_600_000;
/** WMO codes for snow fall, snow grains and snow showers. */
const SNOW_CODES = new Set([71, 73, 75, 77, 85, 86]);
/** 0.1 mm/h is the smallest amount that wets a road surface and the resolution of most gauges. */
export const WET_MIN_MM = 0.1;

export const isWet = (h: WeatherHour): boolean =>
  (h.precipitationMm ?? 0) >= WET_MIN_MM || (h.rainMm ?? 0) >= WET_MIN_MM;
export const isSnowy = (h: WeatherHour): boolean =>
  (h.snowfallCm ?? 0) > 0 || (h.weatherCode !== null && SNOW_CODES.has(h.weatherCode));

/** Weather by place and hour: the nearest place within maxDistanceKm that has the requested hour. */
export class WeatherTable {
  private readonly places: Array<{ lat: number; lon: number; hours: Map<number, WeatherHour> }> = [];

  constructor(
    hours: readonly WeatherHour[],
    readonly maxDistanceKm = 30,
  ) {
    const byKey = new Map<string, { lat: number; lon: number; hours: Map<number, WeatherHour> }>();
    for (const h of hours) {
      const key = `${h.lat.toFixed(4)},${h.lon.toFixed(4)}`;
      let place = byKey.get(key);
      if (!place) {
        place = { lat: h.lat, lon: h.lon, hours: new Map() };
        byKey.set(key, place);
        this.places.push(place);
      }
      place.hours.set(Math.floor(h.startMs / HOUR_MS), h);
    }
  }

  get size(): number {
    return this.places.reduce((n, p) => n + p.hours.size, 0);
  }

  lookup(lat: number, lon: number, tMs: number): WeatherHour | null {
    const hour = Math.floor(tMs / HOUR_MS);
    let best: WeatherHour | null = null;
    let bestM = this.maxDistanceKm * 1000;
    for (const p of this.places) {
      const h = p.hours.get(hour);
      if (!h) continue;
      const d = haversineM(lat, lon, p.lat, p.lon);
      if (d <= bestM) {
        bestM = d;
        best = h;
      }
    }
    return best;
  }
}

// ---- Open-Meteo archive API -------------------------------------------------------------------------

export const OPEN_METEO_ARCHIVE_URL = 'https://archive-api.open-meteo.com/v1/archive';
const HOURLY_VARS = [
  'temperature_2m',
  'precipitation',
  'rain',
  'snowfall',
  'weather_code',
  'is_day',
] as const;

export interface WeatherQuery {
  lat: number;
  lon: number;
  startMs: number;
  endMs: number;
}

export interface WeatherProvider {
  hourly(q: WeatherQuery): Promise<Result<WeatherHour[]>>;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The archive request for a place and period, hourly variables in UTC. */
export function openMeteoArchiveUrl(q: WeatherQuery, baseUrl = OPEN_METEO_ARCHIVE_URL): string {
  const p = new URLSearchParams({
    latitude: q.lat.toFixed(4),
    longitude: q.lon.toFixed(4),
    start_date: day(q.startMs),
    end_date: day(q.endMs),
    hourly: HOURLY_VARS.join(','),
    timezone: 'GMT',
  });
  return `${baseUrl}?${p.toString()}`;
}

/** An adapter over any JSON fetcher (so tests feed recorded responses and no HTTP happens there). */
export function openMeteoArchiveProvider(
  fetchJson: (url: string) => Promise<unknown>,
  baseUrl = OPEN_METEO_ARCHIVE_URL,
): WeatherProvider {
  return {
    async hourly(q) {
      let body: unknown;
      try {
        body = await fetchJson(openMeteoArchiveUrl(q, baseUrl));
      } catch (e) {
        return err('weather_unreachable', `Open-Meteo request failed: ${(e as Error).message}`);
      }
      return parseOpenMeteo(body);
    },
  };
}

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Parses an Open-Meteo forecast/archive response with `hourly` arrays (ISO times or `timeformat=unixtime`). */
export function parseOpenMeteo(body: unknown): Result<WeatherHour[]> {
  const b = body as {
    latitude?: unknown;
    longitude?: unknown;
    utc_offset_seconds?: unknown;
    hourly?: Record<string, unknown>;
    error?: unknown;
    reason?: unknown;
  };
  if (!b || typeof b !== 'object') return err('weather_invalid', 'Open-Meteo response is not a JSON object');
  if (b.error === true) return err('weather_error', `Open-Meteo error: ${String(b.reason ?? 'unknown')}`);
  const lat = numOrNull(b.latitude);
  const lon = numOrNull(b.longitude);
  if (lat === null || lon === null) return err('weather_invalid', 'latitude/longitude missing', 'latitude');
  const hourly = b.hourly;
  if (!hourly || !Array.isArray(hourly['time']))
    return err('weather_invalid', 'hourly.time missing', 'hourly.time');
  const time = hourly['time'] as unknown[];
  const col = (name: string): unknown[] | null => {
    const c = hourly[name];
    return Array.isArray(c) && c.length === time.length ? c : null;
  };
  for (const name of HOURLY_VARS) {
    if (hourly[name] !== undefined && !col(name))
      return err(
        'weather_invalid',
        `hourly.${name} must be an array as long as hourly.time`,
        `hourly.${name}`,
      );
  }
  const offsetMs = (numOrNull(b.utc_offset_seconds) ?? 0) * 1000;
  const out: WeatherHour[] = [];
  for (let i = 0; i < time.length; i++) {
    const t = time[i];
    const startMs =
      typeof t === 'number' ? t * 1000 : typeof t === 'string' ? Date.parse(`${t}Z`) - offsetMs : Number.NaN;
    if (!Number.isFinite(startMs))
      return err('weather_invalid', `hourly.time[${i}] is not a time`, 'hourly.time');
    const isDay = numOrNull(col('is_day')?.[i]);
    out.push({
      startMs,
      lat,
      lon,
      temperatureC: numOrNull(col('temperature_2m')?.[i]),
      precipitationMm: numOrNull(col('precipitation')?.[i]),
      rainMm: numOrNull(col('rain')?.[i]),
      snowfallCm: numOrNull(col('snowfall')?.[i]),
      weatherCode: numOrNull(col('weather_code')?.[i]),
      isDay: isDay === null ? null : isDay === 1,
    });
  }
  return ok(out);
}
