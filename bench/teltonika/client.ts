// Benchmark load generator, run as a forked child of bench/teltonika.ts: N simulated FMB devices, each one TCP
// connection that logs in and sends codec 8E frames, timing every ACK. Talks to the parent over IPC.
import { type Socket, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  type AvlRecord,
  CODEC_8E,
  encodeAvlFrame,
  encodeLogin,
} from '../../src/ingest/protocols/teltonika/index.ts';

export interface RunCommand {
  type: 'run';
  port: number;
  devices: number;
  recordsPerFrame: number;
  intervalMs: number;
  steadyS: number;
  peakS: number;
}

export interface PhaseReport {
  type: 'phase-done';
  phase: 'steady' | 'peak';
  framesSent: number;
  framesAcked: number;
  /** Steady phase: ticks where the previous frame was still unacknowledged, so no frame was sent. */
  ticksSkipped: number;
  latencyMs: { count: number; p50: number; p90: number; p99: number; max: number };
  /** p99 ACK latency of the frames acknowledged in each second of the phase: shows stalls and warm-up. */
  p99MsBySecond: number[];
}

export type ClientMessage =
  | { type: 'connected'; devices: number; failed: number }
  | { type: 'phase-start'; phase: 'steady' | 'peak' }
  | PhaseReport
  | { type: 'done'; disconnects: number };

const send = (m: ClientMessage): void => void process.send?.(m);

class Device {
  private socket!: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private seq = 0;
  private sentAt: number | null = null;
  private onAck: ((latencyMs: number) => void) | null = null;
  disconnected = false;

  constructor(
    readonly imei: string,
    private readonly index: number,
    private readonly recordsPerFrame: number,
  ) {}

  login(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.socket = connect(port, '127.0.0.1', () => this.socket.write(encodeLogin(this.imei)));
      this.socket.setNoDelay(true);
      let loggedIn = false;
      this.socket.on('data', (chunk: Buffer) => {
        if (!loggedIn) {
          loggedIn = true;
          resolve(chunk[0] === 1);
          chunk = chunk.subarray(1);
        }
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        while (this.buf.length >= 4) {
          this.buf = this.buf.subarray(4);
          const latency = performance.now() - (this.sentAt ?? Number.NaN);
          this.sentAt = null;
          this.onAck?.(latency);
        }
      });
      this.socket.on('error', () => resolve(false));
      this.socket.on('close', () => {
        this.disconnected = true;
        if (!loggedIn) resolve(false);
      });
    });
  }

  get busy(): boolean {
    return this.sentAt !== null;
  }

  sendFrame(onAck: (latencyMs: number) => void): void {
    this.onAck = onAck;
    const frame = encodeAvlFrame(CODEC_8E, this.records());
    this.sentAt = performance.now();
    this.socket.write(frame);
  }

  /** A vehicle driving east at 50 km/h, one record a second; content differs every frame. */
  private records(): AvlRecord[] {
    const out: AvlRecord[] = [];
    for (let i = 0; i < this.recordsPerFrame; i++) {
      const n = this.seq++;
      out.push({
        timestampMs: Date.UTC(2024, 0, 1) + n * 1000,
        priority: 0,
        latDeg: 42.5 + (this.index % 100) * 1e-3,
        lonDeg: Number((1.5 + n * 1.25e-4).toFixed(7)),
        altitudeM: 1000,
        headingDeg: 90,
        satellites: 10,
        speedKmh: 50,
        eventIoId: 0,
        io: [
          { id: 239, size: 1, value: 1 },
          { id: 240, size: 1, value: 1 },
          { id: 21, size: 1, value: 4 },
          { id: 24, size: 2, value: 50 },
          { id: 66, size: 2, value: 13_900 },
          { id: 67, size: 2, value: 4_050 },
          { id: 182, size: 2, value: 9 },
          { id: 17, size: 2, value: 12 },
          { id: 18, size: 2, value: 65_530 },
          { id: 19, size: 2, value: 1_002 },
          { id: 16, size: 4, value: 100_000 + n * 14 },
          { id: 199, size: 4, value: n * 14 },
        ],
      });
    }
    return out;
  }

  close(): void {
    this.socket.end();
  }
}

function bySecond(lat: number[], at: number[]): number[] {
  const buckets: number[][] = [];
  at.forEach((t, i) => {
    const b = Math.floor(t / 1000);
    (buckets[b] ??= []).push(lat[i]!);
  });
  return Array.from(buckets, (b) => summarize(b ?? []).p99);
}

function summarize(lat: number[]) {
  const s = Float64Array.from(lat).sort();
  const at = (p: number) =>
    s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : Number.NaN;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { count: s.length, p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(s.at(-1) ?? Number.NaN) };
}

async function run(cmd: RunCommand): Promise<void> {
  const devices = Array.from(
    { length: cmd.devices },
    (_, i) => new Device(`35${String(i).padStart(13, '0')}`, i, cmd.recordsPerFrame),
  );
  let failed = 0;
  for (let i = 0; i < devices.length; i += 100) {
    const results = await Promise.all(devices.slice(i, i + 100).map((d) => d.login(cmd.port)));
    failed += results.filter((ok) => !ok).length;
  }
  send({ type: 'connected', devices: devices.length - failed, failed });

  // Steady phase: every device sends one frame per interval, at its own random offset.
  send({ type: 'phase-start', phase: 'steady' });
  const steady = { framesSent: 0, framesAcked: 0, ticksSkipped: 0, lat: [] as number[], at: [] as number[] };
  const steadyStart = performance.now();
  const ackSteady = (ms: number) => {
    steady.framesAcked++;
    steady.lat.push(ms);
    steady.at.push(performance.now() - steadyStart);
  };
  const timers: NodeJS.Timeout[] = [];
  for (const d of devices) {
    const tick = () => {
      if (d.disconnected) return;
      if (d.busy) steady.ticksSkipped++;
      else {
        steady.framesSent++;
        d.sendFrame(ackSteady);
      }
    };
    timers.push(
      setTimeout(() => {
        tick();
        timers.push(setInterval(tick, cmd.intervalMs));
      }, Math.random() * cmd.intervalMs),
    );
  }
  await sleep(cmd.steadyS * 1000);
  for (const t of timers) clearTimeout(t);
  while (devices.some((d) => d.busy && !d.disconnected)) await sleep(10);
  send({
    type: 'phase-done',
    phase: 'steady',
    ...pick(steady),
    latencyMs: summarize(steady.lat),
    p99MsBySecond: bySecond(steady.lat, steady.at),
  });

  // Peak phase: every device sends its next frame as soon as the previous one is acknowledged.
  send({ type: 'phase-start', phase: 'peak' });
  const peak = { framesSent: 0, framesAcked: 0, ticksSkipped: 0, lat: [] as number[], at: [] as number[] };
  const peakStart = performance.now();
  const deadline = peakStart + cmd.peakS * 1000;
  for (const d of devices) {
    const loop = (ms: number) => {
      peak.framesAcked++;
      peak.lat.push(ms);
      peak.at.push(performance.now() - peakStart);
      if (performance.now() < deadline && !d.disconnected) {
        peak.framesSent++;
        d.sendFrame(loop);
      }
    };
    if (!d.disconnected) {
      peak.framesSent++;
      d.sendFrame(loop);
    }
  }
  await sleep(cmd.peakS * 1000);
  while (devices.some((d) => d.busy && !d.disconnected)) await sleep(10);
  send({
    type: 'phase-done',
    phase: 'peak',
    ...pick(peak),
    latencyMs: summarize(peak.lat),
    p99MsBySecond: bySecond(peak.lat, peak.at),
  });

  const disconnects = devices.filter((d) => d.disconnected).length;
  for (const d of devices) d.close();
  send({ type: 'done', disconnects });
}

const pick = (p: { framesSent: number; framesAcked: number; ticksSkipped: number }) => ({
  framesSent: p.framesSent,
  framesAcked: p.framesAcked,
  ticksSkipped: p.ticksSkipped,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

process.on('message', (m: RunCommand) => {
  if (m.type === 'run') {
    run(m).then(
      () => process.disconnect?.(),
      (e) => {
        process.stderr.write(`teltonika bench client failed: ${(e as Error).stack}\n`);
        process.exit(1);
      },
    );
  }
});
