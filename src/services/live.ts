// Live updates: one LISTEN connection per process (domain events and ephemeral live positions) fanned out to
// subscribers — a driver's stream (their events and positions) and a tenant's portfolio counters.
import type { Logger } from 'pino';
import type { Db, Queryable } from '../store/index.ts';
import { DOMAIN_EVENTS_CHANNEL, type DomainEvent, readEvents } from './events.ts';
import { currentOutboxPosition, listen, type OutboxCursor, readSettledEvents } from './outbox.ts';

export const LIVE_POSITIONS_CHANNEL = 'live_positions';

export interface LivePosition {
  tenantId: string;
  driverId: string;
  deviceId: string;
  tMs: number;
  lat: number;
  lon: number;
  speedMps: number;
}

/** Announces a position of a trip in progress to every API process (not stored; lost if nobody listens). */
export async function notifyLivePosition(q: Queryable, p: LivePosition): Promise<void> {
  const { tenantId, driverId, deviceId, tMs, lat, lon, speedMps } = p;
  await q.query(`SELECT pg_notify('${LIVE_POSITIONS_CHANNEL}', $1)`, [
    JSON.stringify({ tenantId, driverId, deviceId, tMs, lat, lon, speedMps }),
  ]);
}

export interface PortfolioCounters {
  atMs: number;
  /** Counted trips that started today (UTC). */
  tripsToday: number;
  /** Non-voided driving events today (UTC). */
  eventsToday: number;
  /** Devices whose data was processed in the last 15 minutes. */
  activeDevices: number;
  /** Devices with a trip in progress. */
  drivingNow: number;
}

export async function portfolioCounters(
  q: Queryable,
  tenantId: string,
  nowMs: number,
): Promise<PortfolioCounters> {
  const today = new Date(Math.floor(nowMs / 86_400_000) * 86_400_000);
  const { rows } = await q.query<Omit<PortfolioCounters, 'atMs'>>(
    `SELECT
       (SELECT count(*)::int FROM trips WHERE tenant_id = $1 AND counted AND start_at >= $2) AS "tripsToday",
       (SELECT count(*)::int FROM events WHERE tenant_id = $1 AND NOT voided AND start_at >= $2) AS "eventsToday",
       (SELECT count(DISTINCT pb.device_id)::int FROM processed_batches pb JOIN devices d ON d.id = pb.device_id
         WHERE d.tenant_id = $1 AND pb.processed_at >= $3) AS "activeDevices",
       (SELECT count(*)::int FROM device_state s JOIN devices d ON d.id = s.device_id
         WHERE d.tenant_id = $1 AND s.open_trip) AS "drivingNow"`,
    [tenantId, today, new Date(nowMs - 15 * 60_000)],
  );
  return { atMs: nowMs, ...rows[0]! };
}

/** Where a subscriber's messages go (an SSE stream); `id` is the outbox seq of a domain event. */
export interface LiveSink {
  send(event: string, data: unknown, id?: number): void;
  comment(text: string): void;
  close(): void;
}

export interface LiveHub {
  /** Streams the driver's events (after `afterSeq` first, when resuming) and positions until unsubscribed. */
  subscribeDriver(
    tenantId: string,
    driverId: string,
    sink: LiveSink,
    afterSeq: number | null,
  ): Promise<() => void>;
  /** Sends the tenant's counters now, then every few seconds and soon after each of its events. */
  subscribePortfolio(tenantId: string, sink: LiveSink): Promise<() => void>;
  lastPosition(tenantId: string, driverId: string): LivePosition | null;
  /** Ends every stream and the LISTEN connection. */
  stop(): Promise<void>;
}

export interface LiveHubOptions {
  db: Db;
  logger: Logger;
  now?: () => number;
  portfolioEveryMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
}

interface DriverSub {
  sink: LiveSink;
  /** Events held while the resume catch-up runs; null once live. */
  pending: DomainEvent[] | null;
}

const MAX_POSITIONS = 100_000;

export function createLiveHub(opts: LiveHubOptions): LiveHub {
  const { db } = opts;
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ component: 'live' });
  const drivers = new Map<string, Set<DriverSub>>();
  const portfolios = new Map<string, Set<LiveSink>>();
  const positions = new Map<string, LivePosition>();
  const dueTenants = new Set<string>();
  const key = (tenantId: string, driverId: string) => `${tenantId}\u0000${driverId}`;
  let cursor: OutboxCursor | null = null;
  // Subscribers wait for the starting position, so nothing published after they joined is skipped.
  const ready = currentOutboxPosition(db).then(
    (c) => {
      cursor ??= c;
    },
    (e) => log.warn({ err: (e as Error).message }, 'live: cannot read the outbox position'),
  );
  let reading: Promise<void> | null = null;
  let readAgain = false;
  let stopped = false;

  const safeSend = (sink: LiveSink, event: string, data: unknown, id?: number) => {
    try {
      sink.send(event, data, id);
    } catch (e) {
      log.debug({ err: (e as Error).message }, 'live: send failed');
    }
  };

  function dispatch(e: DomainEvent): void {
    if (e.driverId)
      for (const sub of drivers.get(key(e.tenantId, e.driverId)) ?? []) {
        if (sub.pending) sub.pending.push(e);
        else safeSend(sub.sink, e.type, e, e.seq);
      }
    if (portfolios.has(e.tenantId)) dueTenants.add(e.tenantId);
  }

  async function readNew(): Promise<void> {
    if (cursor === null || (drivers.size === 0 && portfolios.size === 0)) {
      // Nobody listens (or just started): skip ahead rather than replay a backlog to the next subscriber;
      // a resuming subscriber catches up from its own Last-Event-ID.
      cursor = await currentOutboxPosition(db);
      return;
    }
    for (;;) {
      const events = await readSettledEvents(db, cursor, 500);
      if (events.length === 0) return;
      const last = events[events.length - 1]!;
      cursor = { txid: last.txid, seq: last.seq };
      for (const e of events) dispatch(e);
      if (events.length < 500) return;
    }
  }

  function scheduleRead(): void {
    if (stopped) return;
    if (reading) {
      readAgain = true;
      return;
    }
    reading = (async () => {
      do {
        readAgain = false;
        await readNew().catch((e) => log.warn({ err: (e as Error).message }, 'live: outbox read failed'));
      } while (readAgain && !stopped);
      reading = null;
      if (dueTenants.size) void refreshPortfolios([...dueTenants]);
    })();
  }

  async function refreshPortfolios(tenants: string[]): Promise<void> {
    for (const t of tenants) {
      dueTenants.delete(t);
      const sinks = portfolios.get(t);
      if (!sinks?.size) continue;
      try {
        const c = await portfolioCounters(db, t, now());
        for (const s of sinks) safeSend(s, 'counters', c);
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'live: counters failed');
      }
    }
  }

  function onPosition(payload: string): void {
    let p: LivePosition;
    try {
      p = JSON.parse(payload) as LivePosition;
    } catch {
      return;
    }
    if (typeof p.tenantId !== 'string' || typeof p.driverId !== 'string') return;
    const k = key(p.tenantId, p.driverId);
    positions.delete(k);
    if (positions.size >= MAX_POSITIONS) positions.delete(positions.keys().next().value as string);
    positions.set(k, p);
    for (const sub of drivers.get(k) ?? []) if (!sub.pending) safeSend(sub.sink, 'position', p);
  }

  const listener = listen(
    db,
    [DOMAIN_EVENTS_CHANNEL, LIVE_POSITIONS_CHANNEL],
    (channel, payload) => (channel === LIVE_POSITIONS_CHANNEL ? onPosition(payload) : scheduleRead()),
    log,
  );
  const timers = [
    setInterval(scheduleRead, opts.pollMs ?? 2000),
    setInterval(() => void refreshPortfolios([...portfolios.keys()]), opts.portfolioEveryMs ?? 5000),
    setInterval(() => {
      for (const subs of drivers.values()) for (const s of subs) s.sink.comment('ping');
      for (const sinks of portfolios.values()) for (const s of sinks) s.comment('ping');
    }, opts.heartbeatMs ?? 15_000),
  ];
  for (const t of timers) t.unref();

  return {
    async subscribeDriver(tenantId, driverId, sink, afterSeq) {
      await ready;
      // A stream that opened while the hub was stopping would never be closed by stop(): end it now.
      if (stopped) {
        sink.close();
        return () => {};
      }
      const k = key(tenantId, driverId);
      const sub: DriverSub = { sink, pending: [] };
      if (!drivers.has(k)) drivers.set(k, new Set());
      drivers.get(k)!.add(sub);
      const sent = new Set<number>();
      try {
        if (afterSeq !== null)
          for (const e of await readEvents(db, { afterSeq, limit: 1000, tenantId, driverId })) {
            safeSend(sink, e.type, e, e.seq);
            sent.add(e.seq);
          }
      } finally {
        const held = sub.pending ?? [];
        sub.pending = null;
        for (const e of held) if (!sent.has(e.seq)) safeSend(sink, e.type, e, e.seq);
      }
      return () => {
        const set = drivers.get(k);
        set?.delete(sub);
        if (set?.size === 0) drivers.delete(k);
      };
    },
    async subscribePortfolio(tenantId, sink) {
      await ready;
      if (stopped) {
        sink.close();
        return () => {};
      }
      safeSend(sink, 'counters', await portfolioCounters(db, tenantId, now()));
      if (stopped) {
        sink.close();
        return () => {};
      }
      if (!portfolios.has(tenantId)) portfolios.set(tenantId, new Set());
      portfolios.get(tenantId)!.add(sink);
      return () => {
        const set = portfolios.get(tenantId);
        set?.delete(sink);
        if (set?.size === 0) portfolios.delete(tenantId);
      };
    },
    lastPosition: (tenantId, driverId) => positions.get(key(tenantId, driverId)) ?? null,
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      for (const subs of drivers.values()) for (const s of subs) s.sink.close();
      for (const sinks of portfolios.values()) for (const s of sinks) s.close();
      drivers.clear();
      portfolios.clear();
      await listener.close();
      await reading;
    },
  };
}
