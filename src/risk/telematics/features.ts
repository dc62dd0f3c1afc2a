// The telematics frequency model's inputs, in the pricing engine's units (BehaviourProfile), and how they are
// built: from a simulated portfolio policy (training) and from stored pipeline trips and events (scoring), so
// one model prices both.
import { BEHAVIOUR_KEYS, BEHAVIOURS, type BehaviourKey } from '../../pricing/behaviour.ts';

export const TELEMATICS_MODEL_NAME = 'telematics-frequency';

/** Classic rating factors, as in policies.rating_factors (and src/sim/claims.ts RatingFactors). */
export interface ClassicFactors {
  driverAge: number;
  vehiclePowerKw: number;
  vehicleAgeYears: number;
  /** Territory A–E (A lowest risk). */
  territory: string;
  annualKm: number;
}

export const CLASSIC_KEYS = [
  'driverAge',
  'vehiclePowerKw',
  'vehicleAgeYears',
  'territory',
  'annualKm',
] as const satisfies readonly (keyof ClassicFactors)[];

export type Behaviour = Record<BehaviourKey, number>;

/** One policy of a training portfolio: classic factors, behaviour, exposure and observed claims. */
export interface TelematicsRow extends ClassicFactors, Behaviour {
  exposureYears: number;
  claims: number;
}

/** The parts of src/sim/portfolio.ts's Policy the model reads (kept structural: risk does not import sim). */
export interface PortfolioPolicyLike extends ClassicFactors {
  exposureYears: number;
  telematics: {
    harshBrakingPer100Km: number;
    harshAccelerationPer100Km: number;
    harshCorneringPer100Km: number;
    speedingShare: number;
    phoneMinPerHour: number;
    nightShare: number;
  };
  claims: { count: number };
}

/**
 * A simulated policy as a training row. Units: harsh rates are per 100 km as in the pipeline; speeding is the
 * share of moving time over 1.10 × the limit (the pipeline's speedingShare is the share of limit-known moving
 * time in speeding events: same concept, stricter minimum duration); phone minutes per hour × 60 = seconds per
 * hour; night is the share of distance 22:00–05:00 (the pipeline's is the share of trip time in night hours).
 */
export function policyRow(p: PortfolioPolicyLike): TelematicsRow {
  const t = p.telematics;
  return {
    driverAge: p.driverAge,
    vehiclePowerKw: p.vehiclePowerKw,
    vehicleAgeYears: p.vehicleAgeYears,
    territory: p.territory,
    annualKm: p.annualKm,
    harshBrakingPer100Km: t.harshBrakingPer100Km,
    harshAccelerationPer100Km: t.harshAccelerationPer100Km,
    harshCorneringPer100Km: t.harshCorneringPer100Km,
    speedingShare: t.speedingShare,
    phoneUseSecPerHour: t.phoneMinPerHour * 60,
    nightShare: t.nightShare,
    exposureYears: p.exposureYears,
    claims: p.claims.count,
  };
}

/** A stored event of a trip, as far as behaviour is concerned. */
export interface TripEventLike {
  kind: string;
  durationMs: number;
  voided: boolean;
  /** For phone calls: hands-free calls are not phone use. */
  handsFree?: boolean;
}

/** A stored, counted trip: its times, the pipeline's TripFeatures (trips.features jsonb) and its events. */
export interface StoredTripLike {
  startMs: number;
  endMs: number;
  distanceM: number;
  features: Readonly<Record<string, unknown>>;
  events: readonly TripEventLike[];
}

/** One trip's contribution: behaviour values it can vouch for (a missing key is unknown, not zero). */
export interface TripObservation {
  endMs: number;
  km: number;
  movingHours: number;
  values: Partial<Behaviour>;
}

const HARSH: ReadonlyArray<[BehaviourKey, string]> = [
  ['harshBrakingPer100Km', 'harsh_braking'],
  ['harshAccelerationPer100Km', 'harsh_acceleration'],
  ['harshCorneringPer100Km', 'harsh_cornering'],
];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Share of an event kind's time that still counts (1 when the trip has no such event). */
function keptShare(events: readonly TripEventLike[], kind: string): number {
  let all = 0;
  let kept = 0;
  for (const e of events) {
    if (e.kind !== kind) continue;
    all += e.durationMs;
    if (!e.voided) kept += e.durationMs;
  }
  return all > 0 ? kept / all : 1;
}

/**
 * Behaviour of one stored trip from its features and its non-voided events:
 * - harsh rates: non-voided events of the kind per 100 km of the trip (recounted, so a voided event stops
 *   counting; short trips contribute their counts through distance weighting);
 * - speedingShare: the feature (null without speed limits → unknown), scaled by the share of speeding-event
 *   time that is not voided;
 * - phoneUseSecPerHour: phoneUseMs minus voided phone events (hand-held) per moving hour;
 * - nightShare: the feature, scaled by the non-voided share of night_driving event time.
 */
export function tripObservation(t: StoredTripLike): TripObservation {
  const f = t.features;
  const km = Math.max(0, t.distanceM) / 1000;
  const movingMs = num(f.movingTimeMs) ?? num(f.durationMs) ?? Math.max(0, t.endMs - t.startMs);
  const movingHours = Math.max(0, movingMs) / 3_600_000;
  const values: Partial<Behaviour> = {};
  if (km > 0) {
    for (const [key, kind] of HARSH) {
      let n = 0;
      for (const e of t.events) if (e.kind === kind && !e.voided) n++;
      values[key] = (n * 100) / km;
    }
    const speeding = num(f.speedingShare);
    if (speeding !== null) values.speedingShare = speeding * keptShare(t.events, 'speeding');
    const night = num(f.nightShare);
    if (night !== null) values.nightShare = night * keptShare(t.events, 'night_driving');
  }
  const phoneMs = num(f.phoneUseMs);
  if (phoneMs !== null && movingHours > 0) {
    let voidedMs = 0;
    for (const e of t.events) {
      if (!e.voided) continue;
      if (e.kind === 'phone_distraction' || (e.kind === 'phone_call' && e.handsFree !== true))
        voidedMs += e.durationMs;
    }
    values.phoneUseSecPerHour = Math.max(0, phoneMs - voidedMs) / 1000 / movingHours;
  }
  return { endMs: t.endMs, km, movingHours, values };
}

export interface RollingOptions {
  windowDays: number;
  /** Exponential decay half-life on the trip's end time; null = plain window. */
  halfLifeDays: number | null;
}

/** The pricing engine's default rating window (src/pricing/smoothing.ts smoothingFor without a plan). */
export const DEFAULT_ROLLING: RollingOptions = { windowDays: 90, halfLifeDays: 30 };

export interface RollingBehaviour {
  /** Weighted mean per behaviour; a key no trip could measure is absent. */
  profile: Partial<Behaviour>;
  /** Decay-weighted km: the credibility exposure (as smoothBehaviour's exposureKm). */
  exposureKm: number;
  rawKm: number;
  trips: number;
}

const DAY_MS = 86_400_000;

/**
 * Behaviour over the rating window, weighted as src/pricing/smoothing.ts does (km for per-distance rates and
 * shares, hours for per-hour rates, × 0.5^(age/halfLife)), except that hours are moving hours and a trip that
 * cannot measure a behaviour (no speed limits, no distance) is left out of that behaviour's mean instead of
 * counting as zero.
 */
export function rollingBehaviour(
  trips: readonly TripObservation[],
  asOfMs: number,
  { windowDays, halfLifeDays }: RollingOptions = DEFAULT_ROLLING,
): RollingBehaviour {
  const fromMs = asOfMs - windowDays * DAY_MS;
  const sums = new Map<BehaviourKey, { w: number; s: number }>();
  let exposureKm = 0;
  let rawKm = 0;
  let n = 0;
  for (const t of trips) {
    if (t.endMs <= fromMs || t.endMs > asOfMs) continue;
    const decay = halfLifeDays === null ? 1 : 0.5 ** ((asOfMs - t.endMs) / (halfLifeDays * DAY_MS));
    exposureKm += t.km * decay;
    rawKm += t.km;
    n++;
    for (const b of BEHAVIOURS) {
      const v = t.values[b.key];
      if (v === undefined) continue;
      const w = (b.weightBy === 'distance' ? t.km : t.movingHours) * decay;
      if (!(w > 0)) continue;
      const acc = sums.get(b.key) ?? { w: 0, s: 0 };
      acc.w += w;
      acc.s += w * v;
      sums.set(b.key, acc);
    }
  }
  const profile: Partial<Behaviour> = {};
  for (const [k, { w, s }] of sums) profile[k] = s / w;
  return { profile, exposureKm, rawKm, trips: n };
}

/** Fills behaviours the driver has no measurement of with the reference (neutral) value. */
export function completeProfile(partial: Partial<Behaviour>, reference: Behaviour): Behaviour {
  const out = {} as Behaviour;
  for (const k of BEHAVIOUR_KEYS) out[k] = partial[k] ?? reference[k];
  return out;
}
