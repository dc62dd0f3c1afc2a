// The dashboard's own routes on the real API and database: road geometry within a box, a trip's map layers,
// event evidence, crash candidates, achievements from counted trips and non-voided events only, and the opt-in
// leaderboard that is the driver's 'leaderboard' consent and never crosses tenants.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { RoadNetwork, type RoadEdge } from '../src/geo/index.ts';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { saveRoadNetwork } from '../src/store/index.ts';
import { inject, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const DAY_MS = 86_400_000;

function edge(
  id: number,
  from: number,
  to: number,
  roadClass: RoadEdge['roadClass'],
  pts: number[],
): RoadEdge {
  return {
    id,
    wayId: 100 + id,
    fromNode: from,
    toNode: to,
    roadClass,
    name: `road ${id}`,
    oneway: false,
    speedLimitKmh: 50,
    speedLimitSource: 'tagged',
    lengthM: 1000,
    geometry: Float64Array.from(pts),
  };
}

/** Two roads near (42.5, 1.5) and one far away, so a box can hold some and not others. */
const network = () =>
  new RoadNetwork({
    nodes: [
      { id: 0, lat: 42.5, lon: 1.5 },
      { id: 1, lat: 42.51, lon: 1.51 },
      { id: 2, lat: 42.52, lon: 1.5 },
      { id: 3, lat: 45, lon: 5 },
      { id: 4, lat: 45.01, lon: 5.01 },
    ],
    edges: [
      edge(0, 0, 1, 'residential', [42.5, 1.5, 42.505, 1.5051, 42.51, 1.51]),
      edge(1, 1, 2, 'primary', [42.51, 1.51, 42.52, 1.5]),
      edge(2, 3, 4, 'motorway', [45, 5, 45.01, 5.01]),
    ],
  });

const bearer = (a: { accessToken: string }) => `Bearer ${a.accessToken}`;

async function insertTrip(t: V1TestApp, tenant: string, driver: string, startMs: number, distanceM: number) {
  const id = `trip-${randomBytes(5).toString('hex')}`;
  const n = 11;
  const trace = {
    tMs: Array.from({ length: n }, (_, i) => startMs + i * 1000),
    lat: Array.from({ length: n }, (_, i) => 42.5 + i * 0.001),
    lon: Array.from({ length: n }, (_, i) => 1.5 + i * 0.001),
    speedMps: Array.from({ length: n }, () => 14),
    headingDeg: Array.from({ length: n }, () => 45),
  };
  await t.db.query(
    `INSERT INTO trips (id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s, features, trace)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 10, $8, $9)`,
    [
      id,
      tenant,
      `dev-${driver}`,
      driver,
      new Date(startMs),
      new Date(startMs + 10_000),
      distanceM,
      { distanceM, speedLimitsAvailable: true, nightShare: 0 },
      trace,
    ],
  );
  return id;
}

async function insertEvent(
  t: V1TestApp,
  trip: string,
  tenant: string,
  driver: string,
  kind: string,
  atMs: number,
) {
  const id = `${trip}-${kind}-${atMs}`;
  await t.db.query(
    `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at, peak, lat, lon,
                         details, evidence)
     VALUES ($1, $2, $3, $4, $5, $6, 'moderate', $7, $8, 4.2, 42.503, 1.503, '{"peakUnit":"mps2"}', $9)`,
    [
      id,
      trip,
      tenant,
      `dev-${driver}`,
      driver,
      kind,
      new Date(atMs),
      new Date(atMs + 3000),
      {
        t0Ms: atMs,
        imu: null,
        speed: { tOffsetMs: [-1000, 0, 1000], speedMps: [14, 12, 9], limitKmh: [50, 50, 50] },
      },
    ],
  );
  return id;
}

if (targets.length === 0) test.skip(`dashboard API: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  describe(`dashboard API on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    let trip: string;
    let braking: string;
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, randomBytes(32).toString('hex'));
      fx = await seed(t);
      await saveRoadNetwork(t.db, {
        name: 'tiny',
        source: 'test',
        country: null,
        summary: {},
        network: network(),
      });
      // After the seed's own trip (48 h ago, two harsh brakings), so streaks have an order.
      const t0 = t.clock.nowMs - DAY_MS;
      trip = await insertTrip(t, fx.tenants.a, fx.drivers.a1, t0, 20_000);
      await insertEvent(t, trip, fx.tenants.a, fx.drivers.a1, 'speeding', t0 + 2000);
      braking = await insertEvent(t, trip, fx.tenants.a, fx.drivers.a1, 'harsh_braking', t0 + 6000);
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('roads come back within the box, major classes first, simplified and cacheable', async () => {
      const auth = bearer(fx.accounts.driverA1);
      const r = await inject(t, 'GET', '/v1/map/roads?bbox=1.49,42.49,1.52,42.53', { auth });
      assert.equal(r.status, 200);
      assert.match(String(r.headers['cache-control']), /private, max-age=/);
      const features = r.body.features as Array<{
        properties: { roadClass: string };
        geometry: { coordinates: number[][] };
      }>;
      assert.deepEqual(
        features.map((f) => f.properties.roadClass),
        ['primary', 'residential'],
      );
      assert.deepEqual(features[0]!.geometry.coordinates[0], [1.51, 42.51]);
      const one = await inject(t, 'GET', '/v1/map/roads?bbox=1.49,42.49,1.52,42.53&limit=1', { auth });
      assert.equal((one.body.features as unknown[]).length, 1);
      assert.equal(one.body.truncated, true);
      const bad = await inject(t, 'GET', '/v1/map/roads?bbox=1,2,3', { auth });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /bbox/);
    });

    test("a trip's map has the route, its speeding span and event markers that show voiding", async () => {
      const auth = bearer(fx.accounts.driverA1);
      const r = await inject(t, 'GET', `/v1/trips/${trip}/map`, { auth });
      assert.equal(r.status, 200);
      const route = r.body.route as { geometry: { coordinates: number[][] } };
      assert.equal(route.geometry.coordinates.length, 11);
      const speeding = (r.body.speeding as { features: Array<{ geometry: { coordinates: number[][] } }> })
        .features;
      assert.equal(speeding[0]!.geometry.coordinates.length, 4); // seconds 2..5 of the trace
      await t.db.query("UPDATE events SET voided = true, void_reason = 'evasive_manoeuvre' WHERE id = $1", [
        braking,
      ]);
      const again = await inject(t, 'GET', `/v1/trips/${trip}/map`, { auth });
      const marks = (
        again.body.events as { features: Array<{ properties: { eventId: string; voided: boolean } }> }
      ).features;
      assert.equal(marks.find((m) => m.properties.eventId === braking)?.properties.voided, true);
      await t.db.query('UPDATE events SET voided = false, void_reason = NULL WHERE id = $1', [braking]);
      const other = await inject(t, 'GET', `/v1/trips/${trip}/map`, { auth: bearer(fx.accounts.driverA2) });
      assert.equal(other.status, 404);
    });

    test('event evidence is served to its driver and staff, not to another driver', async () => {
      const own = await inject(t, 'GET', `/v1/events/${braking}/evidence`, {
        auth: bearer(fx.accounts.driverA1),
      });
      assert.deepEqual((own.body.evidence as { speed: { speedMps: number[] } }).speed.speedMps, [14, 12, 9]);
      const staff = await inject(t, 'GET', `/v1/events/${braking}/evidence`, {
        auth: bearer(fx.accounts.analystA),
      });
      assert.equal(staff.status, 200);
      const other = await inject(t, 'GET', `/v1/events/${braking}/evidence`, {
        auth: bearer(fx.accounts.driverA2),
      });
      assert.equal(other.status, 404);
    });

    test('achievements count only counted trips and non-voided events', async () => {
      const auth = bearer(fx.accounts.driverA1);
      const url = `/v1/drivers/${fx.drivers.a1}/achievements`;
      const before = await inject(t, 'GET', url, { auth });
      assert.equal(before.status, 200);
      const rate = (b: Record<string, unknown>, k: string) =>
        (b.behaviours as Array<{ behaviour: string; driver: number }>).find((x) => x.behaviour === k)!.driver;
      assert.ok(rate(before.body, 'braking') > 0);
      const smooth = (b: Record<string, unknown>) =>
        (b.streaks as Array<{ id: string; current: number }>).find((s) => s.id === 'smooth_trips')!.current;
      const smoothBefore = smooth(before.body);
      await t.db.query("UPDATE events SET voided = true, void_reason = 'evasive_manoeuvre' WHERE id = $1", [
        braking,
      ]);
      const voided = await inject(t, 'GET', url, { auth });
      assert.ok(rate(voided.body, 'braking') < rate(before.body, 'braking'));
      assert.equal(smooth(voided.body), smoothBefore + 1, 'the trip became smooth');
      await t.db.query('UPDATE events SET voided = false, void_reason = NULL WHERE id = $1', [braking]);
      const trips = (before.body.totals as { trips: number }).trips;
      await t.db.query("UPDATE trips SET counted = false, exclusion_reason = 'passenger' WHERE id = $1", [
        trip,
      ]);
      const excluded = await inject(t, 'GET', url, { auth });
      assert.equal((excluded.body.totals as { trips: number }).trips, trips - 1);
      await t.db.query('UPDATE trips SET counted = true, exclusion_reason = NULL WHERE id = $1', [trip]);
    });

    test('the leaderboard shows opted-in drivers by alias only, follows the consent, and stays in its tenant', async () => {
      const auth = bearer(fx.accounts.driverA1);
      const join = await inject(t, 'PUT', `/v1/drivers/${fx.drivers.a1}/leaderboard`, {
        auth,
        body: { optIn: true },
      });
      assert.equal(join.status, 200);
      const alias = join.body.alias as string;
      assert.match(alias, /^Driver [0-9A-F]{6}$/);
      const board = await inject(t, 'GET', '/v1/leaderboard', { auth });
      const entries = board.body.entries as Array<{ alias: string; you: boolean }>;
      assert.deepEqual(entries, [{ ...entries[0]!, alias, you: true }]);
      assert.ok(!board.text.includes(fx.drivers.a1), 'a driver id leaked');
      const b = await inject(t, 'GET', '/v1/leaderboard', { auth: bearer(fx.accounts.adminB) });
      assert.deepEqual(b.body.entries, []);
      // Withdrawing the consent on the privacy page takes the driver off.
      const { rowCount } = await t.db.query(
        "UPDATE consents SET granted = false WHERE driver_id = $1 AND purpose = 'leaderboard'",
        [fx.drivers.a1],
      );
      assert.equal(rowCount, 1);
      const off = await inject(t, 'GET', '/v1/leaderboard', { auth });
      assert.deepEqual(off.body.entries, []);
    });

    test('crash candidates list the driver’s answer', async () => {
      const crash = await insertEvent(
        t,
        trip,
        fx.tenants.a,
        fx.drivers.a1,
        'crash_candidate',
        t.clock.nowMs - DAY_MS,
      );
      const url = `/v1/drivers/${fx.drivers.a1}/crash-candidates`;
      const auth = bearer(fx.accounts.driverA1);
      const first = await inject(t, 'GET', url, { auth });
      assert.deepEqual(
        (first.body.items as Array<{ eventId: string; response: string | null }>).map((i) => [
          i.eventId,
          i.response,
        ]),
        [[crash, null]],
      );
      await t.db.query(
        `INSERT INTO crash_responses (event_id, tenant_id, driver_id, response) VALUES ($1, $2, $3, 'ok')`,
        [crash, fx.tenants.a, fx.drivers.a1],
      );
      const answered = await inject(t, 'GET', url, { auth });
      assert.equal((answered.body.items as Array<{ response: string }>)[0]!.response, 'ok');
    });
  });
}
