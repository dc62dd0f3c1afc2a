// Each driver's current expected claim frequency: rolling behaviour from counted trips and non-voided events,
// classic factors from the active policy (with documented fallbacks), scored by the tenant's champion
// 'telematics-frequency' model, whose version is recorded. Stored in driver_risk (+ one driver_risk_daily row
// per day) for pricing, the dashboard and trends.
import type { BehaviourProfile, DriverRiskInput, FrequencyModel } from '../pricing/index.ts';
import type { ModelArtifact } from '../risk/artifact.ts';
import {
  type Behaviour,
  type ClassicFactors,
  completeProfile,
  DEFAULT_ROLLING,
  rollingBehaviour,
  TELEMATICS_MODEL_NAME,
  type TelematicsScorer,
  telematicsScorer,
  tripObservation,
} from '../risk/telematics/index.ts';
import type { Queryable } from '../store/index.ts';
import { BEHAVIOUR_KEYS } from '../pricing/index.ts';

export interface DriverRiskRecord extends DriverRiskInput {
  tenantId: string;
  driverId: string;
  /** Champion used; null = no champion (behaviourFrequency = classicFrequency). */
  modelName: string;
  modelVersion: number | null;
  tripsCounted: number;
  distanceKm30d: number;
  updatedAtMs: number;
}

export interface DriverRiskDay {
  date: string;
  behaviourFrequency: number;
  classicFrequency: number;
  exposureKm: number;
}

/**
 * Frequency when the tenant has no champion model: the simulated portfolio's mean (docs/simulator.md §6,
 * 0.080 claims per policy-year). Pricing only uses ratios of frequencies, so a flat level prices neutrally.
 */
export const DEFAULT_FREQUENCY = 0.08;
const DAY_MS = 86_400_000;

export type FactorSource = 'policy' | 'driver' | 'vehicle' | 'driving' | 'model_default';

// Champion artifacts are immutable per (tenant, name, version, created_at): parse each once per process.
const scorers = new Map<string, { version: number; scorer: TelematicsScorer }>();

/** The tenant's champion telematics model, or null. */
export async function championScorer(
  q: Queryable,
  tenantId: string,
): Promise<{ version: number; scorer: TelematicsScorer } | null> {
  const { rows } = await q.query<{ version: number; created_at: Date }>(
    'SELECT version, created_at FROM risk_models WHERE tenant_id = $1 AND name = $2 AND champion',
    [tenantId, TELEMATICS_MODEL_NAME],
  );
  const head = rows[0];
  if (!head) return null;
  const key = `${tenantId}\u0000${head.version}\u0000${head.created_at.getTime()}`;
  const hit = scorers.get(key);
  if (hit) return hit;
  const a = await q.query<{ artifact: ModelArtifact }>(
    'SELECT artifact FROM risk_models WHERE tenant_id = $1 AND name = $2 AND version = $3',
    [tenantId, TELEMATICS_MODEL_NAME, head.version],
  );
  if (!a.rows[0]) return null;
  const entry = { version: head.version, scorer: telematicsScorer(a.rows[0].artifact) };
  if (scorers.size >= 32) scorers.delete(scorers.keys().next().value!);
  scorers.set(key, entry);
  return entry;
}

interface PolicyFacts {
  ratingFactors: Record<string, unknown>;
  birthYear: number | null;
  powerKw: number | null;
  vehicleYear: number | null;
}

async function policyFacts(q: Queryable, tenantId: string, driverId: string, nowMs: number) {
  const day = new Date(nowMs).toISOString().slice(0, 10);
  const { rows } = await q.query<{
    birth_year: number | null;
    rating_factors: Record<string, unknown> | null;
    power_kw: number | null;
    year: number | null;
  }>(
    `SELECT d.birth_year, p.rating_factors, v.power_kw, v.year
       FROM drivers d
       LEFT JOIN LATERAL (
         SELECT rating_factors, vehicle_id FROM policies
          WHERE driver_id = d.id AND tenant_id = d.tenant_id AND status = 'active'
            AND starts_on <= $3::date AND ends_on > $3::date
          ORDER BY starts_on DESC, created_at DESC LIMIT 1) p ON true
       LEFT JOIN LATERAL (
         SELECT power_kw, year FROM vehicles
          WHERE tenant_id = d.tenant_id AND (id = p.vehicle_id OR (p.vehicle_id IS NULL AND driver_id = d.id))
          ORDER BY created_at DESC LIMIT 1) v ON true
      WHERE d.id = $1 AND d.tenant_id = $2`,
    [driverId, tenantId, day],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    ratingFactors: r.rating_factors ?? {},
    birthYear: r.birth_year,
    powerKw: r.power_kw,
    vehicleYear: r.year,
  } satisfies PolicyFacts;
}

const asNumber = (v: unknown): number | null => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};

/**
 * Classic factors: the active policy's rating_factors first; then driverAge = this year − drivers.birth_year,
 * vehiclePowerKw = vehicles.power_kw, vehicleAgeYears = this year − vehicles.year (policy's vehicle, else the
 * driver's newest); annualKm = counted km in the window scaled to a year when ≥ 14 days of driving are
 * observed; anything else is the model's portfolio default (exposure-weighted median, modal territory).
 */
export function resolveClassic(
  facts: PolicyFacts,
  defaults: ClassicFactors,
  nowMs: number,
  driving: { rawKm: number; observedDays: number },
): { factors: ClassicFactors; sources: Record<keyof ClassicFactors, FactorSource> } {
  const rf = facts.ratingFactors;
  const year = new Date(nowMs).getUTCFullYear();
  const pick = (
    key: keyof ClassicFactors,
    fallback: number | null,
    fallbackSource: FactorSource,
  ): [number, FactorSource] => {
    const v = asNumber(rf[key]);
    if (v !== null) return [v, 'policy'];
    if (fallback !== null) return [fallback, fallbackSource];
    return [defaults[key] as number, 'model_default'];
  };
  const [driverAge, sAge] = pick(
    'driverAge',
    facts.birthYear === null ? null : year - facts.birthYear,
    'driver',
  );
  const [vehiclePowerKw, sPow] = pick('vehiclePowerKw', facts.powerKw, 'vehicle');
  const [vehicleAgeYears, sVeh] = pick(
    'vehicleAgeYears',
    facts.vehicleYear === null ? null : Math.max(0, year - facts.vehicleYear),
    'vehicle',
  );
  const [annualKm, sKm] = pick(
    'annualKm',
    driving.observedDays >= 14 ? Math.round((driving.rawKm * 365) / driving.observedDays) : null,
    'driving',
  );
  const terr = typeof rf.territory === 'string' && rf.territory.trim() !== '' ? rf.territory.trim() : null;
  return {
    factors: {
      driverAge,
      vehiclePowerKw,
      vehicleAgeYears,
      annualKm,
      territory: terr?.toUpperCase() ?? defaults.territory,
    },
    sources: {
      driverAge: sAge,
      vehiclePowerKw: sPow,
      vehicleAgeYears: sVeh,
      annualKm: sKm,
      territory: terr ? 'policy' : 'model_default',
    },
  };
}

interface TripRow {
  id: string;
  start_at: Date;
  end_at: Date;
  distance_m: number;
  features: Record<string, unknown>;
}

/** Counted trips (and their events) ending in the rating window; trips awaiting mode confirmation do not count. */
async function windowTrips(q: Queryable, tenantId: string, driverId: string, nowMs: number) {
  const from = new Date(nowMs - DEFAULT_ROLLING.windowDays * DAY_MS);
  const trips = await q.query<TripRow>(
    `SELECT id, start_at, end_at, distance_m, features FROM trips
      WHERE tenant_id = $1 AND driver_id = $2 AND counted AND status <> 'needs_confirmation'
        AND end_at > $3 AND end_at <= $4
      ORDER BY end_at`,
    [tenantId, driverId, from, new Date(nowMs)],
  );
  const ids = trips.rows.map((t) => t.id);
  const events = ids.length
    ? await q.query<{
        trip_id: string;
        kind: string;
        start_at: Date;
        end_at: Date;
        voided: boolean;
        details: Record<string, unknown>;
      }>(
        `SELECT trip_id, kind, start_at, end_at, voided, details FROM events
          WHERE tenant_id = $1 AND trip_id = ANY($2::text[])`,
        [tenantId, ids],
      )
    : { rows: [] };
  const byTrip = new Map<string, typeof events.rows>();
  for (const e of events.rows) byTrip.set(e.trip_id, [...(byTrip.get(e.trip_id) ?? []), e]);
  return trips.rows.map((t) => ({
    startMs: t.start_at.getTime(),
    obs: tripObservation({
      startMs: t.start_at.getTime(),
      endMs: t.end_at.getTime(),
      distanceM: t.distance_m,
      features: t.features ?? {},
      events: (byTrip.get(t.id) ?? []).map((e) => ({
        kind: e.kind,
        durationMs: Math.max(0, e.end_at.getTime() - e.start_at.getTime()),
        voided: e.voided,
        ...(typeof e.details?.handsFree === 'boolean' ? { handsFree: e.details.handsFree } : {}),
      })),
    }),
  }));
}

/** Classic factors when there is no model to take defaults from (only recorded, never scored). */
const NO_MODEL_DEFAULTS: ClassicFactors = {
  driverAge: 40,
  vehiclePowerKw: 80,
  vehicleAgeYears: 6,
  territory: 'C',
  annualKm: 12_000,
};
const ZERO_BEHAVIOUR = Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, 0])) as Behaviour;

interface RiskRow {
  tenant_id: string;
  driver_id: string;
  model_name: string;
  model_version: number | null;
  classic_frequency: number;
  behaviour_frequency: number;
  exposure_km: number;
  behaviour: BehaviourProfile;
  classic_factors: { factors: ClassicFactors; sources: Record<string, FactorSource> };
  trips_counted: number;
  distance_km_30d: number;
  updated_at: Date;
}

const record = (r: RiskRow): DriverRiskRecord => ({
  tenantId: r.tenant_id,
  driverId: r.driver_id,
  modelName: r.model_name,
  modelVersion: r.model_version,
  classicFrequency: r.classic_frequency,
  behaviourFrequency: r.behaviour_frequency,
  exposureKm: r.exposure_km,
  behaviour: r.behaviour,
  tripsCounted: r.trips_counted,
  distanceKm30d: r.distance_km_30d,
  updatedAtMs: r.updated_at.getTime(),
});

/**
 * Recomputes from counted trips / non-voided events in the rating window (90 days, 30-day half-life: pricing's
 * default smoothing) and the active policy's rating_factors; upserts driver_risk and today's (UTC)
 * driver_risk_daily row. Behaviours no trip could measure take the model's neutral reference value.
 */
export async function refreshDriverRisk(
  q: Queryable,
  tenantId: string,
  driverId: string,
  nowMs: number = Date.now(),
): Promise<DriverRiskRecord> {
  const facts = await policyFacts(q, tenantId, driverId, nowMs);
  if (!facts) throw new Error(`driver '${driverId}' not found in tenant '${tenantId}'`);
  const trips = await windowTrips(q, tenantId, driverId, nowMs);
  const rolling = rollingBehaviour(
    trips.map((t) => t.obs),
    nowMs,
    DEFAULT_ROLLING,
  );
  const firstStartMs = trips.reduce((m, t) => Math.min(m, t.startMs), nowMs);
  const driving = { rawKm: rolling.rawKm, observedDays: (nowMs - firstStartMs) / DAY_MS };
  const km30 = trips.reduce((s, t) => (t.obs.endMs > nowMs - 30 * DAY_MS ? s + t.obs.km : s), 0);
  const champ = await championScorer(q, tenantId);
  const classic = resolveClassic(facts, champ?.scorer.classicDefaults ?? NO_MODEL_DEFAULTS, nowMs, driving);
  const behaviour = completeProfile(rolling.profile, champ?.scorer.reference ?? ZERO_BEHAVIOUR);
  const classicFrequency = champ ? champ.scorer.classicFrequency(classic.factors) : DEFAULT_FREQUENCY;
  const behaviourFrequency = champ ? champ.scorer.frequency(classic.factors, behaviour) : classicFrequency;
  const at = new Date(nowMs);
  const { rows } = await q.query<RiskRow>(
    `INSERT INTO driver_risk (driver_id, tenant_id, model_name, model_version, classic_frequency,
                              behaviour_frequency, exposure_km, behaviour, classic_factors, trips_counted,
                              distance_km_30d, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (driver_id) DO UPDATE SET
       model_name = EXCLUDED.model_name, model_version = EXCLUDED.model_version,
       classic_frequency = EXCLUDED.classic_frequency, behaviour_frequency = EXCLUDED.behaviour_frequency,
       exposure_km = EXCLUDED.exposure_km, behaviour = EXCLUDED.behaviour,
       classic_factors = EXCLUDED.classic_factors, trips_counted = EXCLUDED.trips_counted,
       distance_km_30d = EXCLUDED.distance_km_30d, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [
      driverId,
      tenantId,
      TELEMATICS_MODEL_NAME,
      champ?.version ?? null,
      classicFrequency,
      behaviourFrequency,
      rolling.exposureKm,
      JSON.stringify(behaviour),
      JSON.stringify(classic),
      rolling.trips,
      km30,
      at,
    ],
  );
  await q.query(
    `INSERT INTO driver_risk_daily (driver_id, tenant_id, day, model_version, classic_frequency,
                                    behaviour_frequency, exposure_km, updated_at)
     VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8)
     ON CONFLICT (driver_id, day) DO UPDATE SET
       model_version = EXCLUDED.model_version, classic_frequency = EXCLUDED.classic_frequency,
       behaviour_frequency = EXCLUDED.behaviour_frequency, exposure_km = EXCLUDED.exposure_km,
       updated_at = EXCLUDED.updated_at`,
    [
      driverId,
      tenantId,
      at.toISOString().slice(0, 10),
      champ?.version ?? null,
      classicFrequency,
      behaviourFrequency,
      rolling.exposureKm,
      at,
    ],
  );
  return record(rows[0]!);
}

export async function getDriverRisk(
  q: Queryable,
  tenantId: string,
  driverId: string,
): Promise<DriverRiskRecord | null> {
  const { rows } = await q.query<RiskRow>(
    'SELECT * FROM driver_risk WHERE driver_id = $1 AND tenant_id = $2',
    [driverId, tenantId],
  );
  return rows[0] ? record(rows[0]) : null;
}

/** The classic factors stored with the driver's risk row, and where each came from. */
export async function driverClassicFactors(
  q: Queryable,
  tenantId: string,
  driverId: string,
): Promise<{ factors: ClassicFactors; sources: Record<string, FactorSource> } | null> {
  const { rows } = await q.query<Pick<RiskRow, 'classic_factors'>>(
    'SELECT classic_factors FROM driver_risk WHERE driver_id = $1 AND tenant_id = $2',
    [driverId, tenantId],
  );
  return rows[0]?.classic_factors ?? null;
}

/**
 * The champion model as a function of behaviour with this driver's classic factors fixed (what-if); a flat
 * function (DEFAULT_FREQUENCY) when there is no champion. Classic factors are the ones of the driver's last
 * refresh, else resolved now from the policy without driving.
 */
export async function frequencyModelFor(
  q: Queryable,
  tenantId: string,
  driverId: string,
): Promise<FrequencyModel> {
  const champ = await championScorer(q, tenantId);
  if (!champ) return () => DEFAULT_FREQUENCY;
  let factors = (await driverClassicFactors(q, tenantId, driverId))?.factors;
  if (!factors) {
    const nowMs = Date.now();
    const facts = await policyFacts(q, tenantId, driverId, nowMs);
    if (!facts) throw new Error(`driver '${driverId}' not found in tenant '${tenantId}'`);
    factors = resolveClassic(facts, champ.scorer.classicDefaults, nowMs, {
      rawKm: 0,
      observedDays: 0,
    }).factors;
  }
  return champ.scorer.behaviourFunction(factors);
}

/** Daily history for trends, oldest first: the last `days` UTC days up to nowMs's day. */
export async function driverRiskHistory(
  q: Queryable,
  tenantId: string,
  driverId: string,
  days: number,
  nowMs: number = Date.now(),
): Promise<DriverRiskDay[]> {
  const { rows } = await q.query<{
    day: string;
    behaviour_frequency: number;
    classic_frequency: number;
    exposure_km: number;
  }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, behaviour_frequency, classic_frequency, exposure_km
       FROM driver_risk_daily
      WHERE driver_id = $1 AND tenant_id = $2 AND day <= $3::date AND day > $3::date - $4::int
      ORDER BY day`,
    [driverId, tenantId, new Date(nowMs).toISOString().slice(0, 10), Math.max(0, Math.floor(days))],
  );
  return rows.map((r) => ({
    date: r.day,
    behaviourFrequency: r.behaviour_frequency,
    classicFrequency: r.classic_frequency,
    exposureKm: r.exposure_km,
  }));
}

/** Refreshes every driver of the tenant (e.g. after a promotion); returns how many were refreshed. */
export async function refreshTenantRisk(
  q: Queryable,
  tenantId: string,
  nowMs: number = Date.now(),
): Promise<number> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM drivers WHERE tenant_id = $1 ORDER BY id', [
    tenantId,
  ]);
  for (const r of rows) await refreshDriverRisk(q, tenantId, r.id, nowMs);
  return rows.length;
}
