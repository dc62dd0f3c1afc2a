import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDrivable, onewayOf } from './osm-tags.ts';
import { UNLIMITED_KMH, WALK_KMH, defaultSpeedKmh, parseMaxspeed, speedLimitOf } from './speed-limits.ts';

describe('maxspeed parsing', () => {
  const table: Array<[string, ReturnType<typeof parseMaxspeed>]> = [
    ['50', { kind: 'limit', kmh: 50 }],
    [' 90 ', { kind: 'limit', kmh: 90 }],
    ['50 km/h', { kind: 'limit', kmh: 50 }],
    ['30 mph', { kind: 'limit', kmh: 48.28 }],
    ['30mph', { kind: 'limit', kmh: 48.28 }],
    ['10 knots', { kind: 'limit', kmh: 18.52 }],
    ['walk', { kind: 'limit', kmh: WALK_KMH }],
    ['none', { kind: 'none' }],
    ['AD:urban', { kind: 'limit', kmh: 50 }],
    ['FR:urban', { kind: 'limit', kmh: 50 }],
    ['FR:rural', { kind: 'limit', kmh: 80 }],
    ['FR:motorway', { kind: 'limit', kmh: 130 }],
    ['ES:urban', { kind: 'limit', kmh: 30 }],
    ['ES:rural', { kind: 'limit', kmh: 90 }],
    ['DE:zone30', { kind: 'limit', kmh: 30 }],
    ['FR:zone:30', { kind: 'limit', kmh: 30 }],
    ['FR:living_street', { kind: 'limit', kmh: 20 }],
    ['90;30;90', { kind: 'limit', kmh: 90 }],
    ['signals', { kind: 'unknown' }],
    ['variable', { kind: 'unknown' }],
    ['0', { kind: 'unknown' }],
    ['fast', { kind: 'unknown' }],
  ];
  for (const [raw, want] of table) test(`reads '${raw}'`, () => assert.deepEqual(parseMaxspeed(raw), want));
  test('reads an absent tag as unknown', () =>
    assert.deepEqual(parseMaxspeed(undefined), { kind: 'unknown' }));
});

describe('legal defaults by country and road class', () => {
  test('Andorra: carreteres generals 90, other roads 60, towns 50, living streets 20', () => {
    assert.equal(defaultSpeedKmh('primary', {}, 'AD'), 90);
    assert.equal(defaultSpeedKmh('secondary', {}, 'AD'), 60);
    assert.equal(defaultSpeedKmh('residential', {}, 'AD'), 50);
    assert.equal(defaultSpeedKmh('living_street', {}, 'AD'), 20);
    assert.equal(defaultSpeedKmh('primary', { lit: 'yes' }, 'AD'), 50);
  });
  test('France: 80 on rural roads, 110 trunk, 130 motorway, 50 in towns', () => {
    assert.equal(defaultSpeedKmh('secondary', {}, 'FR'), 80);
    assert.equal(defaultSpeedKmh('trunk', {}, 'FR'), 110);
    assert.equal(defaultSpeedKmh('motorway', {}, 'FR'), 130);
    assert.equal(defaultSpeedKmh('motorway_link', {}, 'FR'), 130);
    assert.equal(defaultSpeedKmh('residential', {}, 'FR'), 50);
    assert.equal(defaultSpeedKmh('tertiary', { sidewalk: 'both' }, 'FR'), 50);
  });
  test('Spain: 30 on one-lane urban streets, 50 with two lanes each way, 90 rural, 120 motorway', () => {
    assert.equal(defaultSpeedKmh('residential', {}, 'ES'), 30);
    assert.equal(defaultSpeedKmh('residential', { lanes: '4' }, 'ES'), 50);
    assert.equal(defaultSpeedKmh('primary', {}, 'ES'), 90);
    assert.equal(defaultSpeedKmh('motorway', {}, 'ES'), 120);
  });
  test('a zone code on source:maxspeed decides the default', () => {
    assert.equal(defaultSpeedKmh('primary', { 'source:maxspeed': 'FR:urban' }, 'FR'), 50);
    assert.equal(defaultSpeedKmh('residential', { 'zone:maxspeed': 'DE:30' }, 'DE'), 30);
  });
  test('unknown countries get generic European values', () => {
    assert.equal(defaultSpeedKmh('secondary', {}, 'ZZ'), 90);
    assert.equal(defaultSpeedKmh('secondary', {}), 90);
  });
});

describe('speed limit of a way', () => {
  test('prefers the tag and records its source', () => {
    assert.deepEqual(speedLimitOf('primary', { maxspeed: '70' }, 0, 'AD'), { kmh: 70, source: 'tagged' });
    assert.deepEqual(speedLimitOf('primary', {}, 0, 'AD'), { kmh: 90, source: 'default' });
    assert.deepEqual(speedLimitOf('motorway', { maxspeed: 'none' }, 1, 'DE'), {
      kmh: UNLIMITED_KMH,
      source: 'tagged',
    });
  });
  test('uses directional limits: the travel direction on oneways, the lower on two-way roads', () => {
    const tags = { 'maxspeed:forward': '70', 'maxspeed:backward': '50' };
    assert.equal(speedLimitOf('primary', tags, 1, 'FR').kmh, 70);
    assert.equal(speedLimitOf('primary', tags, -1, 'FR').kmh, 50);
    assert.equal(speedLimitOf('primary', tags, 0, 'FR').kmh, 50);
  });
  test('falls back to the default when the tag cannot be read', () => {
    assert.deepEqual(speedLimitOf('residential', { maxspeed: 'signals' }, 0, 'FR'), {
      kmh: 50,
      source: 'default',
    });
  });
});

describe('drivable roads and direction', () => {
  test('keeps car roads and drops paths, tracks, closed and area ways', () => {
    assert.equal(isDrivable({ highway: 'residential' }), true);
    assert.equal(isDrivable({ highway: 'motorway_link' }), true);
    assert.equal(isDrivable({ highway: 'living_street' }), true);
    for (const hw of ['track', 'path', 'footway', 'cycleway', 'pedestrian', 'steps', 'construction'])
      assert.equal(isDrivable({ highway: hw }), false, hw);
    assert.equal(isDrivable({ highway: 'service', access: 'private' }), false);
    assert.equal(isDrivable({ highway: 'primary', access: 'no' }), false);
    assert.equal(isDrivable({ highway: 'primary', access: 'no', motor_vehicle: 'yes' }), true);
    assert.equal(isDrivable({ highway: 'service', area: 'yes' }), false);
  });
  test('reads oneway tags, roundabouts and motorways', () => {
    assert.equal(onewayOf({ highway: 'primary', oneway: 'yes' }), 1);
    assert.equal(onewayOf({ highway: 'primary', oneway: '1' }), 1);
    assert.equal(onewayOf({ highway: 'primary', oneway: 'true' }), 1);
    assert.equal(onewayOf({ highway: 'primary', oneway: '-1' }), -1);
    assert.equal(onewayOf({ highway: 'primary' }), 0);
    assert.equal(onewayOf({ highway: 'primary', junction: 'roundabout' }), 1);
    assert.equal(onewayOf({ highway: 'primary', junction: 'roundabout', oneway: 'no' }), 0);
    assert.equal(onewayOf({ highway: 'motorway' }), 1);
    assert.equal(onewayOf({ highway: 'motorway', oneway: 'no' }), 0);
  });
});
