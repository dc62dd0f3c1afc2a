// The driving behaviours the pricing engine understands, with how to weight, display and sweep them.
// Every behaviour is "higher is worse": that is the direction the monotonicity report checks.

export const BEHAVIOUR_KEYS = [
  'harshBrakingPer100Km',
  'harshAccelerationPer100Km',
  'harshCorneringPer100Km',
  'speedingShare',
  'phoneUseSecPerHour',
  'nightShare',
] as const;

export type BehaviourKey = (typeof BEHAVIOUR_KEYS)[number];

/** A driver's behaviour rates, already smoothed over the rating window (see smoothing.ts). */
export type BehaviourProfile = { readonly [K in BehaviourKey]: number };

export interface BehaviourInfo {
  key: BehaviourKey;
  /** Plain-language name used in reasons. */
  label: string;
  kind: 'per100Km' | 'share' | 'secPerHour';
  /** How trip values are averaged: per-distance rates by distance, per-hour rates by driving time. */
  weightBy: 'distance' | 'duration';
  /** Upper end of the monotonicity sweep grid (the lower end is 0). */
  sweepMax: number;
}

export const BEHAVIOURS: readonly BehaviourInfo[] = [
  {
    key: 'harshBrakingPer100Km',
    label: 'Harsh braking',
    kind: 'per100Km',
    weightBy: 'distance',
    sweepMax: 20,
  },
  {
    key: 'harshAccelerationPer100Km',
    label: 'Harsh acceleration',
    kind: 'per100Km',
    weightBy: 'distance',
    sweepMax: 20,
  },
  {
    key: 'harshCorneringPer100Km',
    label: 'Harsh cornering',
    kind: 'per100Km',
    weightBy: 'distance',
    sweepMax: 20,
  },
  { key: 'speedingShare', label: 'Speeding', kind: 'share', weightBy: 'distance', sweepMax: 1 },
  { key: 'phoneUseSecPerHour', label: 'Phone use', kind: 'secPerHour', weightBy: 'duration', sweepMax: 900 },
  { key: 'nightShare', label: 'Night driving', kind: 'share', weightBy: 'distance', sweepMax: 1 },
];

export const BEHAVIOUR_INFO: Readonly<Record<BehaviourKey, BehaviourInfo>> = Object.fromEntries(
  BEHAVIOURS.map((b) => [b.key, b]),
) as Record<BehaviourKey, BehaviourInfo>;

const KM_PER_MILE = 1.609344;

/**
 * Formats a behaviour value for a driver, in the plan's distance unit:
 * "4.1 per 100 km", "6.6 per 100 mi", "12% of distance", "45 s per hour".
 */
export function formatBehaviour(key: BehaviourKey, value: number, unit: 'km' | 'mile'): string {
  const info = BEHAVIOUR_INFO[key];
  if (info.kind === 'per100Km') {
    return unit === 'km'
      ? `${value.toFixed(1)} per 100 km`
      : `${(value * KM_PER_MILE).toFixed(1)} per 100 mi`;
  }
  if (info.kind === 'share') return `${Math.round(value * 100)}% of distance`;
  return `${Math.round(value)} s per hour`;
}

/** Short form of a behaviour value without its unit, for the "vs typical" part of a reason. */
export function formatBehaviourValue(key: BehaviourKey, value: number, unit: 'km' | 'mile'): string {
  const info = BEHAVIOUR_INFO[key];
  if (info.kind === 'per100Km') return (unit === 'km' ? value : value * KM_PER_MILE).toFixed(1);
  if (info.kind === 'share') return `${Math.round(value * 100)}%`;
  return `${Math.round(value)} s`;
}
