// openubi decode: prints what OpenUBI reads from a captured Teltonika frame or OsmAnd request.
import { createInterface } from 'node:readline';
import { type Result, err, ok } from '../../domain/index.ts';
import { osmand, teltonika } from '../../ingest/protocols/index.ts';
import { parseCommandArgs } from '../args.ts';

export const summary =
  'decode a Teltonika frame (hex) or an OsmAnd request (URL / query / JSON body) to JSON';

const USAGE = `usage: openubi decode --protocol teltonika|osmand [--batch] INPUT
  INPUT    teltonika: a frame in hex (login or data frame, whitespace allowed)
           osmand: a URL or query string ('/?id=…&lat=…'), or a JSON body
           '-' reads stdin, one input per line (output: one JSON document per line)
  --batch  print the SensorBatch the server would hand to the sink (device id = IMEI / OsmAnd id)
Exit status 2 when an input cannot be decoded (bad hex, bad CRC, unknown codec, malformed request).
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    protocol: { type: 'string' },
    batch: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return usageError(parsed.message);
  const { values, positionals } = parsed.args;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const protocol = values.protocol;
  if (protocol !== 'teltonika' && protocol !== 'osmand') {
    return usageError(
      `--protocol must be 'teltonika' or 'osmand', got ${protocol === undefined ? 'nothing' : `'${protocol}'`}`,
    );
  }
  if (positionals.length !== 1) return usageError('give exactly one INPUT (or - for stdin)');
  const decode = (text: string): Result<unknown> =>
    protocol === 'teltonika'
      ? decodeTeltonika(text, values.batch === true)
      : decodeOsmAnd(text, values.batch === true);

  if (positionals[0] !== '-') {
    const r = decode(positionals[0]!);
    if (!r.ok) return fail(`${r.error.code}: ${r.error.message}`);
    process.stdout.write(`${JSON.stringify(r.value, null, 2)}\n`);
    return 0;
  }
  let failures = 0;
  let line = 0;
  for await (const text of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    const r = decode(text);
    if (r.ok) process.stdout.write(`${JSON.stringify(r.value)}\n`);
    else {
      failures++;
      process.stderr.write(`openubi decode: line ${line}: ${r.error.code}: ${r.error.message}\n`);
    }
  }
  return failures > 0 ? 2 : 0;
}

function decodeTeltonika(text: string, asBatch: boolean): Result<unknown> {
  const hex = text.replace(/\s+/g, '').replace(/^0x/i, '');
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
    return err('bad_hex', 'input is not an even-length hex string');
  }
  const bytes = Buffer.from(hex, 'hex');
  const framer = new teltonika.TeltonikaFrameDecoder(Number.MAX_SAFE_INTEGER);
  framer.push(bytes);
  const next = framer.next();
  if (!next.ok) return next;
  if (next.value === null || framer.bufferedBytes > 0) {
    return err(
      'bad_length',
      `input of ${bytes.length} bytes is not exactly one frame (length field disagrees)`,
    );
  }
  if (next.value.kind === 'login') return ok({ type: 'login', imei: next.value.imei });
  const frame = teltonika.decodeDataFrame(next.value.frame);
  if (!frame.ok) return frame;
  const { data, payload } = frame.value;
  if (data.kind === 'command')
    return ok({ type: 'command', codec: teltonika.codecName(data.codecId), responses: data.responses });
  if (asBatch) {
    const imei = 'imei';
    return ok(
      teltonika.frameToBatch({
        deviceId: imei,
        imei,
        payload,
        records: data.records,
        receivedAtMs: Date.now(),
        state: {},
      }).batch,
    );
  }
  const records = teltonika.interpretFrame(data.records);
  return ok({
    type: 'avl',
    codec: teltonika.codecName(data.codecId),
    recordCount: data.records.length,
    records: records.map((r) => ({ time: new Date(r.timestampMs).toISOString(), ...r })),
    deviceEvents: teltonika.deviceEventsOf(records, {}).events,
  });
}

function decodeOsmAnd(text: string, asBatch: boolean): Result<unknown> {
  const s = text.trim();
  const request = s.startsWith('{')
    ? { url: '/', body: s, contentType: 'application/json' }
    : { url: s.includes('?') ? s : `/?${s}` };
  const r = osmand.parseOsmAndRequest(request);
  if (!r.ok) return r.error.field ? err(r.error.code, `${r.error.message} (field '${r.error.field}')`) : r;
  if (asBatch) return ok(osmand.osmAndToBatch(r.value, r.value.externalId, Date.now()));
  const time = r.value.timestampMs === null ? null : new Date(r.value.timestampMs).toISOString();
  return ok({ type: 'osmand', time, ...r.value });
}

function usageError(message: string): number {
  process.stderr.write(`openubi decode: ${message}\n\n${USAGE}`);
  return 2;
}

function fail(message: string): number {
  process.stderr.write(`openubi decode: ${message}\n`);
  return 2;
}
