// The webhook dispatcher: follows the domain-event outbox, creates one delivery per (event, subscribed endpoint),
// and POSTs them signed, retrying with exponential backoff and jitter. Safe with several API processes: the
// fan-out cursor row is locked by one process at a time (SKIP LOCKED: the others skip), and deliveries are
// claimed with FOR UPDATE SKIP LOCKED and a lease, so a process that dies mid-send leaves them to be retried.
import type { Logger } from 'pino';
import type { Db } from '../store/index.ts';
import { DOMAIN_EVENTS_CHANNEL } from './events.ts';
import { listen, type OutboxEvent, readSettledEvents, toEvent } from './outbox.ts';
import { decryptSecret, signWebhook, webhookKey } from './webhooks.ts';

export interface DispatcherOptions {
  db: Db;
  logger: Logger;
  /** WEBHOOK_SECRET_KEY (base64, 32 bytes); null: the key kept in the settings table. */
  secretKey?: string | null;
  maxAttempts?: number;
  /** First retry after about this long; doubled each attempt, with jitter, up to maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  /** Polling fallback (and retry pick-up) interval. */
  pollMs?: number;
  /** Deliveries sent at once by this process. */
  concurrency?: number;
}

export interface WebhookDispatcher {
  /** Runs a fan-out and delivery round now (tests; NOTIFY and the poll timer call it too). */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so retries do not synchronise. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Turns settled outbox events into deliveries; returns how many events it consumed (0: nothing to do or busy). */
export async function fanOut(db: Db, limit = 500): Promise<number> {
  return db.tx(async (c) => {
    const { rows } = await c.query<{ txid: string; seq: number }>(
      'SELECT txid::text AS txid, seq FROM webhook_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED',
    );
    const cur = rows[0];
    if (!cur) return 0;
    const events = await readSettledEvents(c, { txid: cur.txid, seq: Number(cur.seq) }, limit);
    if (events.length === 0) return 0;
    // Endpoints subscribed at the time of the event: created before it, enabled now.
    await c.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, driver_id)
       SELECT 'dlv_' || replace(gen_random_uuid()::text, '-', ''), ev.tenant_id, ep.id, ev.id, ev.type, ev.driver_id
         FROM unnest($1::text[]) AS ids(id)
         JOIN domain_events ev ON ev.id = ids.id
         JOIN webhook_endpoints ep ON ep.tenant_id = ev.tenant_id AND ep.enabled
                                  AND ev.type = ANY(ep.event_types) AND ep.created_at <= ev.at
       ON CONFLICT DO NOTHING`,
      [events.map((e) => e.id)],
    );
    const last = events[events.length - 1]!;
    await c.query('UPDATE webhook_cursor SET txid = $1::xid8, seq = $2 WHERE id = 1', [last.txid, last.seq]);
    return events.length;
  });
}

interface Claimed {
  id: string;
  endpoint_id: string;
  attempts: number;
  url: string;
  secret_enc: Buffer;
  event: OutboxEvent | null;
}

async function claim(db: Db, n: number, leaseMs: number): Promise<Claimed[]> {
  const { rows } = await db.query(
    `WITH claimed AS (
       UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + $2 * interval '1 ms'
        WHERE d.id IN (SELECT d2.id FROM webhook_deliveries d2
                         JOIN webhook_endpoints e2 ON e2.id = d2.endpoint_id AND e2.enabled
                        WHERE d2.status = 'pending' AND d2.next_attempt_at <= now()
                        ORDER BY d2.next_attempt_at LIMIT $1 FOR UPDATE OF d2 SKIP LOCKED)
       RETURNING d.id, d.endpoint_id, d.event_id, d.attempts)
     SELECT c.id AS delivery_id, c.endpoint_id, c.attempts, e.url, e.secret_enc, ev.seq, ev.txid::text AS txid,
            ev.id, ev.tenant_id, ev.type, ev.driver_id, ev.subject_id, ev.data, ev.at
       FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id
       LEFT JOIN domain_events ev ON ev.id = c.event_id`,
    [n, leaseMs],
  );
  return rows.map((r) => ({
    id: r.delivery_id as string,
    endpoint_id: r.endpoint_id as string,
    attempts: r.attempts as number,
    url: r.url as string,
    secret_enc: r.secret_enc as Buffer,
    event: r.id ? toEvent(r as Parameters<typeof toEvent>[0]) : null,
  }));
}

/** The JSON body a receiver gets: the same bytes for every attempt and replay of an event. */
export function webhookBody(e: OutboxEvent): string {
  return JSON.stringify({
    id: e.id,
    type: e.type,
    createdAtMs: e.atMs,
    tenantId: e.tenantId,
    driverId: e.driverId,
    subjectId: e.subjectId,
    data: e.data,
  });
}

export function startWebhookDispatcher(opts: DispatcherOptions): WebhookDispatcher {
  const { db, logger } = opts;
  const maxAttempts = opts.maxAttempts ?? 8;
  const baseMs = opts.backoffBaseMs ?? 10_000;
  const maxBackoff = opts.maxBackoffMs ?? 3_600_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const concurrency = opts.concurrency ?? 16;
  const leaseMs = timeoutMs + 30_000;
  const log = logger.child({ component: 'webhooks' });
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  async function send(d: Claimed, key: Buffer): Promise<void> {
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    if (!d.event) error = 'the event is no longer in the outbox';
    else {
      const body = webhookBody(d.event);
      try {
        const secret = decryptSecret(key, d.secret_enc, d.endpoint_id);
        const res = await fetch(d.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'OpenUBI-Webhooks/1',
            'x-openubi-event-id': d.event.id,
            'x-openubi-event-type': d.event.type,
            'x-openubi-delivery-id': d.id,
            'x-openubi-signature': signWebhook(secret, body, Math.floor(Date.now() / 1000)),
          },
          body,
        });
        status = res.status;
        await res.body?.cancel().catch(() => {});
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (e) {
        error =
          (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'connection failed';
      }
    }
    const durationMs = Date.now() - started;
    const final = error !== null && (!d.event || d.attempts >= maxAttempts);
    await db.tx(async (c) => {
      await c.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, status, error, duration_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [d.id, d.attempts, status, error, durationMs],
      );
      await c.query(
        `UPDATE webhook_deliveries SET status = $2, last_status = $3, last_error = $4,
                delivered_at = CASE WHEN $2 = 'succeeded' THEN now() END,
                next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + $5 * interval '1 ms' ELSE next_attempt_at END
          WHERE id = $1`,
        [
          d.id,
          error === null ? 'succeeded' : final ? 'failed' : 'pending',
          status,
          error,
          backoffMs(d.attempts, baseMs, maxBackoff),
        ],
      );
    });
    if (error !== null)
      log.warn(
        { deliveryId: d.id, endpointId: d.endpoint_id, attempt: d.attempts, status, error, final },
        'webhook delivery failed',
      );
  }

  async function round(): Promise<void> {
    while (!stopped && (await fanOut(db)) > 0);
    const key = await webhookKey(db, opts.secretKey ?? null);
    for (;;) {
      if (stopped) return;
      const batch = await claim(db, concurrency, leaseMs);
      if (batch.length === 0) return;
      await Promise.all(batch.map((d) => send(d, key)));
    }
  }

  function kick(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await round().catch((e) => log.error({ err: (e as Error).message }, 'webhook round failed'));
      } while (again && !stopped);
      running = null;
    })();
    return running;
  }

  const listener = listen(db, [DOMAIN_EVENTS_CHANNEL], () => void kick(), log);
  const timer = setInterval(() => void kick(), opts.pollMs ?? 2000);
  timer.unref();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await listener.close();
      await running;
    },
  };
}
