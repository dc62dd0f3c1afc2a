// Staff decisions on disputes and drivers' answers to crash candidates: each is one transaction that flips what
// counts, re-scores and re-prices the driver, and leaves an audit row and an outbox event behind.
import type { Result } from '../domain/index.ts';
import type { Db, Queryable } from '../store/index.ts';
import { type Dispute, disputeFromRow } from './disputes.ts';
import { refreshDriverRisk } from './driver-risk.ts';
import { publishEvent } from './events.ts';
import { currentQuote, requote } from './pricing.ts';
import { regenerateStored } from './statements.ts';

const fail = (code: string, message: string, field?: string): Result<never> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

const TRIP_REASONS: readonly string[] = ['passenger', 'not_me', 'public_transport'];

export interface Actor {
  kind: 'user' | 'api_key' | 'system';
  id: string | null;
  requestId?: string | null;
}

export interface Resolution {
  dispute: Dispute;
  /** The premium before and after re-pricing; null when rejected or the driver has no active policy. */
  premium: { beforeCents: number | null; afterCents: number; quoteId: string } | null;
  statements: Array<{ policyId: string; month: string; status: string; totalCents: number }>;
}

/** Re-scores and re-prices a driver whose counted driving just changed; null when there is nothing to price. */
async function reprice(q: Queryable, tenantId: string, driverId: string, reason: string, nowMs: number) {
  const before = await currentQuote(q, tenantId, driverId);
  await refreshDriverRisk(q, tenantId, driverId, nowMs);
  const after = await requote(q, tenantId, driverId, { reason, nowMs });
  if (!after.ok) return null;
  return {
    beforeCents: before?.premiumCents ?? null,
    afterCents: after.value.premiumCents,
    quoteId: after.value.id,
  };
}

/**
 * Accepts or rejects an open dispute in one transaction. Accepting a trip reason sets trips.counted = false
 * (exclusion_reason = the reason); an event reason sets events.voided = true (void_reason = the reason); then
 * the driver's risk is refreshed, a quote stored (premium.changed / score.changed when they moved) and stored
 * PAYD statements of the trip's month regenerated. Error codes: not_found, conflict (already resolved).
 */
export async function resolveDispute(
  db: Db,
  r: {
    tenantId: string;
    id: string;
    decision: 'accept' | 'reject';
    note: string;
    actor: Actor;
    nowMs?: number;
  },
): Promise<Result<Resolution>> {
  const nowMs = r.nowMs ?? Date.now();
  return db.tx(async (c) => {
    const { rows } = await c.query('SELECT * FROM disputes WHERE id = $1 AND tenant_id = $2 FOR UPDATE', [
      r.id,
      r.tenantId,
    ]);
    if (!rows[0]) return fail('not_found', `dispute ${r.id} not found`);
    const d = disputeFromRow(rows[0]);
    if (d.status !== 'open') return fail('conflict', `dispute ${r.id} was already ${d.status}`);
    const accepted = r.decision === 'accept';
    let premium: Resolution['premium'] = null;
    let statements: Resolution['statements'] = [];
    if (accepted) {
      if (TRIP_REASONS.includes(d.reason)) {
        await c.query(
          'UPDATE trips SET counted = false, exclusion_reason = $3 WHERE id = $1 AND tenant_id = $2',
          [d.tripId, r.tenantId, d.reason],
        );
      } else {
        await c.query('UPDATE events SET voided = true, void_reason = $3 WHERE id = $1 AND tenant_id = $2', [
          d.eventId,
          r.tenantId,
          d.reason,
        ]);
      }
      premium = await reprice(c, r.tenantId, d.driverId, `dispute.accepted:${d.id}`, nowMs);
      if (TRIP_REASONS.includes(d.reason)) {
        const { rows: m } = await c.query<{ month: string }>(
          `SELECT to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM trips WHERE id = $1`,
          [d.tripId],
        );
        statements = await regenerateStored(c, r.tenantId, d.driverId, [m[0]!.month], {
          reason: `dispute ${d.id} accepted: trip ${d.tripId} (${d.reason}) no longer counts`,
          nowMs,
        });
      }
    }
    const { rows: done } = await c.query(
      `UPDATE disputes SET status = $3, reviewer_id = $4, review_note = $5, resolved_at = $6
        WHERE id = $1 AND tenant_id = $2 RETURNING *`,
      [r.id, r.tenantId, accepted ? 'accepted' : 'rejected', r.actor.id, r.note, new Date(nowMs)],
    );
    const dispute = disputeFromRow(done[0]!);
    const facts = {
      disputeId: d.id,
      decision: dispute.status,
      reason: d.reason,
      tripId: d.tripId,
      eventId: d.eventId,
      premiumBeforeCents: premium?.beforeCents ?? null,
      premiumAfterCents: premium?.afterCents ?? null,
      statements,
    };
    await c.query(
      `INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, subject_type, subject_id, request_id, details)
       VALUES ($1, $2, $3, 'dispute.resolve', 'driver', $4, $5, $6)`,
      [
        r.tenantId,
        r.actor.kind,
        r.actor.id,
        d.driverId,
        r.actor.requestId ?? null,
        JSON.stringify({ ...facts, note: r.note }),
      ],
    );
    await publishEvent(c, {
      tenantId: r.tenantId,
      type: 'dispute.resolved',
      driverId: d.driverId,
      subjectId: d.id,
      id: `dispute.resolved:${d.id}`,
      data: facts,
    });
    return { ok: true, value: { dispute, premium, statements } };
  });
}

export type CrashResponse = 'ok' | 'need_help' | 'not_crash';

export interface CrashResponseRecord {
  eventId: string;
  response: CrashResponse;
  atMs: number;
  /** Whether the event now counts as voided ('not_crash' voids it; a later other answer restores it). */
  voided: boolean;
  premium: Resolution['premium'];
}

/** Stores a driver's answer to their own crash candidate; error codes: not_found, invalid_request. */
export async function recordCrashResponse(
  db: Db,
  r: { tenantId: string; driverId: string; eventId: string; response: CrashResponse; nowMs?: number },
): Promise<Result<CrashResponseRecord>> {
  const nowMs = r.nowMs ?? Date.now();
  return db.tx(async (c) => {
    const { rows } = await c.query<{ kind: string; voided: boolean; void_reason: string | null }>(
      'SELECT kind, voided, void_reason FROM events WHERE id = $1 AND tenant_id = $2 AND driver_id = $3 FOR UPDATE',
      [r.eventId, r.tenantId, r.driverId],
    );
    const ev = rows[0];
    if (!ev) return fail('not_found', `event ${r.eventId} not found`);
    if (ev.kind !== 'crash_candidate') {
      const msg = `event ${r.eventId} is a ${ev.kind} event; only crash candidates take a crash response`;
      return fail('invalid_request', msg, 'id');
    }
    await c.query(
      `INSERT INTO crash_responses (event_id, tenant_id, driver_id, response, at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (event_id) DO UPDATE SET response = EXCLUDED.response, at = EXCLUDED.at`,
      [r.eventId, r.tenantId, r.driverId, r.response, new Date(nowMs)],
    );
    // Announced at once: a 'need_help' answer is what an assistance desk's webhook is waiting for.
    await publishEvent(c, {
      tenantId: r.tenantId,
      type: 'crash.responded',
      driverId: r.driverId,
      subjectId: r.eventId,
      data: { eventId: r.eventId, response: r.response, atMs: nowMs },
    });
    // Only our own 'not_crash' void is undone by a later answer; a void from an accepted dispute stays.
    const voidIt = r.response === 'not_crash' && !ev.voided;
    const restore = r.response !== 'not_crash' && ev.voided && ev.void_reason === 'not_crash';
    let premium: Resolution['premium'] = null;
    if (voidIt || restore) {
      await c.query('UPDATE events SET voided = $2, void_reason = $3 WHERE id = $1', [
        r.eventId,
        voidIt,
        voidIt ? 'not_crash' : null,
      ]);
      premium = await reprice(c, r.tenantId, r.driverId, `crash_response:${r.eventId}`, nowMs);
    }
    return {
      ok: true,
      value: {
        eventId: r.eventId,
        response: r.response,
        atMs: nowMs,
        voided: voidIt || (ev.voided && !restore),
        premium,
      },
    };
  });
}
