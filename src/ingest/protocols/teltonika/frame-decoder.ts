// Streaming TCP framing for Teltonika: turns arbitrary socket reads into whole frames, one at a time.
// A login frame is a 2-byte length + ASCII IMEI; a data frame is 4 zero bytes, a 4-byte data length,
// the data and a 4-byte CRC. Lone 0xFF bytes between frames are keep-alives and are skipped.
import { type Result, err, ok } from '../../../domain/index.ts';

export type TeltonikaFrame =
  | { kind: 'login'; imei: string }
  /** The whole frame (preamble, length, data, CRC), CRC not yet checked. */
  | { kind: 'data'; frame: Buffer };

export const MAX_IMEI_LENGTH = 32;
/** Preamble + length + codec id + two record counts + CRC. */
export const MIN_DATA_FRAME_BYTES = 4 + 4 + 3 + 4;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

export class TeltonikaFrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received and not yet returned as a frame. Bounded by maxFrameBytes plus one read. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0 || this.failed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame, null when more bytes are needed, or an error (after which the stream is dead). */
  next(): Result<TeltonikaFrame | null> {
    if (this.failed) return err('stream_failed', 'the frame stream already failed');
    while (this.buffered > 0 && this.byteAt(0) === 0xff) this.skip(1);
    if (this.buffered < 2) return ok(null);
    const lead = (this.byteAt(0) << 8) | this.byteAt(1);
    if (lead > 0) return this.nextLogin(lead);
    if (this.buffered < 8) return ok(null);
    if (this.byteAt(2) !== 0 || this.byteAt(3) !== 0) {
      return this.fail('bad_preamble', 'data frame does not start with 4 zero bytes');
    }
    const dataLength =
      ((this.byteAt(4) << 24) | (this.byteAt(5) << 16) | (this.byteAt(6) << 8) | this.byteAt(7)) >>> 0;
    const frameBytes = 8 + dataLength + 4;
    if (frameBytes < MIN_DATA_FRAME_BYTES) {
      return this.fail('bad_length', `data length ${dataLength} is shorter than a codec header (3 bytes)`);
    }
    if (frameBytes > this.maxFrameBytes) {
      return this.fail(
        'frame_too_large',
        `frame of ${frameBytes} bytes exceeds the ${this.maxFrameBytes}-byte limit`,
      );
    }
    if (this.buffered < frameBytes) return ok(null);
    return ok({ kind: 'data', frame: this.take(frameBytes) });
  }

  private nextLogin(length: number): Result<TeltonikaFrame | null> {
    if (length > MAX_IMEI_LENGTH) {
      return this.fail(
        'bad_frame',
        `frame starts with 0x${length.toString(16).padStart(4, '0')}: neither a data preamble nor an IMEI length`,
      );
    }
    if (this.buffered < 2 + length) return ok(null);
    const bytes = this.take(2 + length).subarray(2);
    for (const b of bytes) {
      if (b < 0x21 || b > 0x7e) return this.fail('bad_login', 'IMEI contains non-printable bytes');
    }
    return ok({ kind: 'login', imei: bytes.toString('latin1') });
  }

  private fail(code: string, message: string): Result<never> {
    this.failed = true;
    this.chunks = [];
    this.buffered = 0;
    return err(code, message);
  }

  private byteAt(i: number): number {
    for (const c of this.chunks) {
      if (i < c.length) return c[i]!;
      i -= c.length;
    }
    throw new RangeError('byteAt past buffered data');
  }

  private skip(n: number): void {
    this.take(n);
  }

  /** Removes and returns the first n buffered bytes, copying only when they span several reads. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const used = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, used);
        filled += used;
        if (used === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(used);
      }
    }
    this.buffered -= n;
    return out;
  }
}
