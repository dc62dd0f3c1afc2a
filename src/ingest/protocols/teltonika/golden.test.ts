// Golden tests on real Teltonika captures from Traccar's test suite (../shared/data/traccar-packets).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { teltonikaCaptures } from '../testing.ts';
import type { AvlRecord } from './avl.ts';
import { decodeAvlData, decodeDataFrame } from './decoder.ts';
import { TeltonikaFrameDecoder } from './frame-decoder.ts';
import { interpretFrame } from './to-batch.ts';

const captures = teltonikaCaptures();
const avl = captures.filter((c) => ['08', '8e', '10'].includes(c.codec));
const commands = captures.filter((c) => ['0c', '0d'].includes(c.codec));
// Frames Traccar's tests edited by hand (ids swapped in, length zeroed) without fixing the CRC / length field:
// a device never sends these, so the framed decode must refuse them while their data field still decodes.
const HAND_EDITED = new Map([
  [14, 'bad_crc'],
  [20, 'bad_crc'],
  [22, 'bad_crc'],
  [28, 'bad_length'],
]);
const MIN_MS = Date.UTC(2005, 0, 1);
const MAX_MS = Date.UTC(2026, 0, 1);

describe('Teltonika captures', () => {
  test('the capture set holds codec 8, 8E and 16 frames and codec 12/13 responses', () => {
    assert.equal(captures.length, 30);
    assert.deepEqual(new Set(avl.map((c) => c.codec)), new Set(['08', '8e', '10']));
    assert.equal(commands.length, 5);
  });

  test('the login capture gives an IMEI and no records (Traccar: verifyNull)', () => {
    const login = captures.find((c) => c.codec === 'imei-login')!;
    assert.equal(login.call, 'verifyNull');
    const framer = new TeltonikaFrameDecoder();
    framer.push(login.bytes);
    assert.deepEqual(framer.next(), { ok: true, value: { kind: 'login', imei: '123456789012345' } });
  });

  for (const c of avl) {
    test(`frame ${c.idx} (codec ${c.codec}) decodes with its header's record count, CRC and sane values`, () => {
      const framed = decodeDataFrame(c.bytes);
      const edited = HAND_EDITED.get(c.idx);
      if (edited) {
        assert.equal(framed.ok, false);
        assert.equal(!framed.ok && framed.error.code, edited);
      } else {
        assert.ok(framed.ok, !framed.ok ? framed.error.message : '');
      }
      const data = decodeAvlData(c.bytes.subarray(8, c.bytes.length - 4));
      assert.ok(data.ok, !data.ok ? data.error.message : '');
      assert.equal(data.value.kind, 'records');
      if (data.value.kind !== 'records') return;
      assert.equal(data.value.records.length, c.bytes[9]);
      assert.ok(data.value.records.length > 0);
      for (const r of data.value.records) {
        assert.ok(
          r.timestampMs >= MIN_MS && r.timestampMs < MAX_MS,
          `time ${new Date(r.timestampMs).toISOString()}`,
        );
        assert.ok(Math.abs(r.latDeg) <= 90 && Math.abs(r.lonDeg) <= 180, `${r.latDeg},${r.lonDeg}`);
        assert.ok(r.headingDeg >= 0 && r.headingDeg <= 360);
      }
      const records = data.value.records;
      for (const r of interpretFrame(records)) {
        const raw: AvlRecord = records.find((x) => x.timestampMs === r.timestampMs)!;
        // Traccar's valid flag: a record without satellites carries attributes but no position.
        assert.equal(r.fix !== null, raw.satellites > 0, `record at ${r.timestampMs}`);
        assert.equal(r.attributes.satellites, raw.satellites);
      }
    });
  }

  test('frames with 0 satellites give attributes but no fix', () => {
    const c = captures.find((x) => x.idx === 3)!;
    const data = decodeAvlData(c.bytes.subarray(8, c.bytes.length - 4));
    assert.ok(data.ok && data.value.kind === 'records');
    const [r] = interpretFrame(data.value.records);
    assert.equal(r!.fix, null);
    assert.ok(Object.keys(r!.attributes).length > 3);
  });

  test('asserted attributes come out as Traccar asserts them (tsv column expect)', () => {
    const attrs = (idx: number) => {
      const c = captures.find((x) => x.idx === idx)!;
      const d = decodeDataFrame(c.bytes);
      assert.ok(d.ok && d.value.data.kind === 'records');
      return interpretFrame(d.value.data.records)[0]!.attributes;
    };
    assert.equal(captures.find((x) => x.idx === 2)!.expect, '"tag1Voltage", 3090');
    assert.equal(attrs(2).tag1Voltage, 3090);
    assert.equal(captures.find((x) => x.idx === 4)!.expect, '"tag1Battery", 3030');
    assert.equal(attrs(4).tag1Battery, 3030);
    const c5 = captures.find((x) => x.idx === 5)!;
    assert.equal(c5.expect, 'Position.KEY_DRIVER_UNIQUE_ID, "12749884"');
    const d5 = decodeDataFrame(c5.bytes);
    assert.ok(d5.ok && d5.value.data.kind === 'command');
    assert.equal(d5.value.data.responses[0]!.driverUniqueId, '12749884');
  });

  test('codec 12/13 responses decode as command responses with no position', () => {
    for (const c of commands) {
      if (HAND_EDITED.has(c.idx)) continue;
      const d = decodeDataFrame(c.bytes);
      assert.ok(d.ok, `frame ${c.idx}: ${!d.ok && d.error.message}`);
      assert.equal(d.value.data.kind, 'command');
      assert.equal(d.value.count, 1);
    }
  });

  test('a capture with a hand-edited green-driving record reports harsh acceleration at 0.33 g', () => {
    const c = captures.find((x) => x.idx === 22)!;
    const data = decodeAvlData(c.bytes.subarray(8, c.bytes.length - 4));
    assert.ok(data.ok && data.value.kind === 'records');
    const [r] = interpretFrame(data.value.records);
    assert.equal(r!.attributes.greenDrivingType, 1);
    assert.equal(r!.attributes.greenDrivingValue, 0.33);
  });

  test('known IO elements get names and units', () => {
    const c = captures.find((x) => x.idx === 1)!;
    const d = decodeDataFrame(c.bytes);
    assert.ok(d.ok && d.value.data.kind === 'records');
    const a = interpretFrame(d.value.data.records)[1]!.attributes;
    assert.equal(a.ignition, true);
    assert.equal(a.motion, false);
    assert.equal(a.externalVoltageV, 14.548);
    assert.equal(a.batteryVoltageV, 0);
    assert.equal(typeof a.hdop, 'number');
  });
});
