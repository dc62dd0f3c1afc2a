// Shapes of the pricing, dispute and crash-check answers (src/api/v1/routes/pricing.ts, disputes.ts).
export interface ScoreData {
  driverId: string;
  safetyScore:
    | { score: number; relativity: number; reason: null }
    | { score: null; relativity: null; reason: string };
  pricingFactor: { factor: number; credibility: number; relativity: number; planKey: string } | null;
  exposureKm: number;
  minDistanceKm: number;
  trend: Array<{ date: string; score: number | null; exposureKm: number }>;
}

export interface QuoteData {
  id: string;
  driverId: string;
  policyId: string;
  plan: { id: string; version: number };
  model: { name: string | null; version: number | null };
  currency: string;
  distanceUnit: string;
  premiumCents: number;
  ratedPremiumCents: number;
  nonTelematicsPremiumCents: number;
  savingsCents: number;
  telematicsFactor: number;
  credibility: number;
  projectedMonthlyKm: number;
  contributions: Array<{
    key: string;
    kind: string;
    label: string;
    factor: number;
    level: string | null;
    levelLabel: string | null;
    cents: number;
  }>;
  behaviour: Array<{ key: string; cents: number }>;
  reasons: Array<{ key: string; cents: number; text: string }>;
  change: {
    fromCents: number;
    toCents: number;
    changeCents: number;
    reasons: Array<{ key?: string; cents?: number; text: string }>;
  } | null;
  safetyScore: { score: number | null; reason: string | null };
  reason: string;
  createdAtMs: number;
}

export interface QuoteHistoryItem {
  id: string;
  currency: string;
  premiumCents: number;
  nonTelematicsPremiumCents: number;
  safetyScore: number | null;
  changeCents: number | null;
  reasons: string[];
  reason: string;
  createdAtMs: number;
}

export type BehaviourKey =
  | 'harshBrakingPer100Km'
  | 'harshAccelerationPer100Km'
  | 'harshCorneringPer100Km'
  | 'speedingShare'
  | 'phoneUseSecPerHour'
  | 'nightShare';

export type WhatIfChange =
  | { kind: 'scale'; behaviour: BehaviourKey; factor: number }
  | { kind: 'distance'; monthlyKmDelta: number };

export interface WhatIfData {
  currency: string;
  currentPremiumCents: number;
  items: Array<{
    label: string;
    currentPremiumCents: number;
    premiumCents: number;
    deltaCents: number;
    text: string;
  }>;
}

export type DisputeReason =
  | 'passenger'
  | 'not_me'
  | 'public_transport'
  | 'wrong_speed_limit'
  | 'evasive_manoeuvre';

export interface Dispute {
  id: string;
  driverId: string;
  tripId: string;
  eventId: string | null;
  reason: DisputeReason;
  comment: string | null;
  status: 'open' | 'accepted' | 'rejected';
  reviewerId: string | null;
  reviewNote: string | null;
  createdAtMs: number;
  resolvedAtMs: number | null;
}

export interface CrashCandidate {
  eventId: string;
  tripId: string;
  severity: string;
  atMs: number;
  peakMps2: number | null;
  lat: number | null;
  lon: number | null;
  response: 'ok' | 'need_help' | 'not_crash' | null;
  answeredAtMs: number | null;
}

export const TRIP_REASONS: Array<[DisputeReason, string]> = [
  ['passenger', 'I was a passenger'],
  ['not_me', 'Someone else was driving'],
  ['public_transport', 'I was on public transport'],
];
/** Event reasons and the event kinds each can be about (src/services/disputes.ts). */
export const EVENT_REASONS: Array<[DisputeReason, string, readonly string[]]> = [
  ['wrong_speed_limit', 'The speed limit was wrong', ['speeding']],
  [
    'evasive_manoeuvre',
    'I had to avoid a hazard',
    ['harsh_braking', 'harsh_acceleration', 'harsh_cornering', 'harsh_lane_change'],
  ],
];

export const reasonLabel = (r: string): string =>
  TRIP_REASONS.find(([k]) => k === r)?.[1] ?? EVENT_REASONS.find(([k]) => k === r)?.[1] ?? r;
