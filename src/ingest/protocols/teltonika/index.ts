// Teltonika FMB devices over TCP: framing, codec 8 / 8E / 16 decoding, records → SensorBatch, encoder, server.
export * from './avl.ts';
export { crc16Ibm } from './crc16.ts';
export { type DecodedFrame, decodeAvlData, decodeDataFrame } from './decoder.ts';
export { encodeAvlData, encodeAvlFrame, encodeLogin } from './encoder.ts';
export {
  DEFAULT_MAX_FRAME_BYTES,
  MAX_IMEI_LENGTH,
  type TeltonikaFrame,
  TeltonikaFrameDecoder,
} from './frame-decoder.ts';
export { IO, interpretIo, rawValue } from './io-elements.ts';
export {
  type DeviceState,
  type GpsFix,
  type InterpretedRecord,
  deviceEventsOf,
  interpretRecord,
} from './records.ts';
export {
  TELTONIKA_DEFAULT_PORT,
  TeltonikaServer,
  type TeltonikaServerOptions,
  type TeltonikaServerStats,
  createTeltonikaServer,
} from './server.ts';
export { type FrameBatchInput, frameToBatch, interpretFrame, teltonikaBatchId } from './to-batch.ts';
