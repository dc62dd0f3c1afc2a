// One device's TCP session: login, then frames processed strictly one at a time. Reading pauses when more than
// maxFrameBytes pile up behind the frame in flight, so a device cannot make the server buffer without bound.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { sampleCount } from '../../../domain/index.ts';
import type { DeviceDirectory, DurableSink } from '../types.ts';
import { codecName } from './avl.ts';
import { decodeDataFrame } from './decoder.ts';
import { type TeltonikaFrame, TeltonikaFrameDecoder } from './frame-decoder.ts';
import type { DeviceState } from './records.ts';
import { frameToBatch } from './to-batch.ts';

export interface ConnectionDeps {
  directory: DeviceDirectory;
  sink: DurableSink;
  logger: Logger;
  idleTimeoutMs: number;
  maxFrameBytes: number;
  now: () => number;
  onRecordsAcked?: (records: number) => void;
}

const LOGIN_ACCEPTED = Buffer.from([0x01]);
const LOGIN_REJECTED = Buffer.from([0x00]);
/** How long an aborted connection may take to flush and close before it is destroyed. */
const ABORT_LINGER_MS = 2000;

export class TeltonikaConnection {
  private readonly decoder: TeltonikaFrameDecoder;
  private log: Logger;
  private imei: string | undefined;
  private deviceId: string | undefined;
  private state: DeviceState = {};
  private busy = false;
  private closing = false;
  private done = false;

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    this.decoder = new TeltonikaFrameDecoder(deps.maxFrameBytes);
    this.log = deps.logger.child({ remote: `${socket.remoteAddress}:${socket.remotePort}` });
    socket.setNoDelay(true);
    socket.setTimeout(deps.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('timeout', () => this.shutdown('idle timeout'));
    socket.on('error', (e) => this.log.debug({ err: e }, 'socket error'));
    socket.on('close', () => {
      this.done = true;
    });
  }

  /** Ends the session once the frame in flight (if any) is acknowledged. */
  shutdown(reason: string): void {
    if (this.done) return;
    this.log.info({ reason }, 'closing connection');
    this.closing = true;
    if (!this.busy) this.end();
  }

  private onData(chunk: Buffer): void {
    if (this.done || this.closing) return;
    this.decoder.push(chunk);
    if (!this.busy) void this.drain();
    // A device waits for each ACK, so data while busy is rare; stop reading only if it piles up.
    else if (this.decoder.bufferedBytes > this.deps.maxFrameBytes) this.socket.pause();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (!this.done && !this.closing) {
        const next = this.decoder.next();
        if (!next.ok) return this.abort(next.error.code, next.error.message);
        if (next.value === null) break;
        await this.handle(next.value);
      }
    } catch (e) {
      this.log.error({ err: e }, 'unexpected error while handling a frame');
      return this.abort('internal_error', (e as Error).message);
    } finally {
      this.busy = false;
    }
    if (this.closing) this.end();
    else if (!this.done && this.socket.isPaused()) this.socket.resume();
  }

  private async handle(frame: TeltonikaFrame): Promise<void> {
    if (frame.kind === 'login') return this.login(frame.imei);
    if (this.deviceId === undefined || this.imei === undefined) {
      return this.abort('not_logged_in', 'data frame before the IMEI login');
    }
    const decoded = decodeDataFrame(frame.frame);
    if (!decoded.ok) return this.abort(decoded.error.code, decoded.error.message);
    const { data, payload, count } = decoded.value;
    if (data.kind === 'command') {
      // Command responses are not acknowledged (as in Traccar); we send no commands, so they are only logged.
      this.log.info(
        { codec: codecName(data.codecId), responses: data.responses },
        'command response ignored',
      );
      return;
    }
    const built = frameToBatch({
      deviceId: this.deviceId,
      imei: this.imei,
      payload,
      records: data.records,
      receivedAtMs: this.deps.now(),
      state: this.state,
    });
    if (sampleCount(built.batch) > 0) {
      try {
        const stored = await this.deps.sink.write(built.batch);
        if (stored.duplicate)
          this.log.debug({ batchId: built.batch.batchId }, 'resent frame; already stored');
      } catch (e) {
        // No ACK: the device keeps the records and resends them on its next connection.
        this.log.error({ err: e, batchId: built.batch.batchId }, 'sink write failed; closing without ACK');
        return this.abort('sink_failed', (e as Error).message);
      }
    } else {
      this.log.debug({ records: count }, 'frame holds no fix or event; acknowledged without a write');
    }
    this.state = built.state;
    if (this.done) return;
    const ack = Buffer.alloc(4);
    ack.writeUInt32BE(count);
    this.socket.write(ack);
    this.deps.onRecordsAcked?.(count);
  }

  private async login(imei: string): Promise<void> {
    if (this.deviceId !== undefined)
      return this.abort('unexpected_login', 'second IMEI login on one connection');
    let found: { deviceId: string } | null;
    try {
      found = await this.deps.directory.lookup('teltonika', imei);
    } catch (e) {
      this.log.error({ err: e, imei }, 'device directory failed');
      return this.abort('directory_failed', (e as Error).message);
    }
    if (this.done) return;
    if (!found) {
      this.log.warn({ imei }, 'unknown IMEI; login rejected');
      this.closing = true;
      this.done = true;
      this.socket.end(LOGIN_REJECTED);
      return;
    }
    this.imei = imei;
    this.deviceId = found.deviceId;
    this.log = this.log.child({ imei, deviceId: found.deviceId });
    this.log.info('device logged in');
    this.socket.write(LOGIN_ACCEPTED);
  }

  private abort(code: string, message: string): void {
    if (this.done) return;
    this.log.warn({ code, bufferedBytes: this.decoder.bufferedBytes }, `closing connection: ${message}`);
    this.done = true;
    // end() rather than destroy(): ACKs of earlier frames still in the write buffer must reach the device.
    this.socket.end();
    setTimeout(() => this.socket.destroy(), ABORT_LINGER_MS).unref();
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.socket.end();
  }
}
