import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { cellArea, latLngToCell } from 'h3-js';
import { AREA_RISK_RESOLUTION, parseAreaRiskCsv } from './area-risk.ts';
import { CIVIL_DARK_DEG, isDark, solarElevationDeg } from './sun.ts';
import { contextFeatures, tripContext, weatherForTrip } from './trip-context.ts';
import { WeatherTable, openMeteoArchiveProvider, openMeteoArchiveUrl, parseOpenMeteo } from './weather.ts';
import { parseWeatherCsv } from './weather-csv.ts';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/open-meteo-archive-andorra-2024-01-15.json', import.meta.url), 'utf8'),
) as unknown;
const ANDORRA = { lat: 42.5063, lon: 1.5218 };

/** A 20-minute drive sampled every 10 s around Andorra la Vella, starting at startMs. */
function drive(startMs: number, minutes = 20) {
  return Array.from({ length: minutes * 6 + 1 }, (_, i) => ({
    t: startMs + i * 10_000,
    lat: ANDORRA.lat + i * 0.0001,
    lon: ANDORRA.lon + i * 0.0001,
  }));
}

describe('sun elevation', () => {
  test('is about 90° − latitude + 23.4° at the June solstice solar noon in Andorra', () => {
    // Solar noon at 1.52° E on 20 June 2024 is about 11:55 UTC.
    const e = solarElevationDeg(Date.UTC(2024, 5, 20, 11, 55), ANDORRA.lat, ANDORRA.lon);
    assert.ok(Math.abs(e - (90 - 42.5063 + 23.44)) < 0.3, `${e}`);
  });
  test('is overhead at the equator on the March equinox noon', () => {
    assert.ok(solarElevationDeg(Date.UTC(2024, 2, 20, 12, 7), 0, 0) > 89.5);
  });
  test('is at the horizon at the published London sunrise (21 June 2024, 03:43 UTC)', () => {
    const e = solarElevationDeg(Date.UTC(2024, 5, 21, 3, 43), 51.5074, -0.1278);
    assert.ok(Math.abs(e - -0.27) < 0.5, `${e}`);
  });
  test('tells dark from light by the sun, not the clock', () => {
    // 17:30 UTC is dark in Andorra in January but light in June.
    assert.equal(isDark(Date.UTC(2024, 0, 15, 17, 30), ANDORRA.lat, ANDORRA.lon), true);
    assert.equal(isDark(Date.UTC(2024, 5, 15, 17, 30), ANDORRA.lat, ANDORRA.lon), false);
    // Midnight sun: 00:30 UTC on 21 June at Tromsø is light.
    assert.equal(isDark(Date.UTC(2024, 5, 21, 0, 30), 69.65, 18.96), false);
    assert.equal(CIVIL_DARK_DEG, -6);
  });
});

describe('weather from the Open-Meteo archive API', () => {
  test('builds the archive request in UTC', () => {
    const url = new URL(
      openMeteoArchiveUrl({
        ...ANDORRA,
        startMs: Date.UTC(2024, 0, 15, 18),
        endMs: Date.UTC(2024, 0, 16, 2),
      }),
    );
    assert.equal(url.host, 'archive-api.open-meteo.com');
    assert.equal(url.searchParams.get('start_date'), '2024-01-15');
    assert.equal(url.searchParams.get('end_date'), '2024-01-16');
    assert.equal(url.searchParams.get('timezone'), 'GMT');
    assert.match(url.searchParams.get('hourly') ?? '', /precipitation.*snowfall.*weather_code/);
  });

  test('parses the recorded response into hours', () => {
    const res = parseOpenMeteo(fixture);
    assert.ok(res.ok);
    assert.equal(res.value.length, 48);
    const h19 = res.value.find((h) => h.startMs === Date.UTC(2024, 0, 15, 19))!;
    assert.equal(h19.precipitationMm, 1.2);
    assert.equal(h19.weatherCode, 63);
    assert.equal(h19.isDay, false);
    assert.equal(res.value[0]!.lat, 42.49);
  });

  test('rejects malformed responses with the field named', () => {
    const bad = parseOpenMeteo({
      latitude: 1,
      longitude: 2,
      hourly: { time: ['2024-01-01T00:00'], rain: [] },
    });
    assert.ok(!bad.ok);
    assert.equal(bad.error.field, 'hourly.rain');
    const e = parseOpenMeteo({ error: true, reason: 'Parameter start_date is out of range' });
    assert.ok(!e.ok);
    assert.match(e.error.message, /out of range/);
  });

  test('gives trip wet and snow shares through the provider adapter (no HTTP)', async () => {
    const urls: string[] = [];
    const provider = openMeteoArchiveProvider(async (url) => {
      urls.push(url);
      return fixture;
    });
    // 17:50–18:10 UTC: the 17:00 hour is dry, the 18:00 hour has 0.3 mm of rain; then snow the next morning.
    const evening = drive(Date.UTC(2024, 0, 15, 17, 50));
    const table = await weatherForTrip(provider, evening);
    assert.ok(table.ok);
    assert.equal(urls.length, 1);
    const ctx = tripContext(evening, { weather: table.value });
    assert.ok(ctx.available && ctx.weather.available);
    assert.ok(Math.abs(ctx.weather.wetShare - 0.5) < 0.01, `${ctx.weather.wetShare}`);
    assert.equal(ctx.weather.snowShare, 0);
    assert.equal(ctx.darkShare, 1);
    const morning = tripContext(drive(Date.UTC(2024, 0, 16, 5, 0)), { weather: table.value });
    assert.ok(morning.available && morning.weather.available);
    assert.equal(morning.weather.snowShare, 1);
  });
});

describe('offline weather CSV', () => {
  test('imports hourly rows and serves them by place and hour', () => {
    const csv = [
      'time,lat,lon,precipitation_mm,snowfall_cm,temperature_c',
      '2024-03-01T07:00,42.50,1.52,0.0,0,4.5',
      '2024-03-01T08:00,42.50,1.52,2.4,0,5.0',
      '2024-03-01T08:00,48.85,2.35,0.0,0,9.0',
    ].join('\n');
    const res = parseWeatherCsv(csv);
    assert.ok(res.ok);
    const table = new WeatherTable(res.value);
    assert.equal(table.lookup(42.51, 1.53, Date.UTC(2024, 2, 1, 8, 30))?.precipitationMm, 2.4);
    assert.equal(table.lookup(48.86, 2.34, Date.UTC(2024, 2, 1, 8, 30))?.temperatureC, 9.0);
    assert.equal(table.lookup(45.0, 5.0, Date.UTC(2024, 2, 1, 8, 30)), null);
    assert.equal(table.lookup(42.5, 1.52, Date.UTC(2024, 2, 1, 9, 30)), null);
  });
  test('names the bad line and column', () => {
    const res = parseWeatherCsv('time,lat,lon,precipitation_mm\n2024-03-01T07:00,42.5,1.5,lots');
    assert.ok(!res.ok);
    assert.match(res.error.message, /line 2: precipitation_mm/);
    const missing = parseWeatherCsv('time,lat,precipitation_mm\n');
    assert.ok(!missing.ok);
    assert.equal(missing.error.field, 'lon');
  });
});

describe('area risk on H3 cells', () => {
  test('counts incidents per resolution-8 cell and normalises by the cell area', () => {
    const csv = ['lat,lon', '42.5063,1.5218', '42.5064,1.5219', '42.5065,1.5217', '42.55,1.60'].join('\n');
    const res = parseAreaRiskCsv(csv);
    assert.ok(res.ok);
    const cell = latLngToCell(42.5063, 1.5218, AREA_RISK_RESOLUTION);
    const c = res.value.cells.get(cell)!;
    assert.equal(c.count, 3);
    assert.ok(Math.abs(c.perKm2 - 3 / cellArea(cell, 'km2')) < 1e-9);
    assert.equal(res.value.perKm2At(42.5063, 1.5218), c.perKm2);
    assert.equal(res.value.perKm2At(42.45, 1.45), 0);
  });
  test('accepts h3,count rows and rolls finer cells up to resolution 8', () => {
    const fine = latLngToCell(42.5063, 1.5218, 10);
    const res = parseAreaRiskCsv(`h3,count\n${fine},4\n${latLngToCell(42.5063, 1.5218, 8)},6`);
    assert.ok(res.ok);
    assert.equal(res.value.cells.size, 1);
    assert.equal([...res.value.cells.values()][0]!.count, 10);
    const coarse = parseAreaRiskCsv(`h3,count\n${latLngToCell(42.5, 1.5, 5)},1`);
    assert.ok(!coarse.ok);
    assert.equal(coarse.error.code, 'h3_resolution');
  });
  test('exposes a trip to the incident density of the cells it drives through', () => {
    const res = parseAreaRiskCsv(`lat,lon,count\n${ANDORRA.lat},${ANDORRA.lon},10`);
    assert.ok(res.ok);
    const inside = tripContext(
      [
        { t: 0, lat: ANDORRA.lat, lon: ANDORRA.lon },
        { t: 10_000, lat: ANDORRA.lat + 0.0002, lon: ANDORRA.lon },
      ],
      { areaRisk: res.value },
    );
    assert.ok(inside.available && inside.areaRisk.available);
    assert.ok(inside.areaRisk.exposurePerKm2 > 10);
    assert.ok(Math.abs(inside.areaRisk.index - 1) < 1e-9);
  });
});

describe('no context loaded', () => {
  test('reports each missing source as unavailable with a reason, and darkness still', () => {
    const ctx = tripContext(drive(Date.UTC(2024, 0, 15, 12)), {});
    assert.ok(ctx.available);
    assert.deepEqual(ctx.weather, { available: false, reason: 'no weather data loaded' });
    assert.deepEqual(ctx.areaRisk, { available: false, reason: 'no area risk data loaded' });
    assert.equal(ctx.darkShare, 0);
    assert.deepEqual(contextFeatures(ctx), {
      wetShare: null,
      snowShare: null,
      darkShare: 0,
      areaRiskExposure: null,
    });
  });
  test('reports a trace without driving time as unavailable', () => {
    const ctx = tripContext([{ t: 0, lat: 1, lon: 1 }], {});
    assert.equal(ctx.available, false);
    assert.ok(!ctx.available && ctx.reason.length > 0);
  });
  test('does not count weather that covers too little of the trip', () => {
    const parsed = parseOpenMeteo(fixture);
    assert.ok(parsed.ok);
    const table = new WeatherTable(parsed.value);
    const ctx = tripContext(drive(Date.UTC(2024, 5, 1, 12)), { weather: table });
    assert.ok(ctx.available && !ctx.weather.available);
    assert.match(ctx.weather.reason, /covers 0%/);
  });
});
