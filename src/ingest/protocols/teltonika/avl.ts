// Types and byte layouts of Teltonika AVL data (codec 8, 8 Extended, 16) and command responses (codec 12, 13).
export const CODEC_8 = 0x08;
export const CODEC_8E = 0x8e;
export const CODEC_12 = 0x0c;
export const CODEC_13 = 0x0d;
export const CODEC_16 = 0x10;

export type AvlCodecId = typeof CODEC_8 | typeof CODEC_8E | typeof CODEC_16;
export type CommandCodecId = typeof CODEC_12 | typeof CODEC_13;

/** One IO element as sent: unsigned value of a fixed width, or raw bytes (codec 8E variable-length). */
export type IoElement =
  | { id: number; size: 1 | 2 | 4; value: number }
  | { id: number; size: 8; value: bigint }
  | { id: number; size: 'var'; bytes: Uint8Array };

export interface AvlRecord {
  timestampMs: number;
  priority: number;
  latDeg: number;
  lonDeg: number;
  altitudeM: number;
  headingDeg: number;
  satellites: number;
  speedKmh: number;
  /** The IO id whose change generated this record (0 for periodic records). */
  eventIoId: number;
  /** Codec 16 only: why the record was generated (on exit, on entrance, on change, …). */
  generationType?: number;
  io: IoElement[];
}

export interface CommandResponse {
  type: number;
  /** Codec 13 carries a timestamp (epoch ms) before the text. */
  timestampMs?: number;
  /** The response as text when it is printable ASCII, otherwise as hex. */
  text?: string;
  hex?: string;
  /** Driver id from a tachograph/card reader "GTSL|…" response (codec 13), as Traccar reads it. */
  driverUniqueId?: string;
}

export type AvlData =
  | { kind: 'records'; codecId: AvlCodecId; records: AvlRecord[] }
  | { kind: 'command'; codecId: CommandCodecId; responses: CommandResponse[] };

/** Field widths that differ between AVL codecs. */
export interface CodecLayout {
  /** Width of the event IO id and of each IO id. */
  idBytes: 1 | 2;
  /** Width of the IO element counts. */
  countBytes: 1 | 2;
  /** Codec 16 adds a generation-type byte after the event IO id. */
  generationType: boolean;
  /** Codec 8E adds a section of variable-length elements. */
  variableSection: boolean;
}

export const LAYOUTS: Record<AvlCodecId, CodecLayout> = {
  [CODEC_8]: { idBytes: 1, countBytes: 1, generationType: false, variableSection: false },
  [CODEC_8E]: { idBytes: 2, countBytes: 2, generationType: false, variableSection: true },
  [CODEC_16]: { idBytes: 2, countBytes: 1, generationType: true, variableSection: false },
};

export const isAvlCodec = (id: number): id is AvlCodecId =>
  id === CODEC_8 || id === CODEC_8E || id === CODEC_16;

export function codecName(id: number): string {
  switch (id) {
    case CODEC_8:
      return 'codec8';
    case CODEC_8E:
      return 'codec8e';
    case CODEC_16:
      return 'codec16';
    case CODEC_12:
      return 'codec12';
    case CODEC_13:
      return 'codec13';
    default:
      return `0x${id.toString(16).padStart(2, '0')}`;
  }
}
