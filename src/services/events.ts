// Domain events through a transactional outbox: publish inside the transaction that made the change, so an event
// is announced exactly when its change commits. Webhooks and live updates read the outbox in order (seq).
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/index.ts';

export const EVENT_TYPES = [
  'trip.completed',
  'score.changed',
  'premium.changed',
  'crash.detected',
  /** The driver answered a crash candidate: ok, need_help (an insurer's assistance desk acts on it), not_crash. */
  'crash.responded',
  'dispute.created',
  'dispute.resolved',
] as const;
export type DomainEventType = (typeof EVENT_TYPES)[number];

export interface DomainEventInput {
  tenantId: string;
  type: DomainEventType;
  /** The driver whose data this is (live updates are routed by it). */
  driverId: string | null;
  /** The trip, dispute, … the event is about. */
  subjectId: string | null;
  data: Record<string, unknown>;
  /** Deterministic id for idempotent publishing (a replayed change publishes nothing twice); random by default. */
  id?: string;
}

export interface DomainEvent extends Required<DomainEventInput> {
  seq: number;
  atMs: number;
}

export const DOMAIN_EVENTS_CHANNEL = 'domain_events';

/** Appends the event to the outbox (a no-op if its id exists) and wakes listeners on commit. */
export async function publishEvent(q: Queryable, e: DomainEventInput): Promise<void> {
  const r = await q.query(
    `INSERT INTO domain_events (id, tenant_id, type, driver_id, subject_id, data)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
    [e.id ?? randomUUID(), e.tenantId, e.type, e.driverId, e.subjectId, JSON.stringify(e.data)],
  );
  if ((r.rowCount ?? 0) > 0) await q.query(`SELECT pg_notify('${DOMAIN_EVENTS_CHANNEL}', $1)`, [e.tenantId]);
}

interface EventRow {
  seq: string;
  id: string;
  tenant_id: string;
  type: DomainEventType;
  driver_id: string | null;
  subject_id: string | null;
  data: Record<string, unknown>;
  at: Date;
}

/** Events after `afterSeq`, oldest first; optionally one tenant's and one driver's. */
export async function readEvents(
  q: Queryable,
  opts: { afterSeq: number; limit: number; tenantId?: string; driverId?: string },
): Promise<DomainEvent[]> {
  const { rows } = await q.query<EventRow>(
    `SELECT seq, id, tenant_id, type, driver_id, subject_id, data, at FROM domain_events
      WHERE seq > $1 AND ($2::text IS NULL OR tenant_id = $2) AND ($3::text IS NULL OR driver_id = $3)
      ORDER BY seq LIMIT $4`,
    [opts.afterSeq, opts.tenantId ?? null, opts.driverId ?? null, opts.limit],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    id: r.id,
    tenantId: r.tenant_id,
    type: r.type,
    driverId: r.driver_id,
    subjectId: r.subject_id,
    data: r.data,
    atMs: r.at.getTime(),
  }));
}
