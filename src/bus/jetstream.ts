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

    async function partitionLoop(p: number): Promise<void> {
      const name = `${o.group}_p${p}`;
      await ensureStream(topic);
      await jsm.consumers.info(stream, name).catch(() =>
        jsm.consumers.add(stream, {
          durable_name: name,
          filter_subject: `${prefix}.${topic}.${p}`,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(leaseMs),
          max_ack_pending: maxInFlight,
          max_deliver: -1,
        }),
      );
      const consumer = await js.consumers.get(stream, name);
      while (!stopped) {
        // Slots bound the partitions processed at once; a partition takes one only when it has messages,
        // first come first served, so an idle partition never blocks a busy one.
        let release: (() => void) | null = null;
        try {
          const iter = await consumer.fetch({ max_messages: maxInFlight, expires: 1000 });
          for await (const m of iter) {
            if (stopped) {
              m.nak();
              continue;
            }
            release ??= await slots.acquire();
            const msg: BusMessage = {
              topic,
              partition: p,
              seq: m.seq,
              id: m.headers?.get('Nats-Msg-Id') ?? String(m.seq),
              key: m.headers?.get('Openubi-Key') ?? '',
              payload: m.data,
              deliveryCount: m.info.deliveryCount,
            };
            const keepAlive = setInterval(() => m.working(), Math.max(1000, leaseMs / 3));
            try {
              await retryInPlace(msg, handler, o);
            } finally {
              clearInterval(keepAlive);
            }
            await m.ackAck();
          }
        } catch (e) {
          if (!stopped) {
            onError(e as Error);
            await sleep(500);
          }
        } finally {
          release?.();
        }
      }
    }

    const loops = Array.from({ length: P }, (_, p) => partitionLoop(p).catch((e) => onError(e as Error)));
    return {
      async stop() {
        stopped = true;
        await Promise.all(loops);
      },
    };
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
      const stream = streamName(prefix, topic);
      let total = 0;
      for (let p = 0; p < P; p++) {
        try {
          const ci = await jsm.consumers.info(stream, `${group}_p${p}`);
          total += ci.num_pending + ci.num_ack_pending;
        } catch {
          // A partition nobody consumed yet: its whole subject is pending.
          const si = await jsm.streams
            .info(stream, { subjects_filter: `${prefix}.${topic}.${p}` })
            .catch(() => null);
          total += Number(si?.state.subjects?.[`${prefix}.${topic}.${p}`] ?? 0);
        }
      }
      return total;
    },
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
