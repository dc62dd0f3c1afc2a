// Disputes: a driver says a trip was not theirs to score (passenger, not me, public transport) or one event was
// wrong (wrong speed limit, evasive manoeuvre); staff accept or reject. Accepting stops the trip counting or
// voids the event, re-scores and re-prices the driver, rewrites affected PAYD statements, writes the audit
// row and announces it — all in one transaction. Also the driver's answer to a crash candidate.
import { randomUUID } from 'node:crypto';
import type { Result } from '../domain/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { publishEvent } from './events.ts';

export const TRIP_REASONS = ['passenger', 'not_me', 'public_transport'] as const;
export const EVENT_REASONS = ['wrong_speed_limit', 'evasive_manoeuvre'] as const;
export const DISPUTE_REASONS = [...TRIP_REASONS, ...EVENT_REASONS] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];
export type DisputeStatus = 'open' | 'accepted' | 'rejected';

/** The event kinds an event reason can be about. */
const REASON_KINDS: Record<(typeof EVENT_REASONS)[number], readonly string[]> = {
  wrong_speed_limit: ['speeding'],
  evasive_manoeuvre: ['harsh_braking', 'harsh_acceleration', 'harsh_cornering', 'harsh_lane_change'],
};

const isTripReason = (r: DisputeReason): boolean => (TRIP_REASONS as readonly string[]).includes(r);

export interface Dispute {
  id: string;
  tenantId: string;
  driverId: string;
  tripId: string;
  eventId: string | null;
  reason: DisputeReason;
  comment: string | null;
  status: DisputeStatus;
  reviewerId: string | null;
  reviewNote: string | null;
  createdAtMs: number;
  resolvedAtMs: number | null;
}

interface DisputeRow {
  id: string;
  tenant_id: string;
  driver_id: string;
  trip_id: string;
  event_id: string | null;
  reason: DisputeReason;
  comment: string | null;
  status: DisputeStatus;
  reviewer_id: string | null;
  review_note: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

export const disputeFromRow = (r: DisputeRow): Dispute => ({
  id: r.id,
  tenantId: r.tenant_id,
  driverId: r.driver_id,
  tripId: r.trip_id,
  eventId: r.event_id,
  reason: r.reason,
  comment: r.comment,
  status: r.status,
  reviewerId: r.reviewer_id,
  reviewNote: r.review_note,
  createdAtMs: r.created_at.getTime(),
  resolvedAtMs: r.resolved_at?.getTime() ?? null,
});

const fail = (code: string, message: string, field?: string): Result<never> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

export interface NewDispute {
  tenantId: string;
  /** The driver filing it: the trip or event must be theirs. */
  driverId: string;
  tripId?: string | undefined;
  eventId?: string | undefined;
  reason: DisputeReason;
  comment?: string | undefined;
  nowMs?: number;
}

/** Files a dispute; error codes: not_found, invalid_request, conflict (already excluded, or already open). */
export async function fileDispute(db: Db, d: NewDispute): Promise<Result<Dispute>> {
  const tripReason = isTripReason(d.reason);
  let tripId: string;
  if (d.eventId !== undefined) {
    if (tripReason)
      return fail(
        'invalid_request',
        `${d.reason} disputes a whole trip: send tripId without eventId`,
        'eventId',
      );
    const { rows } = await db.query<{ trip_id: string; kind: string; voided: boolean }>(
      'SELECT trip_id, kind, voided FROM events WHERE id = $1 AND tenant_id = $2 AND driver_id = $3',
      [d.eventId, d.tenantId, d.driverId],
    );
    const ev = rows[0];
    if (!ev) return fail('not_found', `event ${d.eventId} not found`);
    if (d.tripId !== undefined && d.tripId !== ev.trip_id)
      return fail('invalid_request', `event ${d.eventId} is not part of trip ${d.tripId}`, 'tripId');
    const kinds = REASON_KINDS[d.reason as keyof typeof REASON_KINDS];
    if (!kinds.includes(ev.kind)) {
      const msg = `${d.reason} applies to ${kinds.join(', ')} events; event ${d.eventId} is ${ev.kind}`;
      return fail('invalid_request', msg, 'reason');
    }
    if (ev.voided) return fail('conflict', `event ${d.eventId} is already voided`);
    tripId = ev.trip_id;
  } else {
    if (!tripReason)
      return fail('invalid_request', `${d.reason} disputes one event: send eventId`, 'eventId');
    if (d.tripId === undefined) return fail('invalid_request', 'tripId: which trip is disputed?', 'tripId');
    const { rows } = await db.query<{ counted: boolean }>(
      'SELECT counted FROM trips WHERE id = $1 AND tenant_id = $2 AND driver_id = $3',
      [d.tripId, d.tenantId, d.driverId],
    );
    if (!rows[0]) return fail('not_found', `trip ${d.tripId} not found`);
    if (!rows[0].counted) return fail('conflict', `trip ${d.tripId} already does not count`);
    tripId = d.tripId;
  }
  const id = `dsp_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const at = new Date(d.nowMs ?? Date.now());
  try {
    return await db.tx(async (c) => {
      const { rows } = await c.query<DisputeRow>(
        `INSERT INTO disputes (id, tenant_id, driver_id, trip_id, event_id, reason, comment, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [id, d.tenantId, d.driverId, tripId, d.eventId ?? null, d.reason, d.comment ?? null, at],
      );
      await publishEvent(c, {
        tenantId: d.tenantId,
        type: 'dispute.created',
        driverId: d.driverId,
        subjectId: id,
        id: `dispute.created:${id}`,
        data: { disputeId: id, tripId, eventId: d.eventId ?? null, reason: d.reason },
      });
      return { ok: true, value: disputeFromRow(rows[0]!) } as const;
    });
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw e;
    const subject = d.eventId === undefined ? `trip ${tripId}` : `event ${d.eventId}`;
    return fail('conflict', `${subject} already has an open dispute; wait for its review`);
  }
}

export async function listDisputes(
  q: Queryable,
  tenantId: string,
  opts: {
    driverId: string | null;
    status?: DisputeStatus | undefined;
    limit: number;
    after?: [number, string] | null;
  },
): Promise<Dispute[]> {
  const [afterMs, afterId] = opts.after ?? [null, null];
  const { rows } = await q.query<DisputeRow>(
    `SELECT * FROM disputes
      WHERE tenant_id = $1 AND ($2::text IS NULL OR driver_id = $2) AND ($3::text IS NULL OR status = $3)
        AND ($4::timestamptz IS NULL OR (created_at, id) > ($4, $5::text))
      ORDER BY created_at, id LIMIT $6`,
    [
      tenantId,
      opts.driverId,
      opts.status ?? null,
      afterMs === null ? null : new Date(afterMs),
      afterId,
      opts.limit,
    ],
  );
  return rows.map(disputeFromRow);
}

export async function getDispute(
  q: Queryable,
  tenantId: string,
  id: string,
  driverId: string | null,
): Promise<Dispute | null> {
  const { rows } = await q.query<DisputeRow>(
    'SELECT * FROM disputes WHERE id = $1 AND tenant_id = $2 AND ($3::text IS NULL OR driver_id = $3)',
    [id, tenantId, driverId],
  );
  return rows[0] ? disputeFromRow(rows[0]) : null;
}

/** What the reviewer looks at: the trip's summary and features, and the disputed event with its evidence window. */
export async function disputeEvidence(q: Queryable, d: Dispute) {
  const { rows: trips } = await q.query(
    `SELECT id, start_at, end_at, distance_m, duration_s, mode, mode_confidence, status, counted, exclusion_reason,
            features FROM trips WHERE id = $1 AND tenant_id = $2`,
    [d.tripId, d.tenantId],
  );
  const t = trips[0];
  const trip = t && {
    id: t.id as string,
    startMs: (t.start_at as Date).getTime(),
    endMs: (t.end_at as Date).getTime(),
    distanceM: t.distance_m as number,
    durationMs: Math.round((t.duration_s as number) * 1000),
    mode: t.mode as string,
    modeConfidence: t.mode_confidence as number,
    status: t.status as string,
    counted: t.counted as boolean,
    exclusionReason: t.exclusion_reason as string | null,
    features: t.features as Record<string, unknown>,
  };
  if (d.eventId === null) return { trip: trip ?? null, event: null };
  const { rows: events } = await q.query(
    `SELECT id, kind, severity, start_at, end_at, peak, lat, lon, speed_before_mps, speed_after_mps, details,
            evidence, voided, void_reason FROM events WHERE id = $1 AND tenant_id = $2`,
    [d.eventId, d.tenantId],
  );
  const e = events[0];
  const event = e && {
    id: e.id as string,
    kind: e.kind as string,
    severity: e.severity as string,
    startMs: (e.start_at as Date).getTime(),
    endMs: (e.end_at as Date).getTime(),
    peak: e.peak as number | null,
    lat: e.lat as number | null,
    lon: e.lon as number | null,
    speedBeforeMps: e.speed_before_mps as number | null,
    speedAfterMps: e.speed_after_mps as number | null,
    details: e.details as Record<string, unknown>,
    evidence: e.evidence as unknown,
    voided: e.voided as boolean,
    voidReason: e.void_reason as string | null,
  };
  return { trip: trip ?? null, event: event ?? null };
}

export { resolveDispute, recordCrashResponse, type Resolution } from './dispute-resolution.ts';
