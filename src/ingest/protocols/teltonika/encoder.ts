// Builds Teltonika TCP frames from records: for tests, the simulator and benchmarks. Inverse of decoder.ts.
import { type AvlCodecId, type AvlRecord, type IoElement, LAYOUTS } from './avl.ts';
import { crc16Ibm } from './crc16.ts';

/** The login frame: 2-byte length + ASCII IMEI. */
export function encodeLogin(imei: string): Buffer {
  const body = Buffer.from(imei, 'latin1');
  const out = Buffer.alloc(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

/** A whole data frame (preamble, length, data, CRC). Throws on input the codec cannot carry. */
export function encodeAvlFrame(codecId: AvlCodecId, records: readonly AvlRecord[]): Buffer {
  const data = encodeAvlData(codecId, records);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 4);
  data.copy(out, 8);
  out.writeUInt32BE(crc16Ibm(data), 8 + data.length);
  return out;
}

/** The data field alone: codec id, count, records, count. */
export function encodeAvlData(codecId: AvlCodecId, records: readonly AvlRecord[]): Buffer {
  if (records.length > 255)
    throw new RangeError(`a frame carries at most 255 records, got ${records.length}`);
  const w = new Writer();
  w.u8(codecId);
  w.u8(records.length);
  for (const r of records) writeRecord(w, codecId, r);
  w.u8(records.length);
  return w.toBuffer();
}

function writeRecord(w: Writer, codecId: AvlCodecId, r: AvlRecord): void {
  const layout = LAYOUTS[codecId];
  w.u64(BigInt(Math.round(r.timestampMs)));
  w.u8(r.priority);
  w.i32(Math.round(r.lonDeg * 1e7));
  w.i32(Math.round(r.latDeg * 1e7));
  w.i16(Math.round(r.altitudeM));
  w.u16(Math.round(r.headingDeg));
  w.u8(r.satellites);
  w.u16(Math.round(r.speedKmh));
  w.uint(layout.idBytes, r.eventIoId);
  if (layout.generationType) w.u8(r.generationType ?? 0);
  const fixed = r.io.filter((e) => e.size !== 'var');
  const variable = r.io.filter((e) => e.size === 'var');
  if (variable.length > 0 && !layout.variableSection) {
    throw new RangeError(`codec 0x${codecId.toString(16)} has no variable-length IO elements`);
  }
  w.uint(layout.countBytes, r.io.length);
  for (const size of [1, 2, 4, 8] as const) {
    const group = fixed.filter((e) => e.size === size);
    w.uint(layout.countBytes, group.length);
    for (const e of group) {
      w.uint(layout.idBytes, e.id);
      writeValue(w, e);
    }
  }
  if (layout.variableSection) {
    w.u16(variable.length);
    for (const e of variable) {
      if (e.size !== 'var') continue;
      w.u16(e.id);
      w.u16(e.bytes.length);
      w.bytes(e.bytes);
    }
  }
}

function writeValue(w: Writer, e: IoElement): void {
  if (e.size === 1) w.u8(e.value);
  else if (e.size === 2) w.u16(e.value);
  else if (e.size === 4) w.u32(e.value);
  else if (e.size === 8) w.u64(e.value);
}

/** Growable big-endian writer; Buffer's write methods range-check every value. */
class Writer {
  private buf = Buffer.alloc(256);
  private pos = 0;

  /** Reserves n bytes and returns their offset; may swap this.buf, so callers read this.buf after it. */
  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(v: number): void {
    const at = this.room(1);
    this.buf.writeUInt8(v, at);
  }
  u16(v: number): void {
    const at = this.room(2);
    this.buf.writeUInt16BE(v, at);
  }
  i16(v: number): void {
    const at = this.room(2);
    this.buf.writeInt16BE(v, at);
  }
  u32(v: number): void {
    const at = this.room(4);
    this.buf.writeUInt32BE(v, at);
  }
  i32(v: number): void {
    const at = this.room(4);
    this.buf.writeInt32BE(v, at);
  }
  u64(v: bigint): void {
    const at = this.room(8);
    this.buf.writeBigUInt64BE(v, at);
  }
  uint(width: 1 | 2, v: number): void {
    if (width === 1) this.u8(v);
    else this.u16(v);
  }
  bytes(b: Uint8Array): void {
    const at = this.room(b.length);
    this.buf.set(b, at);
  }
  toBuffer(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
