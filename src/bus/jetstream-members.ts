// Which partitions a JetStream consumer process pulls: the live members of a group announce themselves on a
// core NATS subject, and each partition goes to one member by rendezvous hashing. That keeps a device on one
// worker (its pipeline state stays warm in memory) and moves only the partitions of a member that joins or
// leaves. Order does not depend on it: max_ack_pending 1 on each partition's consumer guarantees that even when
// two members briefly disagree about the membership.
import { createHash, randomBytes } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

export interface Membership {
  readonly id: string;
  owns(partition: number): boolean;
  /** Announces the departure, so the others take over at once instead of after the timeout. */
  leave(): void;
}

export function joinGroup(
  nc: NatsConnection,
  subject: string,
  o: { heartbeatMs?: number; timeoutMs?: number } = {},
): Membership {
  const id = randomBytes(6).toString('hex');
  const heartbeatMs = o.heartbeatMs ?? 1000;
  const timeoutMs = o.timeoutMs ?? 3.5 * heartbeatMs;
  const seen = new Map<string, number>();
  // A cryptographic hash mixes member and partition well (FNV of near-identical keys ranks members alike).
  const scores = new Map<string, number[]>();
  const score = (member: string, partition: number): number => {
    let s = scores.get(member);
    if (!s) scores.set(member, (s = []));
    s[partition] ??= createHash('sha1').update(`${member}#${partition}`).digest().readUInt32BE(0);
    return s[partition]!;
  };
  let sub: Subscription | null = nc.subscribe(subject, {
    callback: (_err, m) => {
      const text = m.string();
      if (text.startsWith('-')) {
        seen.delete(text.slice(1));
        scores.delete(text.slice(1));
      } else seen.set(text, Date.now());
    },
  });
  const beat = (): void => {
    if (!nc.isClosed()) nc.publish(subject, id);
  };
  beat();
  const timer = setInterval(beat, heartbeatMs);
  timer.unref();
  return {
    id,
    owns(partition) {
      const now = Date.now();
      let best = id;
      let bestScore = score(id, partition);
      for (const [m, at] of seen) {
        if (m === id) continue;
        if (now - at > timeoutMs) {
          seen.delete(m);
          scores.delete(m);
          continue;
        }
        const sc = score(m, partition);
        if (sc > bestScore || (sc === bestScore && m > best)) {
          best = m;
          bestScore = sc;
        }
      }
      return best === id;
    },
    leave() {
      clearInterval(timer);
      if (!nc.isClosed()) nc.publish(subject, `-${id}`);
      sub?.unsubscribe();
      sub = null;
    },
  };
}
