// Golden tests on the real OsmAnd requests and JSON bodies from Traccar's test suite.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KNOT_MPS } from '../../../domain/index.ts';
import { osmAndCaptures, osmAndJsonBodies } from '../testing.ts';
import { buildOsmAndJson, buildOsmAndQuery } from './builder.ts';
import { osmAndToBatch, parseOsmAndRequest } from './request.ts';

const decode = (c: { type: string; payload: string }) =>
  c.type === 'POST-json'
    ? parseOsmAndRequest({ url: '/', contentType: 'application/json', body: c.payload })
    : parseOsmAndRequest({ url: c.payload });

describe('OsmAnd captures', () => {
  const captures = osmAndCaptures();

  test('the capture set has query and JSON requests', () => {
    assert.equal(captures.length, 15);
    assert.equal(captures.filter((c) => c.type === 'POST-json').length, osmAndJsonBodies().length);
  });

  for (const [i, c] of captures.entries()) {
    test(`request ${i} (${c.call}) decodes as Traccar expects`, () => {
      const r = decode(c);
      if (c.call === 'verifyNull') {
        assert.equal(r.ok, false, 'Traccar gives nothing for it');
        assert.equal(!r.ok && r.error.field, 'id');
        return;
      }
      assert.ok(r.ok, !r.ok ? r.error.message : '');
      const rec = r.value;
      assert.ok(rec.externalId.length > 0);
      if (c.call === 'verifyNotNull') {
        assert.equal(rec.fix, null, 'cell/Wi-Fi only: a record but no fix');
        assert.ok(rec.attributes.cell && rec.attributes.wifi);
        return;
      }
      assert.ok(rec.fix, 'a position');
      assert.ok(Math.abs(rec.fix.latDeg) <= 90 && Math.abs(rec.fix.lonDeg) <= 180);
      if (rec.timestampMs !== null) {
        assert.ok(rec.timestampMs > Date.UTC(2010, 0, 1) && rec.timestampMs < Date.UTC(2026, 0, 1));
      }
      if (c.call === 'verifyAttribute') {
        assert.deepEqual(
          {
            device_string_test: rec.attributes.device_string_test,
            device_bool_test: rec.attributes.device_bool_test,
            device_bool_false_test: rec.attributes.device_bool_false_test,
            device_integer_twelve_test: rec.attributes.device_integer_twelve_test,
            device_very_long_double_test: rec.attributes.device_very_long_double_test,
          },
          {
            device_string_test: 'long_device_id',
            device_bool_test: true,
            device_bool_false_test: false,
            device_integer_twelve_test: 12,
            device_very_long_double_test: 1763636.3442,
          },
        );
      }
    });
  }

  test('timestamps in epoch seconds, epoch ms, ISO 8601 and "yyyy-MM-dd HH:mm:ss" all read as UTC', () => {
    const t = (i: number) => {
      const r = decode(captures[i]!);
      assert.ok(r.ok);
      return r.value.timestampMs;
    };
    assert.equal(t(2), Date.UTC(2016, 0, 27, 18, 55, 47));
    assert.equal(t(3), 1442068686579);
    assert.equal(t(4), Date.UTC(2014, 5, 4, 9, 10, 11));
    assert.equal(t(5), 1377177267000);
    assert.equal(t(7), null, 'no timestamp: the server dates it on receipt');
  });

  test('query speed is knots, JSON speed m/s; -1 means unknown; hdop gives accuracy when none is sent', () => {
    const q = decode(captures[10]!);
    assert.ok(q.ok && q.value.fix);
    assert.equal(q.value.fix.speedMps, Math.round(40 * KNOT_MPS * 1000) / 1000);
    assert.equal(q.value.fix.headingDeg, 7.19889788244);
    assert.equal(q.value.attributes.ignition, true);
    assert.equal(q.value.attributes.rpm, 933);
    const j = decode(captures[14]!);
    assert.ok(j.ok && j.value.fix);
    assert.deepEqual(j.value.fix, {
      latDeg: -6.1148096,
      lonDeg: 106.6837015,
      speedMps: 18.67,
      headingDeg: 63,
      altitudeM: 35.7,
      accuracyM: 3.8,
    });
    assert.equal(j.value.attributes.batteryLevelPct, 79);
    const unknown = decode(captures[13]!);
    assert.ok(unknown.ok && unknown.value.fix);
    assert.equal(unknown.value.fix.speedMps, null);
    assert.equal(unknown.value.fix.headingDeg, null);
    const hdop = decode(captures[2]!);
    assert.ok(hdop.ok && hdop.value.fix);
    assert.equal(hdop.value.fix.accuracyM, 30);
    const loc = decode(captures[9]!);
    assert.ok(loc.ok && loc.value.fix, 'location=lat,lon');
    assert.deepEqual([loc.value.fix.latDeg, loc.value.fix.lonDeg], [60, 30]);
  });

  test('malformed requests are refused naming the field', () => {
    const cases: Array<[string, string]> = [
      ['/?id=1&lat=abc&lon=1', 'lat'],
      ['/?id=1&lat=91&lon=1', 'lat'],
      ['/?id=1&lat=1', 'lon'],
      ['/?id=1&lat=1&lon=1&timestamp=yesterday', 'timestamp'],
      ['/?id=1&location=1', 'location'],
      ['/?id=1&lat=1&lon=1&speed=fast', 'speed'],
    ];
    for (const [url, field] of cases) {
      const r = parseOsmAndRequest({ url });
      assert.equal(!r.ok && r.error.field, field, url);
    }
    const j = parseOsmAndRequest({
      url: '/',
      contentType: 'application/json',
      body: '{"device_id":"1","location":{}}',
    });
    assert.equal(!j.ok && j.error.field, 'location.timestamp');
    const broken = parseOsmAndRequest({ url: '/', contentType: 'application/json', body: '{"device_id":' });
    assert.equal(!broken.ok && broken.error.field, 'body');
  });

  test('a form-encoded POST body is read when the query is empty', () => {
    const r = parseOsmAndRequest({
      url: '/',
      contentType: 'application/x-www-form-urlencoded',
      body: 'id=7&lat=1&lon=2',
    });
    assert.ok(r.ok && r.value.fix?.lonDeg === 2);
  });

  test('built requests (query, form and JSON) decode back to the same position', () => {
    const p = {
      id: 'phone-1',
      timestampMs: 1714550400000,
      latDeg: 42.5063,
      lonDeg: 1.5218,
      speedMps: 13.2,
      headingDeg: 87,
      altitudeM: 1023,
      accuracyM: 4,
      batteryLevelPct: 80,
    };
    for (const req of [buildOsmAndQuery(p), buildOsmAndQuery(p, 'POST'), buildOsmAndJson(p)]) {
      const r = parseOsmAndRequest({
        url: req.path,
        contentType: req.headers['content-type'],
        ...(req.body ? { body: req.body } : {}),
      });
      assert.ok(r.ok, !r.ok ? r.error.message : '');
      assert.equal(r.value.externalId, 'phone-1');
      assert.equal(r.value.timestampMs, p.timestampMs);
      assert.equal(r.value.attributes.batteryLevelPct, 80);
      assert.ok(r.value.fix);
      assert.ok(Math.abs(r.value.fix.speedMps! - 13.2) < 0.001);
      const { latDeg, lonDeg, headingDeg, altitudeM, accuracyM } = r.value.fix;
      assert.deepEqual(
        { latDeg, lonDeg, headingDeg, altitudeM, accuracyM },
        { latDeg: 42.5063, lonDeg: 1.5218, headingDeg: 87, altitudeM: 1023, accuracyM: 4 },
      );
    }
  });

  test('a record becomes a one-fix batch with a deterministic id', () => {
    const r = decode(captures[5]!);
    assert.ok(r.ok);
    const b = osmAndToBatch(r.value, 'dev-9', 123);
    assert.equal(b.batchId, 'osm-123456-1377177267000');
    assert.deepEqual(b.gps?.t, [1377177267000]);
    assert.equal(b.source, 'osmand');
    assert.equal(b.gpsAttributes?.length, 1);
  });
});
