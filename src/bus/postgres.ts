// The default bus: an append-only log per partition in PostgreSQL, consumer offsets with leases,
// LISTEN/NOTIFY to wake consumers. Publishing is group-committed: concurrent publish calls share one transaction.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../store/db.ts';
import { retryInPlace } from './retry.ts';
import {
  type Bus,
  type BusMessage,
  type MessageHandler,
  type PublishInput,
  type PublishResult,
  partitionOf,
  type SubscribeOptions,
  type Subscription,
  sleep,
} from './types.ts';

/** Messages of one publish call that fall in one partition: the unit a flush takes. */
interface Pending {
  topic: string;
  partition: number;
  messages: PublishInput[];
  resolve: (r: PublishResult[]) => void;
  reject: (e: Error) => void;
}

const channel = (topic: string): string => `bus_${topic.replace(/[^a-z0-9_]/gi, '_')}`;

export function createPostgresBus(db: Db, connectionString: string, opts: { partitions: number }): Bus {
  const P = opts.partitions;
  let queue: Pending[] = [];

  // Heads are created once per topic in their own committed statement: a flush transaction must never be
  // the one creating them, or a concurrent flush would not see them yet.
  const topicReady = new Map<string, Promise<void>>();
  function ensureTopic(topic: string): Promise<void> {
    let p = topicReady.get(topic);
    if (!p) {
      p = db
        .query(
          `INSERT INTO bus_heads (topic, partition) SELECT $1, g FROM generate_series(0, $2 - 1) g ON CONFLICT DO NOTHING`,
          [topic, P],
        )
        .then(() => undefined);
      topicReady.set(topic, p);
      p.catch(() => topicReady.delete(topic));
    }
    return p;
  }

  // Group commit: each transaction takes everything queued for partitions no other transaction is writing.
  // Several run at once (PostgreSQL merges their fsyncs), yet a partition is only ever in one of them, so the
  // order of publish calls holds within every partition.
  const MAX_FLUSHES = 4;
  let flushes = 0;
  const busy = new Set<string>();
  const unitKey = (u: Pending): string => `${u.topic}\u0000${u.partition}`;

  function maybeFlush(): void {
    while (flushes < MAX_FLUSHES && queue.length > 0) {
      const take: Pending[] = [];
      const rest: Pending[] = [];
      const skipped = new Set<string>();
      for (const u of queue) {
        const k = unitKey(u);
        // Once a partition's unit waits, its later units wait too, or they would overtake it.
        if (busy.has(k) || skipped.has(k)) {
          skipped.add(k);
          rest.push(u);
        } else take.push(u);
      }
      if (take.length === 0) return;
      queue = rest;
      const keys = new Set(take.map(unitKey));
      for (const k of keys) busy.add(k);
      flushes++;
      db.tx((c) => writeBatch(c, take))
        .then(
          (results) => {
            for (let i = 0; i < take.length; i++) take[i]!.resolve(results[i]!);
          },
          (e) => {
            for (const p of take) p.reject(e as Error);
          },
        )
        .finally(() => {
          for (const k of keys) busy.delete(k);
          flushes--;
          maybeFlush();
        });
    }
  }

  async function writeBatch(c: pg.PoolClient, batch: Pending[]): Promise<PublishResult[][]> {
    const topics = new Map<string, { parts: number[]; ids: string[]; keys: string[]; payloads: Buffer[] }>();
    const seen = new Set<string>();
    for (const p of batch) {
      let t = topics.get(p.topic);
      if (!t) {
        topics.set(p.topic, (t = { parts: [], ids: [], keys: [], payloads: [] }));
      }
      for (const m of p.messages) {
        // The same id twice in one flush is one message.
        if (seen.has(`${p.topic}\u0000${m.id}`)) continue;
        seen.add(`${p.topic}\u0000${m.id}`);
        t.parts.push(partitionOf(m.key, P));
        t.ids.push(m.id);
        t.keys.push(m.key);
        t.payloads.push(Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength));
      }
    }
    const inserted = new Set<string>();
    for (const [topic, t] of [...topics].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const partitions = [...new Set(t.parts)].sort((a, b) => a - b);
      // Heads are locked in partition order, so concurrent publishers never deadlock and commit in seq order.
      await c.query(
        'SELECT 1 FROM bus_heads WHERE topic = $1 AND partition = ANY($2) ORDER BY partition FOR UPDATE',
        [topic, partitions],
      );
      const res = await c.query<{ msg_id: string }>(
        `WITH input AS (
           SELECT * FROM unnest($2::int[], $3::text[], $4::text[], $5::bytea[]) WITH ORDINALITY AS u(part, id, k, p, ord)),
         counts AS (SELECT part, count(*) AS n FROM input GROUP BY part),
         heads AS (
           UPDATE bus_heads h SET head = h.head + c.n FROM counts c WHERE h.topic = $1 AND h.partition = c.part
           RETURNING h.partition AS part, h.head - c.n AS base)
         INSERT INTO bus_log (topic, partition, seq, msg_id, key, payload)
         SELECT $1, i.part, hd.base + row_number() OVER (PARTITION BY i.part ORDER BY i.ord), i.id, i.k, i.p
           FROM input i JOIN heads hd USING (part)
         ON CONFLICT (topic, partition, msg_id) DO NOTHING RETURNING msg_id`,
        [topic, t.parts, t.ids, t.keys, t.payloads],
      );
      for (const r of res.rows) inserted.add(`${topic}\u0000${r.msg_id}`);
      if (res.rows.length > 0) {
        await c.query('SELECT pg_notify($1, p::text) FROM unnest($2::int[]) AS p', [
          channel(topic),
          partitions,
        ]);
      }
    }
    const claimed = new Set<string>();
    return batch.map((p) =>
      p.messages.map((m) => {
        const k = `${p.topic}\u0000${m.id}`;
        const fresh = inserted.has(k) && !claimed.has(k);
        if (fresh) claimed.add(k);
        return { id: m.id, duplicate: !fresh };
      }),
    );
  }

  function subscribe(topic: string, handler: MessageHandler, o: SubscribeOptions): Subscription {
    const maxInFlight = o.maxInFlight ?? 64;
    const concurrency = o.concurrency ?? 4;
    const leaseMs = o.leaseMs ?? 15_000;
    const me = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const owned = new Set<number>();
    const busy = new Set<number>();
    const wake = new Set<number>();
    let stopped = false;
    let running = 0;
    let kick: (() => void) | null = null;
    const onError = o.onError ?? (() => {});

    const listener = new pg.Client({ connectionString });
    listener.on('error', (e) => onError(e));
    listener.on('notification', (n) => {
      const p = Number(n.payload);
      if (owned.has(p)) wake.add(p);
      kick?.();
    });
    const listening = listener
      .connect()
      .then(() => listener.query(`LISTEN ${channel(topic)}`))
      .catch((e) => onError(e as Error));

    async function claim(): Promise<void> {
      await ensureTopic(topic);
      await db.query(
        `INSERT INTO bus_offsets (topic, grp, partition) SELECT $1, $2, g FROM generate_series(0, $3 - 1) g
         ON CONFLICT DO NOTHING`,
        [topic, o.group, P],
      );
      const { rows } = await db.query<{ partition: number }>(
        `UPDATE bus_offsets SET owner = $3, lease_until = now() + ($4 || ' milliseconds')::interval
          WHERE topic = $1 AND grp = $2 AND (owner = $3 OR owner IS NULL OR lease_until < now())
          RETURNING partition`,
        [topic, o.group, me, String(leaseMs)],
      );
      const now = new Set(rows.map((r) => r.partition));
      for (const p of owned) if (!now.has(p)) owned.delete(p);
      for (const p of now) {
        if (owned.has(p)) continue;
        owned.add(p);
        wake.add(p);
      }
    }

    async function drainPartition(p: number): Promise<void> {
      const { rows: off } = await db.query<{ acked_seq: number }>(
        'SELECT acked_seq FROM bus_offsets WHERE topic = $1 AND grp = $2 AND partition = $3 AND owner = $4',
        [topic, o.group, p, me],
      );
      if (!off[0]) return void owned.delete(p);
      let acked = off[0].acked_seq;
      for (;;) {
        const { rows } = await db.query<{ seq: number; msg_id: string; key: string; payload: Buffer }>(
          `SELECT seq, msg_id, key, payload FROM bus_log WHERE topic = $1 AND partition = $2 AND seq > $3
            ORDER BY seq LIMIT $4`,
          [topic, p, acked, maxInFlight],
        );
        if (rows.length === 0) return;
        for (const r of rows) {
          if (stopped) break;
          const msg: BusMessage = {
            topic,
            partition: p,
            seq: r.seq,
            id: r.msg_id,
            key: r.key,
            payload: new Uint8Array(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
            deliveryCount: 1,
          };
          await retryInPlace(msg, handler, o);
          acked = r.seq;
        }
        const upd = await db.query(
          'UPDATE bus_offsets SET acked_seq = $5 WHERE topic = $1 AND grp = $2 AND partition = $3 AND owner = $4',
          [topic, o.group, p, me, acked],
        );
        if (upd.rowCount === 0) return void owned.delete(p); // lease lost: another consumer owns it now
        if (stopped || rows.length < maxInFlight) return;
      }
    }

    function schedule(): void {
      for (const p of [...wake]) {
        if (stopped || running >= concurrency) return;
        if (busy.has(p) || !owned.has(p)) {
          if (!owned.has(p)) wake.delete(p);
          continue;
        }
        wake.delete(p);
        busy.add(p);
        running++;
        drainPartition(p)
          .catch((e) => onError(e as Error))
          .finally(() => {
            busy.delete(p);
            running--;
            kick?.();
          });
      }
    }

    const loop = (async () => {
      await listening;
      let lastClaim = 0;
      let lastPoll = 0;
      while (!stopped) {
        const now = Date.now();
        if (now - lastClaim > leaseMs / 3) {
          await claim().catch((e) => onError(e as Error));
          lastClaim = now;
        }
        // A missed notification (listener reconnecting) costs at most one poll interval.
        if (now - lastPoll > 1000) {
          for (const p of owned) wake.add(p);
          lastPoll = now;
        }
        schedule();
        await new Promise<void>((r) => {
          kick = r;
          setTimeout(r, 250);
        });
        kick = null;
      }
      while (running > 0) await sleep(10);
      // Release the partitions so a successor starts at once instead of waiting out the lease.
      await db
        .query(
          'UPDATE bus_offsets SET owner = NULL, lease_until = NULL WHERE topic = $1 AND grp = $2 AND owner = $3',
          [topic, o.group, me],
        )
        .catch(() => {});
      await listener.end().catch(() => {});
    })();

    return {
      async stop() {
        stopped = true;
        kick?.();
        await loop;
      },
    };
  }

  return {
    kind: 'postgres',
    partitions: P,
    async publish(topic, messages) {
      if (messages.length === 0) return [];
      await ensureTopic(topic);
      const byPartition = new Map<number, number[]>();
      messages.forEach((m, i) => {
        const part = partitionOf(m.key, P);
        const list = byPartition.get(part);
        if (list) list.push(i);
        else byPartition.set(part, [i]);
      });
      const out: PublishResult[] = new Array(messages.length);
      await Promise.all(
        [...byPartition].map(
          ([partition, idx]) =>
            new Promise<void>((resolve, reject) => {
              queue.push({
                topic,
                partition,
                messages: idx.map((i) => messages[i]!),
                resolve: (r) => {
                  idx.forEach((i, k) => {
                    out[i] = r[k]!;
                  });
                  resolve();
                },
                reject,
              });
              maybeFlush();
            }),
        ),
      );
      return out;
    },
    subscribe,
    async lag(topic, group) {
      // Counted from the log, not from heads: a duplicate publish reserves a sequence number it never uses.
      const { rows } = await db.query<{ lag: number | null }>(
        `SELECT count(*)::bigint AS lag FROM bus_log l
           LEFT JOIN bus_offsets o ON o.topic = l.topic AND o.partition = l.partition AND o.grp = $2
          WHERE l.topic = $1 AND l.seq > coalesce(o.acked_seq, 0)`,
        [topic, group],
      );
      return Number(rows[0]?.lag ?? 0);
    },
    async lagByPartition(topic, group) {
      const { rows } = await db.query<{ partition: number; lag: number }>(
        `SELECT l.partition, count(*)::bigint AS lag FROM bus_log l
           LEFT JOIN bus_offsets o ON o.topic = l.topic AND o.partition = l.partition AND o.grp = $2
          WHERE l.topic = $1 AND l.seq > coalesce(o.acked_seq, 0) GROUP BY l.partition`,
        [topic, group],
      );
      const out = new Array<number>(P).fill(0);
      for (const r of rows) out[r.partition] = Number(r.lag);
      return out;
    },
    async ready() {
      try {
        await db.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      while (flushes > 0 || queue.length > 0) await sleep(5);
    },
  };
}

/** Removes log entries every group has acknowledged and that are older than keepMs. */
export async function pruneBusLog(db: Db, keepMs: number): Promise<number> {
  const r = await db.query(
    `DELETE FROM bus_log l USING (
       SELECT topic, partition, min(acked_seq) AS upto FROM bus_offsets GROUP BY topic, partition) o
      WHERE l.topic = o.topic AND l.partition = o.partition AND l.seq <= o.upto
        AND l.created_at < now() - ($1 || ' milliseconds')::interval`,
    [String(keepMs)],
  );
  return r.rowCount ?? 0;
}
