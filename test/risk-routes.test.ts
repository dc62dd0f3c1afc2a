// The model and portfolio routes end to end: listing, version detail (lift, calibration, Gini, drift), promotion
// (admin only, audited, refused for a model that cannot score drivers), and the portfolio analytics figures.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import {
  TELEMATICS_MODEL_NAME,
  type TelematicsTrainResult,
  trainTelematicsModel,
} from '../src/risk/telematics/index.ts';
import { syntheticTelematicsRows } from '../src/risk/testing/telematics.ts';
import { getDriverRisk, refreshDriverRisk } from '../src/services/driver-risk.ts';
import { severityMeanCents } from '../src/sim/claims.ts';
import { createPgModelRegistry } from '../src/store/index.ts';
import { inject, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');
if (targets.length === 0) test.skip(`risk routes: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  describe(`model and portfolio routes on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    let fit: TelematicsTrainResult;
    let analyst: string;
    let admin: string;
    const get = async (url: string, auth = analyst) => {
      const r = await inject(t, 'GET', url, { auth });
      assert.equal(r.status, 200, r.text);
      return r.body as Record<string, any>;
    };
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, SECRET);
      fx = await seed(t);
      analyst = `Bearer ${fx.accounts.analystA.accessToken}`;
      admin = `Bearer ${fx.accounts.adminA.accessToken}`;
      fit = await trainTelematicsModel(syntheticTelematicsRows(2000, 21), { seed: 1 });
      const reg = createPgModelRegistry(t.db, fx.tenants.a);
      await reg.save(TELEMATICS_MODEL_NAME, fit.artifact);
      await reg.save(TELEMATICS_MODEL_NAME, fit.classic); // not a telematics model: must not be promotable
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('lists versions with headline metrics; only an admin promotes, and it is audited', async () => {
      const list = await get('/v1/models');
      assert.deepEqual(
        list.items.map(
          (i: { name: string; version: number; champion: boolean }) => `${i.name}@${i.version}:${i.champion}`,
        ),
        [`${TELEMATICS_MODEL_NAME}@1:false`, `${TELEMATICS_MODEL_NAME}@2:false`],
      );
      assert.equal(list.items[0].metrics.test.gini, fit.test.gini);
      assert.equal(list.items[0].metrics.giniGain, fit.giniGain);
      const url = `/v1/models/${TELEMATICS_MODEL_NAME}/versions/1/promote`;
      assert.equal((await inject(t, 'POST', url, { auth: analyst })).status, 403);
      const ok = await inject(t, 'POST', url, { auth: admin });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.champion, true);
      assert.match(String(ok.body.promotedBy), /^user:/);
      const bad = await inject(t, 'POST', `/v1/models/${TELEMATICS_MODEL_NAME}/versions/2/promote`, {
        auth: admin,
      });
      assert.equal(bad.status, 409, bad.text);
      assert.equal(
        (await inject(t, 'POST', `/v1/models/${TELEMATICS_MODEL_NAME}/versions/9/promote`, { auth: admin }))
          .status,
        404,
      );
      const { rows } = await t.db.query(
        "SELECT subject_type, subject_id FROM audit_log WHERE action = 'model.promote' AND tenant_id = $1",
        [fx.tenants.a],
      );
      assert.deepEqual(rows, [{ subject_type: 'model', subject_id: `${TELEMATICS_MODEL_NAME}@1` }]);
      assert.equal(
        (await get('/v1/models')).items.filter((i: { champion: boolean }) => i.champion).length,
        1,
      );
      // The promotion rescored the tenant's drivers with the new champion (in the background).
      let risk = null;
      for (let i = 0; i < 100 && risk?.modelVersion !== 1; i++) {
        await new Promise((r) => setTimeout(r, 100));
        risk = await getDriverRisk(t.db, fx.tenants.a, fx.drivers.a1);
      }
      assert.equal(risk?.modelVersion, 1, 'driver a1 rescored by the promoted version');
      assert.equal(await getDriverRisk(t.db, fx.tenants.b, fx.drivers.b1), null, 'other tenants untouched');
    });

    test('a version shows lift and A/E by decile, calibration, Gini and drift against scored drivers', async () => {
      await refreshDriverRisk(t.db, fx.tenants.a, fx.drivers.a1, t.clock.nowMs);
      await refreshDriverRisk(t.db, fx.tenants.a, fx.drivers.a2, t.clock.nowMs);
      const v = await get(`/v1/models/${TELEMATICS_MODEL_NAME}/versions/1`);
      assert.equal(v.metrics.test.liftByDecile.length, 10);
      assert.equal(v.calibration.test.byDecile.length, 10);
      assert.equal(v.calibration.test.actualToExpected, fit.test.actualToExpected);
      assert.equal(v.gini.test, fit.test.gini);
      assert.equal(v.metrics.classicOnlyTest.gini, fit.classicTest.gini);
      assert.equal(v.drift.drivers, 2);
      assert.ok(typeof v.drift.psi === 'number' && v.drift.psi >= 0);
      assert.ok(Array.isArray(v.coefficients));
      assert.equal(
        (await inject(t, 'GET', `/v1/models/${TELEMATICS_MODEL_NAME}/versions/7`, { auth: analyst })).status,
        404,
      );
      const other = await inject(t, 'GET', `/v1/models/${TELEMATICS_MODEL_NAME}/versions/1`, {
        auth: `Bearer ${fx.accounts.adminB.accessToken}`,
      });
      assert.equal(other.status, 404);
    });

    test('the portfolio summary adds up drivers, driving, expected frequency, premiums and loss ratio', async () => {
      const a1 = (await getDriverRisk(t.db, fx.tenants.a, fx.drivers.a1))!;
      const a2 = (await getDriverRisk(t.db, fx.tenants.a, fx.drivers.a2))!;
      await t.db.query(
        `INSERT INTO policies (id, tenant_id, driver_id, jurisdiction, starts_on, ends_on) VALUES ('pol-a1', $1, $2, 'AD', '2020-01-01', '2040-01-01')`,
        [fx.tenants.a, fx.drivers.a1],
      );
      for (const [id, cents, at] of [
        ['q1', 9000, '2026-01-01'],
        ['q2', 8000, '2026-01-02'],
      ] as const)
        await t.db.query(
          `INSERT INTO quotes (id, tenant_id, driver_id, policy_id, plan_id, plan_version, premium_cents,
                               non_telematics_cents, telematics_factor, safety_score, quote, reason, created_at)
           VALUES ($1, $2, $3, 'pol-a1', 'p', 1, $4, $4, 1, 70, '{}', 'test', $5)`,
          [id, fx.tenants.a, fx.drivers.a1, cents, at],
        );
      const s = await get('/v1/portfolio/summary');
      assert.equal(s.drivers, 2);
      assert.equal(s.last30Days.trips, 2);
      assert.ok(Math.abs(s.last30Days.distanceKm - 2.469) < 1e-9);
      assert.equal(s.risk.scoredDrivers, 2);
      assert.ok(
        Math.abs(s.risk.meanExpectedFrequency - (a1.behaviourFrequency + a2.behaviourFrequency) / 2) < 1e-12,
      );
      assert.deepEqual(s.risk.driversByModelVersion, { 1: 2 });
      assert.equal(s.premium.quotedDrivers, 1);
      assert.equal(s.premium.monthlyPremiumCents, 8000, 'the latest quote counts');
      const { rows } = await t.db.query('SELECT classic_factors FROM driver_risk WHERE driver_id = $1', [
        fx.drivers.a1,
      ]);
      const sev = severityMeanCents({
        vehiclePowerKw: rows[0]!.classic_factors.factors.vehiclePowerKw,
        speedingShare: a1.behaviour.speedingShare,
      } as never);
      assert.ok(Math.abs(s.premium.expectedLossRatio - (a1.behaviourFrequency * sev) / (8000 * 12)) < 1e-12);
      const d = await get('/v1/portfolio/distributions');
      assert.equal(
        d.expectedFrequency.reduce((n: number, b: { count: number }) => n + b.count, 0),
        2,
      );
      assert.equal(
        d.relativity.reduce((n: number, b: { count: number }) => n + b.count, 0),
        2,
      );
      assert.equal(d.safetyScore.find((b: { from: number | null }) => b.from === 70).count, 1);
    });

    test('events over time count non-voided events per day and kind; density bins them to H3 cells', async () => {
      const before = await get('/v1/portfolio/events?days=7');
      assert.equal(before.days.length, 7);
      assert.equal(before.totals.harsh_braking, 3);
      const day = new Date(t.clock.nowMs - 48 * 3_600_000).toISOString().slice(0, 10);
      assert.equal(before.days.find((x: { date: string }) => x.date === day).counts.harsh_braking, 3);
      await t.db.query(
        'UPDATE events SET voided = true WHERE id = (SELECT min(id) FROM events WHERE trip_id = $1)',
        [fx.trips.a1],
      );
      const after = await get('/v1/portfolio/events?days=7');
      assert.equal(after.totals.harsh_braking, 2);
      assert.equal(after.voided, 1);

      await t.db.query('UPDATE events SET lat = 42.5078, lon = 1.5211 WHERE tenant_id = $1', [fx.tenants.a]);
      const dens = await get('/v1/portfolio/event-density?resolution=8&kind=harsh_braking');
      assert.equal(dens.events, 2);
      assert.equal(dens.cells.length, 1);
      assert.equal(dens.cells[0].count, 2);
      assert.ok(Math.abs(dens.cells[0].lat - 42.5078) < 0.01);
      const bad = await inject(t, 'GET', '/v1/portfolio/event-density?resolution=12', { auth: analyst });
      assert.equal(bad.status, 400);
    });
  });
}
