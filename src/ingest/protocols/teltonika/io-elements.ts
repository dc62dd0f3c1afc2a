// Names, units and scales of Teltonika IO elements (FMB "Data Sending Parameters ID" tables); unknown ids stay io<id>.
import type { Attributes } from '../types.ts';
import type { IoElement } from './avl.ts';
import { decodeBleTags } from './ble-tags.ts';

type Decode = (e: IoElement, out: Attributes) => void;

const num = (e: IoElement): number => (e.size === 'var' ? Number.NaN : Number(e.value));
/** Two's complement for the element's width (accelerometer axes are signed). */
const signed = (e: IoElement): number => {
  const v = num(e);
  if (e.size === 1) return v > 0x7f ? v - 0x100 : v;
  if (e.size === 2) return v > 0x7fff ? v - 0x10000 : v;
  if (e.size === 4) return v > 0x7fffffff ? v - 0x100000000 : v;
  return v;
};
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

const flag =
  (name: string): Decode =>
  (e, out) => {
    out[name] = num(e) > 0;
  };
const plain =
  (name: string): Decode =>
  (e, out) => {
    out[name] = num(e);
  };
const scaled =
  (name: string, factor: number, digits: number): Decode =>
  (e, out) => {
    out[name] = round(num(e) * factor, digits);
  };
const ascii =
  (name: string): Decode =>
  (e, out) => {
    if (e.size === 'var') out[name] = Buffer.from(e.bytes).toString('latin1');
  };

/** iButton / RFID driver id: 8 bytes sent little-endian; shown as 16 hex digits like Traccar's driverUniqueId. */
const driverId: Decode = (e, out) => {
  if (e.size !== 8 || e.value === 0n) return;
  const le = Buffer.alloc(8);
  le.writeBigUInt64BE(e.value);
  out.driverUniqueId = le.reverse().toString('hex').toUpperCase();
};

const DECODERS: Record<number, Decode> = {
  1: flag('din1'),
  2: flag('din2'),
  3: flag('din3'),
  4: flag('din4'),
  9: scaled('ain1V', 0.001, 3),
  10: scaled('ain2V', 0.001, 3),
  16: plain('odometerM'),
  17: (e, out) => void (out.axisXMg = signed(e)),
  18: (e, out) => void (out.axisYMg = signed(e)),
  19: (e, out) => void (out.axisZMg = signed(e)),
  21: plain('gsmSignal'),
  24: plain('speedKmh'),
  66: scaled('externalVoltageV', 0.001, 3),
  67: scaled('batteryVoltageV', 0.001, 3),
  68: scaled('batteryCurrentA', 0.001, 3),
  69: plain('gnssStatus'),
  78: driverId,
  80: plain('dataMode'),
  113: plain('batteryLevelPct'),
  179: flag('dout1'),
  180: flag('dout2'),
  181: scaled('pdop', 0.1, 1),
  182: scaled('hdop', 0.1, 1),
  199: plain('tripOdometerM'),
  200: plain('sleepMode'),
  243: plain('greenDrivingDurationMs'),
  246: flag('towing'),
  247: plain('crashType'),
  249: flag('jamming'),
  251: flag('idling'),
  252: flag('unplugged'),
  253: plain('greenDrivingType'),
  // FMB tables: value ×0.01 is g for acceleration/braking (and cornering from the accelerometer); for
  // cornering detected from GPS it is rad/s ×100.
  254: scaled('greenDrivingValue', 0.01, 2),
  255: plain('overSpeedingKmh'),
  239: flag('ignition'),
  240: flag('motion'),
  241: plain('gsmOperator'),
};

/** Codec 8E variable-length elements. */
const VAR_DECODERS: Record<number, Decode> = {
  256: ascii('vin'),
  281: (e, out) => {
    if (e.size === 'var') out.dtcs = Buffer.from(e.bytes).toString('latin1').replaceAll(',', ' ');
  },
  548: decodeBleTags,
  10828: decodeBleTags,
  10829: decodeBleTags,
  10831: decodeBleTags,
};

/** Named attributes of one record's IO elements. */
export function interpretIo(io: readonly IoElement[]): Attributes {
  const out: Attributes = {};
  for (const e of io) {
    const decode = e.size === 'var' ? VAR_DECODERS[e.id] : DECODERS[e.id];
    if (decode) decode(e, out);
    else out[`io${e.id}`] = rawValue(e);
  }
  return out;
}

/** An element's value as an attribute: numbers when exact, decimal text for larger 64-bit values, hex for bytes. */
export function rawValue(e: IoElement): number | string {
  if (e.size === 'var') return Buffer.from(e.bytes).toString('hex');
  if (e.size === 8) return e.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(e.value) : e.value.toString();
  return e.value;
}

/** The IO ids and default widths OpenUBI interprets, for encoders and simulators. */
export const IO = {
  ignition: { id: 239, size: 1 },
  motion: { id: 240, size: 1 },
  gsmSignal: { id: 21, size: 1 },
  greenDrivingType: { id: 253, size: 1 },
  greenDrivingValue: { id: 254, size: 1 },
  crashType: { id: 247, size: 1 },
  speedKmh: { id: 24, size: 2 },
  externalVoltageMv: { id: 66, size: 2 },
  batteryVoltageMv: { id: 67, size: 2 },
  hdopX10: { id: 182, size: 2 },
  axisXMg: { id: 17, size: 2 },
  axisYMg: { id: 18, size: 2 },
  axisZMg: { id: 19, size: 2 },
  odometerM: { id: 16, size: 4 },
  tripOdometerM: { id: 199, size: 4 },
  driverId: { id: 78, size: 8 },
} as const;
