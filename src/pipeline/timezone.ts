// Local time for night and rush-hour rules. Intl is slow, so UTC offsets are cached per 15-minute bucket
// (every tz offset and transition falls on a quarter hour).
const BUCKET_MS = 15 * 60_000;
const MAX_ENTRIES = 50_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** UTC offset of the zone at that instant, ms (local = utc + offset). */
export function utcOffsetMs(tz: string, tMs: number): number {
  const bucket = Math.floor(tMs / BUCKET_MS);
  let cache = offsets.get(tz);
  if (!cache) {
    cache = new Map();
    offsets.set(tz, cache);
  }
  const hit = cache.get(bucket);
  if (hit !== undefined) return hit;
  const at = bucket * BUCKET_MS;
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(at))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
  const off = local - at;
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(bucket, off);
  return off;
}

/** Local hour (fractional, 0–24) and weekday (0 = Sunday). */
export function localTime(tz: string, tMs: number): { hour: number; weekday: number } {
  const d = new Date(tMs + utcOffsetMs(tz, tMs));
  return {
    hour: d.getUTCHours() + d.getUTCMinutes() / 60 + d.getUTCSeconds() / 3600,
    weekday: d.getUTCDay(),
  };
}

export function isNight(hour: number, startHour: number, endHour: number): boolean {
  return startHour <= endHour ? hour >= startHour && hour < endHour : hour >= startHour || hour < endHour;
}

export function isRushHour(
  hour: number,
  weekday: number,
  windows: readonly (readonly [number, number])[],
): boolean {
  if (weekday === 0 || weekday === 6) return false;
  for (const [a, b] of windows) if (hour >= a && hour < b) return true;
  return false;
}
