// The bus port: partitioned by key (the device), ordered within a partition, at-least-once delivery.

export interface PublishInput {
  /** Partition key: all messages of one key keep their order. */
  key: string;
  /** Idempotency key: publishing the same id again is a no-op reported as duplicate. */
  id: string;
  payload: Uint8Array;
}

export interface PublishResult {
  id: string;
  duplicate: boolean;
}

export interface BusMessage {
  topic: string;
  partition: number;
  seq: number;
  id: string;
  key: string;
  payload: Uint8Array;
  /** 1 on first delivery; more after a failed attempt or a consumer that died before acking. */
  deliveryCount: number;
}

/** Resolving acknowledges the message; throwing retries it in place (order holds), then dead-letters it. */
export type MessageHandler = (msg: BusMessage) => Promise<void>;

export interface SubscribeOptions {
  group: string;
  /** Messages fetched from one partition at a time (bounded in-flight work). */
  maxInFlight?: number;
  /** Partitions processed at once by this consumer. */
  concurrency?: number;
  /** Attempts before a message goes to the dead-letter callback. */
  maxDeliver?: number;
  retryDelayMs?: number;
  /** How long a dead consumer keeps its partitions (PostgreSQL) or its unacked messages (JetStream ack wait). */
  leaseMs?: number;
  onDeadLetter?: (msg: BusMessage, error: Error) => Promise<void>;
  onError?: (error: Error) => void;
}

export interface Subscription {
  /** Stops fetching, finishes the messages in hand, commits their acks. */
  stop(): Promise<void>;
}

export interface Bus {
  readonly kind: 'postgres' | 'jetstream';
  readonly partitions: number;
  /** Resolves only once every message is durable. */
  publish(topic: string, messages: PublishInput[]): Promise<PublishResult[]>;
  subscribe(topic: string, handler: MessageHandler, opts: SubscribeOptions): Subscription;
  /** Messages published but not yet acknowledged by the group. */
  lag(topic: string, group: string): Promise<number>;
  /** The same, per partition (index = partition), for the per-partition lag metric. */
  lagByPartition?(topic: string, group: string): Promise<number[]>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** FNV-1a: stable across processes and languages, so every gateway maps a device to the same partition. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
