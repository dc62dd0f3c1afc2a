// Test support shared by the protocol tests: the real captures, a recording sink, a directory, a log capture,
// and a TCP client that reads exact byte counts. Not used by product code.
import { readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { SensorBatch } from '../../domain/index.ts';
import type { DeviceDirectory, DeviceProtocol, DurableSink } from './types.ts';

const DATA = new URL('../../../../shared/data/traccar-packets/', import.meta.url);

export interface TeltonikaCapture {
  idx: number;
  call: string;
  checkLocation: boolean;
  codec: string;
  expect: string;
  bytes: Buffer;
}

export function teltonikaCaptures(): TeltonikaCapture[] {
  const [, ...lines] = readFileSync(new URL('teltonika_packets.tsv', DATA), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const c = line.split('\t');
    return {
      idx: Number(c[0]),
      call: c[3]!,
      checkLocation: c[4] === 'True',
      codec: c[5]!,
      expect: c[7]!,
      bytes: Buffer.from(c[9]!, 'hex'),
    };
  });
}

export interface OsmAndCapture {
  call: string;
  type: string;
  payload: string;
}

export function osmAndCaptures(): OsmAndCapture[] {
  const [, ...lines] = readFileSync(new URL('osmand_requests.tsv', DATA), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [call, type, payload] = line.split('\t');
    return { call: call!, type: type!, payload: payload! };
  });
}

export function osmAndJsonBodies(): string[] {
  return readFileSync(new URL('osmand_json_bodies.jsonl', DATA), 'utf8').trim().split('\n');
}

/** Records every batch; duplicates by batchId are reported as such, like a real idempotent store. */
export class RecordingSink implements DurableSink {
  readonly batches: SensorBatch[] = [];
  readonly ids = new Set<string>();
  /** When set, write() rejects with this error. */
  failWith: Error | null = null;
  /** When set, write() waits for this before resolving. */
  gate: Promise<void> | null = null;
  /** Calls to write() so far, including those still waiting on the gate. */
  writesStarted = 0;
  /** When true, each write() waits for a turn of the event loop, as real I/O would, letting reads interleave. */
  yieldEachWrite = false;

  async write(batch: SensorBatch): Promise<{ accepted: number; duplicate: boolean }> {
    this.writesStarted++;
    if (this.yieldEachWrite) await new Promise((r) => setImmediate(r));
    if (this.gate) await this.gate;
    if (this.failWith) throw this.failWith;
    if (this.ids.has(batch.batchId)) return { accepted: 0, duplicate: true };
    this.ids.add(batch.batchId);
    this.batches.push(batch);
    return { accepted: (batch.gps?.t.length ?? 0) + (batch.deviceEvents?.length ?? 0), duplicate: false };
  }
}

export function directoryOf(entries: Record<string, string>, protocol: DeviceProtocol): DeviceDirectory {
  return {
    async lookup(p, externalId) {
      const deviceId = p === protocol ? entries[externalId] : undefined;
      return deviceId === undefined ? null : { deviceId };
    },
  };
}

export interface CapturedLog {
  level: number;
  msg: string;
  code?: string;
  [k: string]: unknown;
}

export function captureLogger(): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as CapturedLog);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** A TCP client that reads exact byte counts and tells when the server closed the connection. */
export class TestClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new TestClient(s)));
      s.once('error', reject);
    });
  }

  send(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Exactly n bytes, or null when the server closed first. */
  async read(n: number): Promise<Buffer | null> {
    while (this.buf.length < n) {
      if (this.isClosed) return null;
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Everything received before the server closed the connection. */
  async readUntilClosed(): Promise<Buffer> {
    await this.closed;
    return this.buf;
  }

  end(): void {
    this.socket.end();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
