// Following the domain-event outbox without missing events: seq is drawn at insert, so a transaction holding a
// lower seq can commit after a higher one is read. Readers order by the writing transaction's id and take only
// events of transactions below the oldest still running: no event can appear behind such a cursor later.
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db, Queryable } from '../store/index.ts';
import type { DomainEvent, DomainEventType } from './events.ts';

export interface OutboxCursor {
  /** xid8 as a decimal string (64-bit). */
  txid: string;
  seq: number;
}

export const OUTBOX_START: OutboxCursor = { txid: '0', seq: 0 };

export interface OutboxEvent extends DomainEvent {
  txid: string;
}

interface Row {
  seq: number;
  txid: string;
  id: string;
  tenant_id: string;
  type: DomainEventType;
  driver_id: string | null;
  subject_id: string | null;
  data: Record<string, unknown>;
  at: Date;
}

export const toEvent = (r: Row): OutboxEvent => ({
  seq: Number(r.seq),
  txid: r.txid,
  id: r.id,
  tenantId: r.tenant_id,
  type: r.type,
  driverId: r.driver_id,
  subjectId: r.subject_id,
  data: r.data,
  atMs: r.at.getTime(),
});

export const EVENT_COLS = 'seq, txid::text AS txid, id, tenant_id, type, driver_id, subject_id, data, at';

/** Settled events after the cursor, in (txid, seq) order. */
export async function readSettledEvents(
  q: Queryable,
  after: OutboxCursor,
  limit: number,
): Promise<OutboxEvent[]> {
  const { rows } = await q.query<Row>(
    `SELECT ${EVENT_COLS} FROM domain_events
      WHERE (txid, seq) > ($1::xid8, $2::bigint) AND txid < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY txid, seq LIMIT $3`,
    [after.txid, after.seq, limit],
  );
  return rows.map(toEvent);
}

/** The position after every event settled now: where a reader that only wants new events starts. */
export async function currentOutboxPosition(q: Queryable): Promise<OutboxCursor> {
  const { rows } = await q.query<{ txid: string | null; seq: number | null }>(
    `SELECT txid::text AS txid, seq FROM domain_events
      WHERE txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY txid DESC, seq DESC LIMIT 1`,
  );
  const r = rows[0];
  return r?.txid ? { txid: r.txid, seq: Number(r.seq) } : OUTBOX_START;
}

export interface Listener {
  close(): Promise<void>;
}

/**
 * One dedicated connection LISTENing on `channels` (a pool connection would be shared), reconnecting after an
 * error; `onNotify` also runs after each (re)connect, since notifications sent meanwhile were lost.
 */
export function listen(
  db: Db,
  channels: string[],
  onNotify: (channel: string, payload: string) => void,
  logger: Logger,
  retryMs = 2000,
): Listener {
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ ...db.pool.options, application_name: 'openubi-listen' });
    c.on('notification', (n) => onNotify(n.channel, n.payload ?? ''));
    c.on('error', (e) => {
      logger.warn({ err: e.message }, 'listen connection lost; reconnecting');
      c.end().catch(() => {});
      if (client === c) client = null;
      if (!closed) timer = setTimeout(connect, retryMs);
    });
    try {
      await c.connect();
      for (const ch of channels) await c.query(`LISTEN ${ch}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      onNotify(channels[0]!, '');
    } catch (e) {
      c.end().catch(() => {});
      logger.warn({ err: (e as Error).message }, 'listen: cannot connect; retrying');
      if (!closed) timer = setTimeout(connect, retryMs);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
