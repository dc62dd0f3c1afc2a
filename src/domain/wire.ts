// Ingest wire format v1 (DESIGN §3): the contract phones, the simulator and tests share.
import { type Static, Type } from '@sinclair/typebox';

const Num = Type.Number();
const NumOrNull = Type.Union([Type.Number(), Type.Null()]);
const MAX_SAMPLES = 100_000;

export const GpsSection = Type.Object(
  {
    t: Type.Array(Num, { maxItems: MAX_SAMPLES }),
    lat: Type.Array(Type.Number({ minimum: -90, maximum: 90 }), { maxItems: MAX_SAMPLES }),
    lon: Type.Array(Type.Number({ minimum: -180, maximum: 180 }), { maxItems: MAX_SAMPLES }),
    speedMps: Type.Optional(Type.Array(NumOrNull, { maxItems: MAX_SAMPLES })),
    headingDeg: Type.Optional(Type.Array(NumOrNull, { maxItems: MAX_SAMPLES })),
    accuracyM: Type.Optional(Type.Array(NumOrNull, { maxItems: MAX_SAMPLES })),
    altitudeM: Type.Optional(Type.Array(NumOrNull, { maxItems: MAX_SAMPLES })),
  },
  { additionalProperties: false },
);

export const ImuFrame = Type.Union([Type.Literal('device'), Type.Literal('earth'), Type.Literal('vehicle')]);

export const ImuSection = Type.Object(
  {
    frame: ImuFrame,
    t: Type.Array(Num, { maxItems: MAX_SAMPLES }),
    ax: Type.Array(Num, { maxItems: MAX_SAMPLES }),
    ay: Type.Array(Num, { maxItems: MAX_SAMPLES }),
    az: Type.Array(Num, { maxItems: MAX_SAMPLES }),
    gx: Type.Optional(Type.Array(Num, { maxItems: MAX_SAMPLES })),
    gy: Type.Optional(Type.Array(Num, { maxItems: MAX_SAMPLES })),
    gz: Type.Optional(Type.Array(Num, { maxItems: MAX_SAMPLES })),
  },
  { additionalProperties: false },
);

export const PhoneEventKind = Type.Union([
  Type.Literal('screen_on'),
  Type.Literal('screen_off'),
  Type.Literal('unlock'),
  Type.Literal('call_start'),
  Type.Literal('call_end'),
  Type.Literal('handling'),
  Type.Literal('app_foreground'),
]);

export const PhoneEvent = Type.Object(
  {
    t: Num,
    event: PhoneEventKind,
    handsFree: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const IngestBatchV1 = Type.Object(
  {
    deviceId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' }),
    batchId: Type.String({ minLength: 1, maxLength: 128 }),
    gps: Type.Optional(GpsSection),
    imu: Type.Optional(ImuSection),
    phone: Type.Optional(Type.Array(PhoneEvent, { maxItems: 10_000 })),
  },
  { additionalProperties: false },
);

export type GpsSection = Static<typeof GpsSection>;
export type ImuSection = Static<typeof ImuSection>;
export type ImuFrame = Static<typeof ImuFrame>;
export type PhoneEvent = Static<typeof PhoneEvent>;
export type PhoneEventKind = Static<typeof PhoneEventKind>;
export type IngestBatchV1 = Static<typeof IngestBatchV1>;
