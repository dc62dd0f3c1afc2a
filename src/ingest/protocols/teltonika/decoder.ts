// Decodes one Teltonika TCP data frame (already framed) into AVL records or command responses.
import { type Result, err, ok } from '../../../domain/index.ts';
import {
  type AvlData,
  type AvlRecord,
  CODEC_12,
  CODEC_13,
  type CodecLayout,
  type CommandResponse,
  type IoElement,
  LAYOUTS,
  codecName,
  isAvlCodec,
} from './avl.ts';
import { crc16Ibm } from './crc16.ts';
import { ByteReader, Truncated } from './reader.ts';

export interface DecodedFrame {
  data: AvlData;
  /** The data field (codec id … second record count): what the CRC covers and what batch ids hash. */
  payload: Uint8Array;
  /** Record count from the frame header; the device expects it back as the ACK. */
  count: number;
}

/** Checks preamble, length and CRC-16/IBM, then decodes the data field. */
export function decodeDataFrame(frame: Uint8Array): Result<DecodedFrame> {
  if (frame.length < 15)
    return err('truncated', `frame of ${frame.length} bytes is shorter than the 15-byte minimum`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0) !== 0) return err('bad_preamble', 'data frame does not start with 4 zero bytes');
  const dataLength = view.getUint32(4);
  if (dataLength !== frame.length - 12) {
    return err(
      'bad_length',
      `data length field says ${dataLength} bytes, the frame holds ${frame.length - 12}`,
    );
  }
  const payload = frame.subarray(8, 8 + dataLength);
  const sent = view.getUint32(8 + dataLength);
  const computed = crc16Ibm(payload);
  if (sent !== computed) {
    return err('bad_crc', `CRC-16/IBM mismatch: frame says 0x${hex4(sent)}, data gives 0x${hex4(computed)}`);
  }
  const data = decodeAvlData(payload);
  if (!data.ok) return data;
  return ok({ data: data.value, payload, count: payload[1]! });
}

/** Decodes the data field: codec id, record count, records, record count again. */
export function decodeAvlData(payload: Uint8Array): Result<AvlData> {
  if (payload.length < 3) return err('truncated', 'data field is shorter than codec id + two record counts');
  const codecId = payload[0]!;
  const count = payload[1]!;
  const r = new ByteReader(payload);
  r.pos = 2;
  let data: AvlData;
  try {
    if (isAvlCodec(codecId)) {
      const layout = LAYOUTS[codecId];
      const records: AvlRecord[] = [];
      for (let i = 0; i < count; i++) records.push(readRecord(r, layout));
      data = { kind: 'records', codecId, records };
    } else if (codecId === CODEC_12 || codecId === CODEC_13) {
      const responses: CommandResponse[] = [];
      for (let i = 0; i < count; i++) responses.push(readResponse(r, codecId === CODEC_13));
      data = { kind: 'command', codecId, responses };
    } else {
      return err(
        'unknown_codec',
        `unknown codec ${codecName(codecId)}; supported: codec 8, 8E, 16 (and 12/13 responses)`,
      );
    }
    const trailer = r.u8();
    if (trailer !== count) {
      return err('bad_record_count', `record count ${count} at the start and ${trailer} at the end disagree`);
    }
  } catch (e) {
    if (e instanceof Truncated)
      return err('truncated', `${codecName(codecId)} data ends early: ${e.message}`);
    throw e;
  }
  if (r.remaining !== 0)
    return err('trailing_bytes', `${r.remaining} unexpected byte(s) after the last record`);
  return ok(data);
}

function readRecord(r: ByteReader, layout: CodecLayout): AvlRecord {
  const timestampMs = Number(r.u64());
  const priority = r.u8();
  const lonDeg = r.i32() / 1e7;
  const latDeg = r.i32() / 1e7;
  const altitudeM = r.i16();
  const headingDeg = r.u16();
  const satellites = r.u8();
  const speedKmh = r.u16();
  const eventIoId = r.uint(layout.idBytes);
  const generationType = layout.generationType ? r.u8() : undefined;
  r.uint(layout.countBytes); // total IO count: implied by the per-width counts below
  const io: IoElement[] = [];
  for (const size of [1, 2, 4, 8] as const) {
    const n = r.uint(layout.countBytes);
    for (let j = 0; j < n; j++) {
      const id = r.uint(layout.idBytes);
      if (size === 8) io.push({ id, size, value: r.u64() });
      else io.push({ id, size, value: size === 1 ? r.u8() : size === 2 ? r.u16() : r.u32() });
    }
  }
  if (layout.variableSection) {
    const n = r.u16();
    for (let j = 0; j < n; j++) {
      const id = r.u16();
      io.push({ id, size: 'var', bytes: r.bytesOf(r.u16()) });
    }
  }
  const rec: AvlRecord = {
    timestampMs,
    priority,
    latDeg,
    lonDeg,
    altitudeM,
    headingDeg,
    satellites,
    speedKmh,
    eventIoId,
    io,
  };
  if (generationType !== undefined) rec.generationType = generationType;
  return rec;
}

function readResponse(r: ByteReader, withTimestamp: boolean): CommandResponse {
  const type = r.u8();
  let size = r.u32();
  const out: CommandResponse = { type };
  if (withTimestamp) {
    if (size < 4) throw new Truncated(`codec 13 response size ${size} cannot hold its timestamp`);
    out.timestampMs = r.u32() * 1000;
    size -= 4;
  }
  const body = r.bytesOf(size);
  if (isPrintable(body)) {
    out.text = Buffer.from(body).toString('latin1').trim();
    const driver = out.text.startsWith('GTSL') ? out.text.split('|')[4] : undefined;
    if (driver) out.driverUniqueId = driver;
  } else out.hex = Buffer.from(body).toString('hex');
  return out;
}

function isPrintable(b: Uint8Array): boolean {
  for (const c of b) if (c >= 0x80 || (c < 32 && c !== 13 && c !== 10)) return false;
  return true;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
