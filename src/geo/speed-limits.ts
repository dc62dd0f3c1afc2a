// Posted speed limits: the `maxspeed` tag where mapped, otherwise the country's legal default for the road.
// Defaults follow the OpenStreetMap wiki page "Default speed limits" (as machine-read by westnordost's
// osm-legal-default-speeds, wiki revision 2413111, 2022-10-03), which cites each country's traffic code;
// see docs/geo.md for the table and the legal sources.
import type { RoadClass, SpeedLimitSource } from './types.ts';

const MPH_KMH = 1.609344;
const KNOT_KMH = 1.852;
/** "walk" (walking pace, e.g. German/Austrian living streets): courts read it as roughly 4–7 km/h. */
export const WALK_KMH = 7;
/** maxspeed=none (no legal limit, e.g. parts of German Autobahn). A number so comparisons stay simple. */
export const UNLIMITED_KMH = 999;

/** Legal default limits of one country by context, km/h. */
export interface CountryDefaults {
  livingStreet: number;
  urban: number;
  /** Outside built-up areas, ordinary roads. */
  rural: number;
  trunk: number;
  motorway: number;
  /** Per-class exceptions, e.g. Andorra's carreteres generals (primary) at 90 and secundàries at 60. */
  byClass?: Partial<Record<RoadClass, number>>;
  /** Urban roads with two or more lanes each way (Spain: 50 instead of 30). */
  urbanMultiLane?: number;
}

export const COUNTRY_DEFAULTS: Readonly<Record<string, CountryDefaults>> = {
  // Andorra, Codi de circulació: 50 in towns, 60 default, CG roads 90, CS roads 60, living streets 20.
  AD: {
    livingStreet: 20,
    urban: 50,
    rural: 60,
    trunk: 90,
    motorway: 120,
    byClass: { primary: 90, primary_link: 90 },
  },
  // France, Code de la route R413-2/R413-3 (80 on two-way rural roads since 2018), R110-2 (zone de rencontre 20).
  FR: { livingStreet: 20, urban: 50, rural: 80, trunk: 110, motorway: 130 },
  // Spain, Reglamento General de Circulación art. 48/50 as amended by RD 970/2020 (urban 30 on one lane each way).
  ES: { livingStreet: 20, urban: 30, urbanMultiLane: 50, rural: 90, trunk: 120, motorway: 120 },
};

/** Used when the country is unknown: the most common European values. */
export const GENERIC_DEFAULTS: CountryDefaults = {
  livingStreet: 20,
  urban: 50,
  rural: 90,
  trunk: 100,
  motorway: 120,
};

const defaultsFor = (country: string | undefined): CountryDefaults =>
  (country && COUNTRY_DEFAULTS[country.toUpperCase()]) || GENERIC_DEFAULTS;

export type ParsedMaxspeed = { kind: 'limit'; kmh: number } | { kind: 'none' } | { kind: 'unknown' };

const ZONE_RE = /^([A-Z]{2})(?:-[A-Z0-9]+)?:(.+)$/i;

/** Speed of a context code such as `FR:urban`, `DE:zone30`, `AD:rural` in its country's law. */
export function zoneSpeedKmh(code: string): number | null {
  const m = ZONE_RE.exec(code.trim());
  if (!m) return null;
  const d = defaultsFor(m[1]);
  const ctx = m[2]!.toLowerCase();
  const zoneNumber = /^(?:zone:?)?(\d+)$/.exec(ctx);
  if (zoneNumber) return Number(zoneNumber[1]);
  switch (ctx) {
    case 'urban':
      return d.urban;
    case 'rural':
      return d.rural;
    case 'trunk':
    case 'motorroad':
      return d.trunk;
    case 'motorway':
      return d.motorway;
    case 'living_street':
      return d.livingStreet;
    case 'walk':
      return WALK_KMH;
    default:
      return null;
  }
}

/** Parses one `maxspeed` value: numbers (km/h), `N mph`, `N knots`, `N km/h`, zone codes, `walk`, `none`. */
export function parseMaxspeed(raw: string | undefined): ParsedMaxspeed {
  if (raw === undefined) return { kind: 'unknown' };
  // Several values ("50;30") are rare tagging mistakes; the first is the one most editors show.
  const v = raw.split(';')[0]!.trim().toLowerCase();
  if (v === 'none' || v === 'unlimited') return { kind: 'none' };
  if (v === 'walk') return { kind: 'limit', kmh: WALK_KMH };
  const m = /^(\d+(?:\.\d+)?)\s*(mph|knots|kn|km\/h|kmh|kph)?$/.exec(v);
  if (m) {
    const n = Number(m[1]);
    if (!(n > 0)) return { kind: 'unknown' };
    const unit = m[2];
    const kmh = unit === 'mph' ? n * MPH_KMH : unit === 'knots' || unit === 'kn' ? n * KNOT_KMH : n;
    return { kind: 'limit', kmh: Math.round(kmh * 100) / 100 };
  }
  const zone = zoneSpeedKmh(raw.split(';')[0]!);
  return zone === null ? { kind: 'unknown' } : { kind: 'limit', kmh: zone };
}

const URBAN_HINT_KEYS = ['source:maxspeed', 'maxspeed:type', 'zone:maxspeed', 'zone:traffic'];
const SIDEWALK = /^(yes|both|left|right|separate)$/;

/** Whether a way is probably inside a built-up area (tag heuristics of osm-legal-default-speeds). */
export function looksUrban(tags: Readonly<Record<string, string>>): boolean {
  for (const k of URBAN_HINT_KEYS) if (tags[k]?.toLowerCase().endsWith(':urban')) return true;
  if (tags['rural'] === 'no' || tags['lit'] === 'yes') return true;
  return ['sidewalk', 'sidewalk:both', 'sidewalk:left', 'sidewalk:right'].some((k) =>
    SIDEWALK.test(tags[k] ?? ''),
  );
}

const RURAL_CLASSES = new Set<RoadClass>([
  'primary',
  'secondary',
  'tertiary',
  'unclassified',
  'primary_link',
  'secondary_link',
  'tertiary_link',
]);

/** The legal default for a road of this class and tags in `country` (ISO 3166-1 alpha-2). */
export function defaultSpeedKmh(
  roadClass: RoadClass,
  tags: Readonly<Record<string, string>>,
  country?: string,
): number {
  // A zone code on a side key (source:maxspeed=FR:urban) names the applicable default exactly.
  for (const k of URBAN_HINT_KEYS) {
    const z = tags[k] ? zoneSpeedKmh(tags[k]) : null;
    if (z !== null) return z;
  }
  const d = defaultsFor(country);
  if (roadClass === 'living_street') return d.livingStreet;
  if (roadClass === 'motorway' || roadClass === 'motorway_link') return d.motorway;
  const lanes = Number(tags['lanes'] ?? 0);
  const multiLane = lanes >= 4 || (lanes >= 2 && tags['oneway'] === 'yes');
  const urban = multiLane && d.urbanMultiLane ? d.urbanMultiLane : d.urban;
  if (roadClass === 'residential' || roadClass === 'service') return urban;
  if (looksUrban(tags)) return urban;
  if (roadClass === 'trunk' || roadClass === 'trunk_link') return d.trunk;
  if (RURAL_CLASSES.has(roadClass)) return d.byClass?.[roadClass] ?? d.rural;
  return d.rural;
}

export interface SpeedLimit {
  kmh: number;
  source: SpeedLimitSource;
}

/**
 * The limit of a way. Edges are not split by direction, so when only `maxspeed:forward/backward` are tagged
 * a oneway road takes its travel direction's value and a two-way road the lower (the one safe both ways).
 */
export function speedLimitOf(
  roadClass: RoadClass,
  tags: Readonly<Record<string, string>>,
  oneway: 1 | -1 | 0,
  country?: string,
): SpeedLimit {
  const main = parseMaxspeed(tags['maxspeed']);
  if (main.kind === 'limit') return { kmh: main.kmh, source: 'tagged' };
  if (main.kind === 'none') return { kmh: UNLIMITED_KMH, source: 'tagged' };
  const fwd = parseMaxspeed(tags['maxspeed:forward']);
  const bwd = parseMaxspeed(tags['maxspeed:backward']);
  const kmhOf = (p: ParsedMaxspeed): number | null =>
    p.kind === 'limit' ? p.kmh : p.kind === 'none' ? UNLIMITED_KMH : null;
  const f = kmhOf(fwd);
  const b = kmhOf(bwd);
  const directional =
    oneway === 1 ? f : oneway === -1 ? b : f !== null && b !== null ? Math.min(f, b) : (f ?? b);
  if (directional !== null) return { kmh: directional, source: 'tagged' };
  return { kmh: defaultSpeedKmh(roadClass, tags, country), source: 'default' };
}
