// Records → fixes, named attributes and device events; frames → batches with content-derived ids.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AvlRecord, CODEC_8E, type IoElement } from './avl.ts';
import { encodeAvlData } from './encoder.ts';
import { interpretIo } from './io-elements.ts';
import { deviceEventsOf, interpretRecord } from './records.ts';
import { frameToBatch, interpretFrame } from './to-batch.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const rec = (i: number, io: IoElement[] = [], over: Partial<AvlRecord> = {}): AvlRecord => ({
  timestampMs: T0 + i * 1000,
  priority: 0,
  latDeg: 42.5,
  lonDeg: 1.52,
  altitudeM: 1000,
  headingDeg: 90,
  satellites: 9,
  speedKmh: 36,
  eventIoId: 0,
  io,
  ...over,
});
const u1 = (id: number, value: number): IoElement => ({ id, size: 1, value });
const u2 = (id: number, value: number): IoElement => ({ id, size: 2, value });

describe('Teltonika IO elements', () => {
  test('accelerometer axes are signed milli-g, voltages volts, odometers metres', () => {
    const a = interpretIo([u2(17, 0xffe5), u2(18, 31), u2(19, 0xfc18), u2(66, 12_345), u2(67, 4100)]);
    assert.deepEqual(a, {
      axisXMg: -27,
      axisYMg: 31,
      axisZMg: -1000,
      externalVoltageV: 12.345,
      batteryVoltageV: 4.1,
    });
    assert.deepEqual(
      interpretIo([
        { id: 16, size: 4, value: 98_765 },
        { id: 199, size: 4, value: 1234 },
      ]),
      {
        odometerM: 98_765,
        tripOdometerM: 1234,
      },
    );
  });

  test('green driving value is hundredths of g; crash, speed and iButton driver id are named', () => {
    const a = interpretIo([
      u1(253, 2),
      u1(254, 45),
      u1(247, 1),
      u2(24, 57),
      { id: 78, size: 8, value: 0x01000019b7a20d01n },
    ]);
    assert.deepEqual(a, {
      greenDrivingType: 2,
      greenDrivingValue: 0.45,
      crashType: 1,
      speedKmh: 57,
      driverUniqueId: '010DA2B719000001',
    });
    assert.deepEqual(
      interpretIo([{ id: 78, size: 8, value: 0n }]),
      {},
      'an empty iButton reader is no driver',
    );
  });

  test('unknown ids are kept as io<id>: numbers, big 64-bit values as text, bytes as hex', () => {
    const a = interpretIo([
      u1(150, 3),
      { id: 151, size: 8, value: 2n ** 63n },
      { id: 9000, size: 'var', bytes: Buffer.from([0xde, 0xad]) },
    ]);
    assert.deepEqual(a, { io150: 3, io151: '9223372036854775808', io9000: 'dead' });
  });
});

describe('Teltonika records', () => {
  test('a record with satellites becomes a fix in m/s with accuracy from HDOP, else from satellites', () => {
    const withHdop = interpretRecord(rec(0, [u2(182, 12)]));
    assert.deepEqual(withHdop.fix, {
      latDeg: 42.5,
      lonDeg: 1.52,
      speedMps: 10,
      headingDeg: 90,
      altitudeM: 1000,
      accuracyM: 6,
    });
    assert.equal(interpretRecord(rec(0, [], { satellites: 4 })).fix?.accuracyM, 20);
  });

  test('no satellites, impossible coordinates or time give attributes and no fix', () => {
    for (const over of [{ satellites: 0 }, { latDeg: 95 }, { lonDeg: -200 }, { timestampMs: 0 }]) {
      const r = interpretRecord(rec(0, [u1(239, 1)], over));
      assert.equal(r.fix, null, JSON.stringify(over));
      assert.equal(r.attributes.ignition, true);
    }
  });

  test('harsh driving and crash records become device events with the g value', () => {
    const records = interpretFrame([
      rec(0, [u1(253, 1), u1(254, 38)]),
      rec(1, [u1(253, 3), u1(254, 120)]),
      rec(2, [u1(247, 1)]),
    ]);
    const { events } = deviceEventsOf(records, {});
    assert.deepEqual(events, [
      { t: T0, kind: 'harsh_acceleration', value: 0.38, attributes: { greenDrivingType: 1 } },
      { t: T0 + 1000, kind: 'harsh_cornering', value: 1.2, attributes: { greenDrivingType: 3 } },
      { t: T0 + 2000, kind: 'crash', attributes: { crashType: 1 } },
    ]);
  });

  test('ignition events fire on changes, carried across frames, and on an ignition-generated first record', () => {
    const first = deviceEventsOf(
      interpretFrame([rec(0, [u1(239, 1)]), rec(1, [u1(239, 1)]), rec(2, [u1(239, 0)])]),
      {},
    );
    assert.deepEqual(first.events, [{ t: T0 + 2000, kind: 'ignition_off' }]);
    const second = deviceEventsOf(interpretFrame([rec(3, [u1(239, 0)]), rec(4, [u1(239, 1)])]), first.state);
    assert.deepEqual(second.events, [{ t: T0 + 4000, kind: 'ignition_on' }]);
    const byEvent = deviceEventsOf(interpretFrame([rec(0, [u1(239, 1)], { eventIoId: 239 })]), {});
    assert.deepEqual(byEvent.events, [{ t: T0, kind: 'ignition_on' }]);
  });

  test('a new iButton driver id is a driver_id event; the same id again is not', () => {
    const id = (v: bigint): IoElement => ({ id: 78, size: 8, value: v });
    const { events } = deviceEventsOf(
      interpretFrame([rec(0, [id(1n)]), rec(1, [id(1n)]), rec(2, [id(2n)])]),
      {},
    );
    assert.deepEqual(
      events.map((e) => [e.t, e.kind, e.attributes?.driverUniqueId]),
      [
        [T0, 'driver_id', '0100000000000000'],
        [T0 + 2000, 'driver_id', '0200000000000000'],
      ],
    );
  });
});

describe('Teltonika frame → batch', () => {
  test('fixes fill the gps columns in time order with aligned attributes; no-fix records only give events', () => {
    const records = [
      rec(2, [u1(239, 1)]),
      rec(0, [u1(239, 1)]),
      rec(1, [u1(253, 2), u1(254, 50)], { satellites: 0 }),
    ];
    const payload = encodeAvlData(CODEC_8E, records);
    const { batch } = frameToBatch({
      deviceId: 'dev-1',
      imei: '356307042441013',
      payload,
      records,
      receivedAtMs: 5,
      state: {},
    });
    assert.equal(batch.source, 'teltonika');
    assert.deepEqual(batch.gps?.t, [T0, T0 + 2000]);
    assert.deepEqual(batch.gps?.speedMps, [10, 10]);
    assert.equal(batch.gpsAttributes?.length, 2);
    assert.deepEqual(batch.deviceEvents, [
      { t: T0 + 1000, kind: 'harsh_braking', value: 0.5, attributes: { greenDrivingType: 2 } },
    ]);
  });

  test('the batch id depends only on the IMEI and frame content', () => {
    const records = [rec(0)];
    const payload = encodeAvlData(CODEC_8E, records);
    const make = (imei: string, p: Uint8Array, at: number) =>
      frameToBatch({ deviceId: 'd', imei, payload: p, records, receivedAtMs: at, state: {} }).batch.batchId;
    assert.equal(make('1', payload, 1), make('1', Buffer.from(payload), 999));
    assert.match(make('1', payload, 1), /^tlt-1-[0-9a-f]{40}$/);
    assert.notEqual(make('1', payload, 1), make('2', payload, 1));
    assert.notEqual(make('1', payload, 1), make('1', encodeAvlData(CODEC_8E, [rec(1)]), 1));
  });
});
