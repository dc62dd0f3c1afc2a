// The bus on NATS JetStream: one stream, a subject per partition, a durable pull consumer per
// (group, partition) processed in order. Duplicate detection by Nats-Msg-Id within the stream's window;
// the worker's own idempotency record covers resends after the window.
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, headers, type NatsConnection, nanos } from '@nats-io/transport-node';
import { joinGroup } from './jetstream-members.ts';
import { retryInPlace } from './retry.ts';
import {
  type Bus,
  type BusMessage,
  type MessageHandler,
  partitionOf,
  type SubscribeOptions,
  type Subscription,
  sleep,
} from './types.ts';

export interface JetStreamBusOptions {
  partitions: number;
  replicas?: number;
  duplicateWindowMs?: number;
  /** Messages older than this are dropped from the stream (they are archived in PostgreSQL by the worker). */
  maxAgeMs?: number;
  streamPrefix?: string;
}

const streamName = (prefix: string, topic: string): string =>
  `${prefix}_${topic}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');

export async function createJetStreamBus(url: string, opts: JetStreamBusOptions): Promise<Bus> {
  const P = opts.partitions;
  const prefix = opts.streamPrefix ?? 'openubi';
  const nc: NatsConnection = await connect({
    servers: url.split(','),
    maxReconnectAttempts: -1,
    name: 'openubi',
  });
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const js: JetStreamClient = jetstream(nc);
  const ensured = new Map<string, Promise<void>>();

  function ensureStream(topic: string): Promise<void> {
    let p = ensured.get(topic);
    if (!p) {
      const name = streamName(prefix, topic);
      const cfg = {
        name,
        subjects: [`${prefix}.${topic}.*`],
        num_replicas: opts.replicas ?? 1,
        duplicate_window: nanos(opts.duplicateWindowMs ?? 10 * 60_000),
        max_age: nanos(opts.maxAgeMs ?? 7 * 86_400_000),
      };
      p = jsm.streams
        .info(name)
        .then(
          () => undefined,
          async () => {
            await jsm.streams.add(cfg);
          },
        )
        .then(() => undefined);
      ensured.set(topic, p);
      p.catch(() => ensured.delete(topic));
    }
    return p;
  }

  function subscribe(topic: string, handler: MessageHandler, o: SubscribeOptions): Subscription {
    const maxInFlight = o.maxInFlight ?? 64;
    const concurrency = o.concurrency ?? 4;
    const leaseMs = o.leaseMs ?? 30_000;
    const onError = o.onError ?? (() => {});
    let stopped = false;
    const slots = fifoSemaphore(concurrency);
    const stream = streamName(prefix, topic);
    const members = joinGroup(nc, `${prefix}._members.${topic}.${o.group}`);

    async function partitionLoop(p: number): Promise<void> {
      const name = `${o.group}_p${p}`;
      await ensureStream(topic);
      // One unacknowledged message per partition: every worker process pulls from the same durable consumer,
      // so this is what keeps a device's batches in order when workers join, leave or die (a redelivery is
      // the only message the partition can hand out until it is acknowledged). Messages still arrive
      // pipelined: the open pull request is refilled as soon as the ack lands.
      const config = {
        durable_name: name,
        filter_subject: `${prefix}.${topic}.${p}`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(leaseMs),
        max_ack_pending: 1,
        max_deliver: -1,
      };
      const existing = await jsm.consumers.info(stream, name).catch(() => null);
      if (!existing) await jsm.consumers.add(stream, config).catch(() => jsm.consumers.info(stream, name));
      else if (existing.config.max_ack_pending !== 1)
        await jsm.consumers.update(stream, name, { max_ack_pending: 1 });
      const consumer = await js.consumers.get(stream, name);
      while (!stopped) {
        if (!members.owns(p)) {
          await sleep(250);
          continue;
        }
        let inHand: { nak(): void } | null = null;
        try {
          const iter = await consumer.fetch({ max_messages: maxInFlight, expires: 1000 });
          for await (const m of iter) {
            if (stopped) {
              m.nak();
              continue;
            }
            inHand = m;
            const msg: BusMessage = {
              topic,
              partition: p,
              seq: m.seq,
              id: m.headers?.get('Nats-Msg-Id') ?? String(m.seq),
              key: m.headers?.get('Openubi-Key') ?? '',
              payload: m.data,
              deliveryCount: m.info.deliveryCount,
            };
            // The lease is kept alive from receipt, also while waiting for a slot.
            const keepAlive = setInterval(() => m.working(), Math.max(1000, leaseMs / 3));
            // Slots bound the partitions processed at once, taken per message, first come first served, so an
            // idle partition never holds one.
            const release = await slots.acquire();
            try {
              await retryInPlace(msg, handler, o);
            } finally {
              clearInterval(keepAlive);
              release();
            }
            // A plain ack, not a confirmed one: the partition hands out its next message once the ack lands, and
            // an ack that is lost only means a redelivery, which the worker's idempotency record absorbs.
            m.ack();
            inHand = null;
          }
        } catch (e) {
          // A message that could not be handled goes back at once rather than after the ack wait.
          inHand?.nak();
          // The client ends a fetch whose server heartbeats (every expires/2) it did not see twice in a row: it
          // happens when this process's event loop stalls for a second under load. Nothing is lost (no message
          // is in hand, an unacknowledged one is redelivered): pull again at once, it is not a failure.
          if (!inHand && (e as Error).message === 'heartbeats missed') continue;
          if (!stopped) {
            onError(e as Error);
            await sleep(500);
          }
        }
      }
    }

    const loops = Array.from({ length: P }, (_, p) => partitionLoop(p).catch((e) => onError(e as Error)));
    return {
      async stop() {
        stopped = true;
        await Promise.all(loops);
        members.leave();
      },
    };
  }

  async function lagByPartition(topic: string, group: string): Promise<number[]> {
    const stream = streamName(prefix, topic);
    const out: number[] = [];
    for (let p = 0; p < P; p++) {
      try {
        const ci = await jsm.consumers.info(stream, `${group}_p${p}`);
        out.push(ci.num_pending + ci.num_ack_pending);
      } catch {
        // A partition nobody consumed yet: its whole subject is pending.
        const si = await jsm.streams
          .info(stream, { subjects_filter: `${prefix}.${topic}.${p}` })
          .catch(() => null);
        out.push(Number(si?.state.subjects?.[`${prefix}.${topic}.${p}`] ?? 0));
      }
    }
    return out;
  }

  return {
    kind: 'jetstream',
    partitions: P,
    async publish(topic, messages) {
      await ensureStream(topic);
      return Promise.all(
        messages.map(async (m) => {
          const h = headers();
          h.set('Openubi-Key', m.key);
          const ack = await js.publish(`${prefix}.${topic}.${partitionOf(m.key, P)}`, m.payload, {
            msgID: m.id,
            headers: h,
          });
          return { id: m.id, duplicate: ack.duplicate };
        }),
      );
    },
    subscribe,
    async lag(topic, group) {
      return (await lagByPartition(topic, group)).reduce((s, n) => s + n, 0);
    },
    lagByPartition,
    async ready() {
      if (nc.isClosed()) return false;
      try {
        await nc.flush();
        await jsm.getAccountInfo();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await nc.drain().catch(() => {});
    },
  };
}

function fifoSemaphore(n: number): { acquire(): Promise<() => void> } {
  let free = n;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    acquire() {
      if (free > 0) {
        free--;
        return Promise.resolve(release);
      }
      return new Promise((r) => waiting.push(() => r(release)));
    },
  };
}
