// The driver-risk service on PostgreSQL with stored trips and events: what counts, which champion scores, the
// daily history, classic-factor fallbacks, and the what-if function pricing calls.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../src/config/logger.ts';
import { BEHAVIOUR_KEYS } from '../src/pricing/index.ts';
import type { ModelArtifact } from '../src/risk/index.ts';
import { TELEMATICS_MODEL_NAME, trainTelematicsModel } from '../src/risk/telematics/index.ts';
import { syntheticTelematicsRows } from '../src/risk/testing/telematics.ts';
import {
  DEFAULT_FREQUENCY,
  driverClassicFactors,
  driverRiskHistory,
  frequencyModelFor,
  getDriverRisk,
  refreshDriverRisk,
} from '../src/services/driver-risk.ts';
import { createDb, createPgModelRegistry, type Db, ensureTenant, migrate } from '../src/store/index.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 15, 12);
const { targets, missing } = pgTargets();
if (targets.length === 0) test.skip(`driver risk service: ${missing.join('; ')}`, () => {});

let models: ModelArtifact[] = [];
before(async () => {
  const rows = syntheticTelematicsRows(3000, 11);
  models = [(await trainTelematicsModel(rows, { seed: 1 })).artifact];
  models.push((await trainTelematicsModel(syntheticTelematicsRows(3000, 12), { seed: 2 })).artifact);
});

let seq = 0;
async function driver(db: Db, tenant: string, opts: { policy?: boolean; birthYear?: number | null } = {}) {
  const id = `drv-${++seq}`;
  await db.query('INSERT INTO drivers (id, tenant_id, display_name, birth_year) VALUES ($1, $2, $1, $3)', [
    id,
    tenant,
    opts.birthYear === undefined ? 1990 : opts.birthYear,
  ]);
  await db.query(
    'INSERT INTO vehicles (id, tenant_id, driver_id, power_kw, year) VALUES ($1, $2, $3, 110, 2015)',
    [`veh-${id}`, tenant, id],
  );
  if (opts.policy !== false)
    await db.query(
      `INSERT INTO policies (id, tenant_id, driver_id, vehicle_id, jurisdiction, starts_on, ends_on, rating_factors)
       VALUES ($1, $2, $3, $4, 'AD', '2025-01-01', '2026-01-01', $5)`,
      [
        `pol-${id}`,
        tenant,
        id,
        `veh-${id}`,
        { driverAge: 30, vehiclePowerKw: 90, vehicleAgeYears: 4, territory: 'D', annualKm: 15000 },
      ],
    );
  return id;
}

/** A stored 20 km, 30 min trip ending `daysAgo` before NOW with `brakes` harsh brakings. */
async function trip(db: Db, tenant: string, driverId: string, daysAgo: number, brakes: number, extra = {}) {
  const id = `trip-${++seq}`;
  const end = NOW - daysAgo * DAY;
  const start = end - 30 * 60_000;
  const features = {
    distanceM: 20_000,
    durationMs: 1_800_000,
    movingTimeMs: 1_800_000,
    speedingShare: 0.05,
    phoneUseMs: 60_000,
    nightShare: 0,
    ...extra,
  };
  await db.query(
    `INSERT INTO trips (id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s, features, trace)
     VALUES ($1, $2, 'dev', $3, $4, $5, 20000, 1800, $6, '{}')`,
    [id, tenant, driverId, new Date(start), new Date(end), features],
  );
  for (let i = 0; i < brakes; i++)
    await db.query(
      `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at)
       VALUES ($1, $2, $3, 'dev', $4, 'harsh_braking', 'moderate', $5, $5)`,
      [`${id}-b${i}`, id, tenant, driverId, new Date(start + (i + 1) * 60_000)],
    );
  return id;
}

for (const target of targets) {
  describe(`driver risk on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let db: Db;
    const tenant = 'ins';
    before(async () => {
      tdb = await freshDatabase(target);
      db = createDb(tdb.url, { max: 4 });
      await migrate(db, createLogger('silent'));
      await ensureTenant(db, tenant, 'Insurer');
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
    });

    test('without a champion a driver prices flat and no version is recorded', async () => {
      const d = await driver(db, tenant);
      await trip(db, tenant, d, 1, 3);
      const r = await refreshDriverRisk(db, tenant, d, NOW);
      assert.equal(r.modelVersion, null);
      assert.equal(r.modelName, TELEMATICS_MODEL_NAME);
      assert.equal(r.classicFrequency, DEFAULT_FREQUENCY);
      assert.equal(r.behaviourFrequency, DEFAULT_FREQUENCY);
      assert.equal(r.tripsCounted, 1);
      const f = await frequencyModelFor(db, tenant, d);
      assert.equal(f({ ...r.behaviour, speedingShare: 0.9 }), DEFAULT_FREQUENCY);
    });

    test('scores counted trips with the champion; excluded trips and voided events stop counting', async () => {
      const reg = createPgModelRegistry(db, tenant);
      await reg.save(TELEMATICS_MODEL_NAME, models[0]!);
      assert.ok((await reg.promote(TELEMATICS_MODEL_NAME, 1)).ok);
      const d = await driver(db, tenant);
      const calm = await trip(db, tenant, d, 2, 0);
      const wild = await trip(db, tenant, d, 5, 8, { speedingShare: 0.2 });
      await trip(db, tenant, d, 120, 30); // outside the 90-day window
      const all = await refreshDriverRisk(db, tenant, d, NOW);
      assert.equal(all.modelVersion, 1);
      assert.equal(all.tripsCounted, 2);
      assert.equal(all.distanceKm30d, 40);
      // 8 brakes in 40 km, the newer calm trip weighted more by the 30-day half-life.
      const w2 = 0.5 ** (2 / 30);
      const w5 = 0.5 ** (5 / 30);
      assert.ok(Math.abs(all.behaviour.harshBrakingPer100Km - (w5 * 40) / (w2 + w5)) < 1e-9);
      assert.ok(Math.abs(all.exposureKm - 20 * (w2 + w5)) < 1e-9);
      assert.ok(Math.abs(all.behaviour.phoneUseSecPerHour - 120) < 1e-9);
      assert.ok(all.behaviourFrequency > all.classicFrequency, 'worse than typical costs more');

      await db.query("UPDATE events SET voided = true, void_reason = 'test' WHERE trip_id = $1", [wild]);
      const voided = await refreshDriverRisk(db, tenant, d, NOW);
      assert.equal(voided.behaviour.harshBrakingPer100Km, 0);
      assert.ok(voided.behaviourFrequency < all.behaviourFrequency);
      assert.equal(voided.tripsCounted, 2);

      await db.query("UPDATE trips SET counted = false, exclusion_reason = 'passenger' WHERE id = $1", [
        wild,
      ]);
      const excluded = await refreshDriverRisk(db, tenant, d, NOW);
      assert.equal(excluded.tripsCounted, 1);
      assert.equal(excluded.distanceKm30d, 20);
      assert.ok(Math.abs(excluded.behaviour.speedingShare - 0.05) < 1e-12);
      assert.deepEqual(await getDriverRisk(db, tenant, d), excluded);
      assert.equal(await getDriverRisk(db, 'other-tenant', d), null);
      void calm;
    });

    test('a promotion changes the version used and the history keeps one row per day', async () => {
      const d = await driver(db, tenant);
      await trip(db, tenant, d, 3, 2);
      const before = await refreshDriverRisk(db, tenant, d, NOW - 2 * DAY);
      await refreshDriverRisk(db, tenant, d, NOW - 2 * DAY + 3600_000);
      const reg = createPgModelRegistry(db, tenant);
      const v2 = await reg.save(TELEMATICS_MODEL_NAME, models[1]!);
      assert.ok((await reg.promote(TELEMATICS_MODEL_NAME, v2.version)).ok);
      const after = await refreshDriverRisk(db, tenant, d, NOW);
      assert.equal(after.modelVersion, v2.version);
      assert.notEqual(before.modelVersion, after.modelVersion);
      assert.notEqual(after.classicFrequency, before.classicFrequency);
      const h = await driverRiskHistory(db, tenant, d, 30, NOW);
      assert.deepEqual(
        h.map((x) => x.date),
        ['2025-06-13', '2025-06-15'],
      );
      assert.equal(h[1]!.behaviourFrequency, after.behaviourFrequency);
      assert.deepEqual(
        (await driverRiskHistory(db, tenant, d, 1, NOW)).map((x) => x.date),
        ['2025-06-15'],
      );
      const { rows } = await db.query(
        'SELECT model_version FROM driver_risk_daily WHERE driver_id = $1 ORDER BY day',
        [d],
      );
      assert.deepEqual(
        rows.map((r) => r.model_version),
        [before.modelVersion, v2.version],
      );
    });

    test('classic factors come from the policy, else the driver and vehicle, else the model defaults', async () => {
      const withPolicy = await driver(db, tenant);
      await refreshDriverRisk(db, tenant, withPolicy, NOW);
      const p = await driverClassicFactors(db, tenant, withPolicy);
      assert.deepEqual(p?.factors, {
        driverAge: 30,
        vehiclePowerKw: 90,
        vehicleAgeYears: 4,
        annualKm: 15000,
        territory: 'D',
      });
      const bare = await driver(db, tenant, { policy: false, birthYear: 1970 });
      for (let k = 0; k < 10; k++) await trip(db, tenant, bare, 1 + k * 3, 0);
      const r = await refreshDriverRisk(db, tenant, bare, NOW);
      const f = await driverClassicFactors(db, tenant, bare);
      assert.equal(f?.factors.driverAge, 55);
      assert.equal(f?.factors.vehiclePowerKw, 110);
      assert.equal(f?.factors.vehicleAgeYears, 10);
      assert.equal(f?.sources.annualKm, 'driving');
      assert.equal(f?.factors.annualKm, Math.round((200 * 365) / (28 + 1 / 48)));
      assert.equal(f?.sources.territory, 'model_default');
      assert.equal(f?.factors.territory, models[1]!.telematics!.classicDefaults.territory);
      assert.ok(r.classicFrequency > 0);
    });

    test('a driver without trips is neutral: reference behaviour, no credibility', async () => {
      const d = await driver(db, tenant);
      const r = await refreshDriverRisk(db, tenant, d, NOW);
      assert.equal(r.tripsCounted, 0);
      assert.equal(r.exposureKm, 0);
      assert.ok(Math.abs(r.behaviourFrequency / r.classicFrequency - 1) < 1e-12);
      for (const k of BEHAVIOUR_KEYS)
        assert.equal(r.behaviour[k], models[1]!.telematics!.behaviourReference[k], k);
      await assert.rejects(refreshDriverRisk(db, 'other-tenant', d, NOW), /not found/);
    });

    test('the what-if function matches the stored frequency and never falls as behaviour worsens', async () => {
      const d = await driver(db, tenant);
      await trip(db, tenant, d, 1, 4);
      const r = await refreshDriverRisk(db, tenant, d, NOW);
      const f = await frequencyModelFor(db, tenant, d);
      assert.ok(Math.abs(f(r.behaviour) / r.behaviourFrequency - 1) < 1e-9);
      const maxima = {
        harshBrakingPer100Km: 60,
        harshAccelerationPer100Km: 60,
        harshCorneringPer100Km: 60,
        speedingShare: 1,
        phoneUseSecPerHour: 3600,
        nightShare: 1,
      };
      for (const k of BEHAVIOUR_KEYS) {
        let prev = 0;
        for (let i = 0; i <= 40; i++) {
          const v = f({ ...r.behaviour, [k]: (maxima[k] * i) / 40 });
          assert.ok(v >= prev, `${k} at step ${i}`);
          prev = v;
        }
      }
    });
  });
}
