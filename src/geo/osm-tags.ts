// Which OSM ways are drivable roads, their class and their direction of travel.
import type { RoadClass } from './types.ts';

const ROAD_CLASSES: ReadonlySet<string> = new Set<RoadClass>([
  'motorway',
  'trunk',
  'primary',
  'secondary',
  'tertiary',
  'unclassified',
  'residential',
  'living_street',
  'service',
  'motorway_link',
  'trunk_link',
  'primary_link',
  'secondary_link',
  'tertiary_link',
]);

/** Values that close a road to ordinary cars (access / motor_vehicle / motorcar). */
const CLOSED = new Set(['no', 'private', 'agricultural', 'forestry', 'delivery', 'emergency', 'military']);
const OPEN = new Set(['yes', 'permissive', 'designated', 'destination', 'customers']);

/** Service roads that are not for general traffic. */
const CLOSED_SERVICE = new Set(['emergency_access']);

export function roadClassOf(tags: Readonly<Record<string, string>>): RoadClass | null {
  const hw = tags['highway'];
  return hw !== undefined && ROAD_CLASSES.has(hw) ? (hw as RoadClass) : null;
}

/**
 * A drivable road: one of our road classes (so no track, path, footway, cycleway, pedestrian, construction),
 * not an area, open to cars. The most specific access key wins (motorcar > motor_vehicle > vehicle > access).
 */
export function isDrivable(tags: Readonly<Record<string, string>>): boolean {
  if (!roadClassOf(tags)) return false;
  if (tags['area'] === 'yes') return false;
  if (tags['service'] && CLOSED_SERVICE.has(tags['service'])) return false;
  for (const key of ['motorcar', 'motor_vehicle', 'vehicle', 'access']) {
    const v = tags[key];
    if (v === undefined) continue;
    if (OPEN.has(v)) return true;
    if (CLOSED.has(v)) return false;
  }
  return true;
}

/** Direction of travel along the way's node order: 1 forward only, -1 backward only, 0 both. */
export type OnewayDirection = 1 | -1 | 0;

export function onewayOf(tags: Readonly<Record<string, string>>): OnewayDirection {
  const v = tags['oneway'];
  if (v === 'yes' || v === '1' || v === 'true') return 1;
  if (v === '-1' || v === 'reverse') return -1;
  if (v === 'no' || v === 'false' || v === '0') return 0;
  // Implied oneway (OSM wiki Key:oneway): roundabouts and motorways, unless tagged otherwise above.
  const junction = tags['junction'];
  if (junction === 'roundabout' || junction === 'circular') return 1;
  const hw = tags['highway'];
  if (hw === 'motorway' || hw === 'motorway_link') return 1;
  // 'reversible' / 'alternating' roads are open both ways at some time: treated as two-way.
  return 0;
}
