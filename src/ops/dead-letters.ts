// The dead-letter store: batches a pipeline stage kept failing on, with the error, for an operator to inspect
// and replay (once the cause is fixed). A replay publishes the batch again on its device's partition under a new
// message id; the worker's idempotency record still makes its effect exactly-once.
import type { Bus } from '../bus/index.ts';
import type { Queryable } from '../store/db.ts';

export interface DeadLetter {
  id: number;
  topic: string;
  group: string;
  partition: number;
  msgId: string;
  key: string;
  error: string;
  failedAt: string;
  replayedAt: string | null;
  payloadBytes: number;
}

interface Row {
  id: number;
  topic: string;
  grp: string;
  partition: number;
  msg_id: string;
  key: string;
  error: string;
  failed_at: Date;
  replayed_at: Date | null;
  payload_bytes: number;
}

const COLUMNS = `id, topic, grp, partition, msg_id, key, error, failed_at, replayed_at,
  octet_length(payload)::int AS payload_bytes`;

const toDeadLetter = (r: Row): DeadLetter => ({
  id: Number(r.id),
  topic: r.topic,
  group: r.grp,
  partition: r.partition,
  msgId: r.msg_id,
  key: r.key,
  error: r.error,
  failedAt: r.failed_at.toISOString(),
  replayedAt: r.replayed_at ? r.replayed_at.toISOString() : null,
  payloadBytes: r.payload_bytes,
});

export async function listDeadLetters(
  q: Queryable,
  o: { includeReplayed?: boolean; limit?: number; key?: string } = {},
): Promise<DeadLetter[]> {
  const { rows } = await q.query<Row>(
    `SELECT ${COLUMNS} FROM dead_letters
      WHERE ($1 OR replayed_at IS NULL) AND ($2::text IS NULL OR key = $2)
      ORDER BY id LIMIT $3`,
    [o.includeReplayed ?? false, o.key ?? null, o.limit ?? 100],
  );
  return rows.map(toDeadLetter);
}

export async function getDeadLetter(
  q: Queryable,
  id: number,
): Promise<(DeadLetter & { payload: Buffer }) | null> {
  const { rows } = await q.query<Row & { payload: Buffer }>(
    `SELECT ${COLUMNS}, payload FROM dead_letters WHERE id = $1`,
    [id],
  );
  const r = rows[0];
  return r ? { ...toDeadLetter(r), payload: r.payload } : null;
}

export type ReplayResult =
  | { ok: true; id: number; msgId: string; duplicate: boolean }
  | { ok: false; error: { code: 'not_found' | 'already_replayed'; message: string } };

/** Publishes the batch again (new message id) and marks the dead letter replayed; `force` replays it again. */
export async function replayDeadLetter(
  q: Queryable,
  bus: Bus,
  id: number,
  o: { force?: boolean } = {},
): Promise<ReplayResult> {
  const dl = await getDeadLetter(q, id);
  if (!dl) return { ok: false, error: { code: 'not_found', message: `no dead letter ${id}` } };
  if (dl.replayedAt && !o.force) {
    return {
      ok: false,
      error: {
        code: 'already_replayed',
        message: `dead letter ${id} was replayed at ${dl.replayedAt} (--force replays it again)`,
      },
    };
  }
  // A fresh id each time: the bus would drop the original id as a duplicate it has already seen.
  const msgId = `${dl.msgId}#replay-${id}-${Date.now()}`;
  const [r] = await bus.publish(dl.topic, [{ key: dl.key, id: msgId, payload: new Uint8Array(dl.payload) }]);
  await q.query('UPDATE dead_letters SET replayed_at = now() WHERE id = $1', [id]);
  return { ok: true, id, msgId, duplicate: r?.duplicate ?? false };
}
