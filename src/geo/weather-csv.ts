// Offline hourly weather import: a CSV with a header naming at least time,lat,lon and any of
// precipitation_mm, snowfall_cm, temperature_c, rain_mm, weather_code, is_day. Time is ISO 8601 (UTC when it
// has no offset) or epoch milliseconds. Errors name the line and column; nothing is half-imported.
import { type Result, err, ok } from '../domain/result.ts';
import type { WeatherHour } from './weather.ts';

const REQUIRED = ['time', 'lat', 'lon'] as const;
const OPTIONAL = [
  'precipitation_mm',
  'snowfall_cm',
  'temperature_c',
  'rain_mm',
  'weather_code',
  'is_day',
] as const;

function parseTime(raw: string): number {
  if (/^\d{10,}$/.test(raw)) return Number(raw);
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(raw);
  return Date.parse(hasZone ? raw : `${raw}Z`);
}

export function parseWeatherCsv(text: string): Result<WeatherHour[]> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = lines[0]?.split(',').map((h) => h.trim().toLowerCase());
  if (!header) return err('csv_empty', 'weather CSV is empty');
  const idx = (name: string): number => header.indexOf(name);
  for (const r of REQUIRED) if (idx(r) < 0) return err('csv_header', `weather CSV needs a '${r}' column`, r);
  if (!OPTIONAL.some((c) => idx(c) >= 0))
    return err('csv_header', `weather CSV needs at least one of ${OPTIONAL.join(', ')}`);
  const out: WeatherHour[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',').map((c) => c.trim());
    const lineNo = i + 1;
    const num = (name: string): number | null | 'bad' => {
      const k = idx(name);
      if (k < 0 || cells[k] === undefined || cells[k] === '') return null;
      const v = Number(cells[k]);
      return Number.isFinite(v) ? v : 'bad';
    };
    const startMs = parseTime(cells[idx('time')] ?? '');
    if (!Number.isFinite(startMs)) return err('csv_value', `line ${lineNo}: time is not a date`, 'time');
    const row: Record<string, number | null> = {};
    for (const name of ['lat', 'lon', ...OPTIONAL]) {
      const v = num(name);
      if (v === 'bad') return err('csv_value', `line ${lineNo}: ${name} is not a number`, name);
      row[name] = v;
    }
    const lat = row['lat'];
    const lon = row['lon'];
    if (lat == null || lon == null || Math.abs(lat) > 90 || Math.abs(lon) > 180)
      return err('csv_value', `line ${lineNo}: lat/lon missing or out of range`, 'lat');
    out.push({
      startMs: Math.floor(startMs / 3_600_000) * 3_600_000,
      lat,
      lon,
      temperatureC: row['temperature_c'] ?? null,
      precipitationMm: row['precipitation_mm'] ?? null,
      rainMm: row['rain_mm'] ?? null,
      snowfallCm: row['snowfall_cm'] ?? null,
      weatherCode: row['weather_code'] ?? null,
      isDay: row['is_day'] == null ? null : row['is_day'] === 1,
    });
  }
  return ok(out);
}
