// A small Prometheus registry: counters, gauges and histograms with labels, text exposition format 0.0.4.

type Labels = Record<string, string>;

const key = (l: Labels): string =>
  Object.keys(l)
    .sort()
    .map((k) => `${k}="${String(l[k]).replace(/["\\\n]/g, '_')}"`)
    .join(',');

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter implements Metric {
  readonly type = 'counter';
  private values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }
  render(): string[] {
    if (this.values.size === 0) return [`${this.name} 0`];
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Gauge implements Metric {
  readonly type = 'gauge';
  private values = new Map<string, number>();
  private collectors: Array<() => Promise<void> | void> = [];
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(value: number, labels: Labels = {}): void {
    this.values.set(key(labels), value);
  }
  /** Runs before each scrape, for values read from elsewhere (e.g. bus lag). */
  collect(fn: () => Promise<void> | void): void {
    this.collectors.push(fn);
  }
  async refresh(): Promise<void> {
    for (const c of this.collectors) await c();
  }
  render(): string[] {
    if (this.values.size === 0) return [`${this.name} 0`];
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Histogram implements Metric {
  readonly type = 'histogram';
  private counts: number[];
  private sum = 0;
  private n = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {
    this.counts = new Array(buckets.length).fill(0);
  }
  observe(v: number): void {
    this.sum += v;
    this.n++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++;
  }
  render(): string[] {
    const lines = this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`);
    lines.push(
      `${this.name}_bucket{le="+Inf"} ${this.n}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.n}`,
    );
    return lines;
  }
}

export class Registry {
  private metrics: Metric[] = [];
  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets: number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }
  private add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
  async render(): Promise<string> {
    const out: string[] = [];
    for (const m of this.metrics) {
      if (m instanceof Gauge) await m.refresh().catch(() => {});
      out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.render());
    }
    return `${out.join('\n')}\n`;
  }
}

/** The platform's metrics, one registry per process. */
export function platformMetrics(r = new Registry()) {
  return {
    registry: r,
    batches: r.counter('openubi_ingest_batches_total', 'Batches accepted durably (duplicates included)'),
    duplicates: r.counter('openubi_ingest_duplicate_batches_total', 'Batches that were already stored'),
    samples: r.counter('openubi_ingest_samples_total', 'Samples accepted durably, by source'),
    rejects: r.counter('openubi_ingest_rejects_total', 'Rejected ingest requests, by reason'),
    ackLatency: r.histogram(
      'openubi_ingest_ack_seconds',
      'Time from request to durable acknowledgement',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    pending: r.gauge('openubi_ingest_pending_batches', 'Batches waiting to become durable'),
    lag: r.gauge('openubi_bus_consumer_lag', 'Messages published but not yet processed, by group'),
    processed: r.counter('openubi_worker_batches_total', 'Batches processed by the worker, by outcome'),
    trips: r.counter('openubi_trips_total', 'Trips completed and stored'),
    events: r.counter('openubi_events_total', 'Driving events stored, by kind'),
    deadLetters: r.counter('openubi_dead_letters_total', 'Messages moved to the dead-letter store'),
    partitionLag: r.gauge(
      'openubi_bus_partition_lag',
      'Messages published but not yet processed, by group and partition',
    ),
    tripLatency: r.histogram(
      'openubi_trip_completion_seconds',
      "Time from a trip's last sample to the trip being stored",
      [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 86400],
    ),
    errors: r.counter(
      'openubi_errors_total',
      'Errors by kind: ingest_unavailable, worker_retry, database_unavailable, dead_letter, trip_hook',
    ),
  };
}

export type PlatformMetrics = ReturnType<typeof platformMetrics>;
