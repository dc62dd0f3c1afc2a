// Pricing through the /v1 API on PostgreSQL: policies (protected attributes refused), the quote a driver sees
// (money per factor, reasons, savings), the safety score beside the pricing factor, what-if, PAYD statements,
// rating plans and the portfolio fairness report.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { defaultPlan } from '../src/pricing/index.ts';
import { TELEMATICS_MODEL_NAME, trainTelematicsModel } from '../src/risk/telematics/index.ts';
import { syntheticTelematicsRows } from '../src/risk/testing/telematics.ts';
import { refreshDriverRisk } from '../src/services/driver-risk.ts';
import { requote } from '../src/services/pricing.ts';
import { createPgModelRegistry } from '../src/store/index.ts';
import { inject, type Seed, seed } from './api-seed.ts';
import { RATING_FACTORS } from './authz/pricing.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');
const DAY = 86_400_000;
if (targets.length === 0) test.skip(`pricing API: ${missing.join('; ')}`, () => {});

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function trip(
  t: V1TestApp,
  tenant: string,
  driverId: string,
  startMs: number,
  km: number,
  brakes: number,
) {
  const id = `trip-${randomBytes(6).toString('hex')}`;
  const features = {
    distanceM: km * 1000,
    durationMs: km * 72_000,
    movingTimeMs: km * 70_000,
    speedingShare: 0.03,
    nightShare: 0.1,
    phoneUseMs: 20_000,
  };
  await t.db.query(
    `INSERT INTO trips (id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s, features, trace)
     VALUES ($1, $2, 'dev', $3, $4, $5, $6, $7, $8, '{}')`,
    [id, tenant, driverId, new Date(startMs), new Date(startMs + km * 72_000), km * 1000, km * 72, features],
  );
  for (let i = 0; i < brakes; i++)
    await t.db.query(
      `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at)
       VALUES ($1, $2, $3, 'dev', $4, 'harsh_braking', 'moderate', $5, $5)`,
      [`${id}-b${i}`, id, tenant, driverId, new Date(startMs + (i + 1) * 30_000)],
    );
}

for (const target of targets) {
  describe(`pricing API on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    let auth: { a1: string; a2: string; analyst: string; admin: string; adminB: string };
    const policyBody = (driverId: string, extra: Record<string, unknown> = {}) => ({
      driverId,
      jurisdiction: 'AD',
      product: 'phyd',
      startsOn: day(t.clock.nowMs - 60 * DAY),
      endsOn: day(t.clock.nowMs + 300 * DAY),
      ratingFactors: RATING_FACTORS,
      ...extra,
    });
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, SECRET);
      fx = await seed(t);
      auth = {
        a1: `Bearer ${fx.accounts.driverA1.accessToken}`,
        a2: `Bearer ${fx.accounts.driverA2.accessToken}`,
        analyst: `Bearer ${fx.accounts.analystA.accessToken}`,
        admin: `Bearer ${fx.accounts.adminA.accessToken}`,
        adminB: `Bearer ${fx.accounts.adminB.accessToken}`,
      };
      const model = await trainTelematicsModel(syntheticTelematicsRows(3000, 11), { seed: 1 });
      const reg = createPgModelRegistry(t.db, fx.tenants.a);
      await reg.save(TELEMATICS_MODEL_NAME, model.artifact);
      assert.ok((await reg.promote(TELEMATICS_MODEL_NAME, 1)).ok);
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('policies: protected attributes and unusable factors are refused by name; a valid one is priced at once', async () => {
      const post = (body: unknown, a = auth.admin) => inject(t, 'POST', '/v1/policies', { auth: a, body });
      // Protected everywhere; gender only where the jurisdiction bans it (the EU: Test-Achats).
      const ethnicity = await post(
        policyBody(fx.drivers.a2, { ratingFactors: { ...RATING_FACTORS, ethnicity: 'x' } }),
      );
      assert.equal(ethnicity.status, 400);
      assert.match(ethnicity.text, /ratingFactors\.ethnicity.*race/);
      const gender = await post(
        policyBody(fx.drivers.a2, {
          jurisdiction: 'FR',
          ratingFactors: { ...RATING_FACTORS, driverGender: 'F' },
        }),
      );
      assert.equal(gender.status, 400);
      assert.match(gender.text, /ratingFactors\.driverGender.*gender/);
      const { vehicleAgeYears: _, ...partial } = RATING_FACTORS;
      const missingAge = await post(policyBody(fx.drivers.a2, { ratingFactors: partial }));
      assert.equal(missingAge.status, 400);
      assert.match(missingAge.text, /ratingFactors\.vehicleAgeYears/);
      assert.equal((await post(policyBody(fx.drivers.a2, { jurisdiction: 'XX' }))).status, 400);
      const backwards = await post(policyBody(fx.drivers.a2, { endsOn: day(t.clock.nowMs - 90 * DAY) }));
      assert.equal(backwards.status, 400);
      assert.equal((await post(policyBody(fx.drivers.a2), auth.adminB)).status, 404);
      const { rowCount } = await t.db.query('SELECT 1 FROM policies WHERE driver_id = $1', [fx.drivers.a2]);
      assert.equal(rowCount, 0, 'nothing of a refused policy is stored');

      const ok = await post(policyBody(fx.drivers.a2));
      assert.equal(ok.status, 201, ok.text);
      const quote = ok.body.quote as { premiumCents: number; currency: string };
      assert.equal(quote.currency, 'EUR');
      assert.ok(quote.premiumCents > 0);
      const id = ok.body.id as string;
      assert.equal((await inject(t, 'GET', `/v1/policies/${id}`, { auth: auth.a2 })).status, 200);
      assert.equal((await inject(t, 'GET', `/v1/policies/${id}`, { auth: auth.a1 })).status, 404);
      const mine = await inject(t, 'GET', '/v1/policies', { auth: auth.a1 });
      assert.deepEqual(mine.body.items, []);

      const v = await inject(t, 'POST', '/v1/vehicles', {
        auth: auth.admin,
        body: { driverId: fx.drivers.a2, make: 'Dacia', model: 'Sandero', year: 2021, powerKw: 67 },
      });
      assert.equal(v.status, 201);
      const vs = await inject(t, 'GET', '/v1/vehicles', { auth: auth.a2 });
      assert.deepEqual(
        (vs.body.items as Array<{ id: string }>).map((x) => x.id),
        [v.body.id],
      );
    });

    test('the quote adds up in cents, compares with the non-telematics price, and the score sits beside the factor', async () => {
      const d = fx.drivers.a2;
      const now = t.clock.nowMs;
      for (let k = 0; k < 16; k++) await trip(t, fx.tenants.a, d, now - (k + 1) * DAY, 40, k % 2);
      for (const daysAgo of [6, 3, 0]) await refreshDriverRisk(t.db, fx.tenants.a, d, now - daysAgo * DAY);
      const r = await requote(t.db, fx.tenants.a, d, { reason: 'trip.completed', nowMs: now });
      assert.ok(r.ok);

      const q = await inject(t, 'GET', `/v1/drivers/${d}/quote`, { auth: auth.a2 });
      assert.equal(q.status, 200);
      const body = q.body as {
        premiumCents: number;
        nonTelematicsPremiumCents: number;
        savingsCents: number;
        telematicsFactor: number;
        contributions: Array<{ key: string; cents: number }>;
        behaviour: Array<{ cents: number }>;
        reasons: Array<{ text: string }>;
        change: { changeCents: number } | null;
      };
      assert.equal(
        body.contributions.reduce((s, c) => s + c.cents, 0),
        body.premiumCents,
      );
      assert.equal(body.savingsCents, body.nonTelematicsPremiumCents - body.premiumCents);
      const telematics = body.contributions.find((c) => c.key === 'telematics')!;
      assert.equal(
        body.behaviour.reduce((s, b) => s + b.cents, 0),
        telematics.cents,
      );
      assert.ok(body.reasons.length <= 4);
      assert.equal((await inject(t, 'GET', `/v1/drivers/${d}/quote`, { auth: auth.a1 })).status, 404);

      const s = await inject(t, 'GET', `/v1/drivers/${d}/score`, { auth: auth.a2 });
      assert.equal(s.status, 200);
      const score = s.body as {
        safetyScore: { score: number | null };
        pricingFactor: { factor: number };
        trend: Array<{ date: string; score: number | null }>;
        exposureKm: number;
      };
      assert.ok(score.exposureKm >= 300, `${score.exposureKm} km`);
      assert.ok(
        score.safetyScore.score !== null && score.safetyScore.score >= 0 && score.safetyScore.score <= 100,
      );
      assert.equal(score.pricingFactor.factor, body.telematicsFactor);
      assert.deepEqual(
        score.trend.map((x) => x.date),
        [6, 3, 0].map((k) => day(now - k * DAY)),
      );
      assert.equal(score.trend.at(-1)!.score, score.safetyScore.score);

      const fresh = await inject(t, 'GET', `/v1/drivers/${fx.drivers.a1}/score`, { auth: auth.a1 });
      assert.equal(fresh.status, 200);
      const none = fresh.body as { safetyScore: { score: null; reason: string }; pricingFactor: null };
      assert.equal(none.safetyScore.score, null);
      assert.match(none.safetyScore.reason, /300 km/);
      assert.equal(none.pricingFactor, null);
    });

    test('what-if: the standard coaching scenarios, or one set of changes, against the current premium', async () => {
      const d = fx.drivers.a2;
      const std = await inject(t, 'POST', `/v1/drivers/${d}/what-if`, { auth: auth.a2, body: {} });
      assert.equal(std.status, 200, std.text);
      const items = std.body.items as Array<{ label: string; premiumCents: number; deltaCents: number }>;
      assert.equal(items.length, 4);
      const current = (await inject(t, 'GET', `/v1/drivers/${d}/quote`, { auth: auth.a2 })).body.premiumCents;
      assert.equal(std.body.currentPremiumCents, current);
      for (const i of items) assert.equal(i.premiumCents - (current as number), i.deltaCents);
      const custom = await inject(t, 'POST', `/v1/drivers/${d}/what-if`, {
        auth: auth.analyst,
        body: {
          label: 'Calmer and no phone',
          changes: [
            { kind: 'set', behaviour: 'harshBrakingPer100Km', value: 0 },
            { kind: 'set', behaviour: 'phoneUseSecPerHour', value: 0 },
          ],
        },
      });
      assert.equal(custom.status, 200);
      const one = (custom.body.items as Array<{ label: string; deltaCents: number }>)[0]!;
      assert.equal(one.label, 'Calmer and no phone');
      assert.ok(one.deltaCents <= 0);
      const bad = await inject(t, 'POST', `/v1/drivers/${d}/what-if`, {
        auth: auth.a2,
        body: { changes: [{ kind: 'set', behaviour: 'gender', value: 1 }] },
      });
      assert.equal(bad.status, 400);
      const noPolicy = await inject(t, 'POST', `/v1/drivers/${fx.drivers.a1}/what-if`, {
        auth: auth.a1,
        body: {},
      });
      assert.equal(noPolicy.status, 404);
    });

    test('PAYD statements: staff generate a month idempotently, the driver reads it', async () => {
      const d = fx.drivers.a1;
      const made = await inject(t, 'POST', '/v1/policies', {
        auth: auth.admin,
        body: policyBody(d, { product: 'payd' }),
      });
      assert.equal(made.status, 201, made.text);
      const month = day(t.clock.nowMs - 20 * DAY).slice(0, 7);
      const start = Date.parse(`${month}-10T09:00:00Z`);
      await trip(t, fx.tenants.a, d, start, 250, 0);
      await trip(t, fx.tenants.a, d, start + 3600_000, 250, 0);
      await trip(t, fx.tenants.a, d, start + DAY, 120, 0);
      const gen = () =>
        inject(t, 'POST', `/v1/drivers/${d}/statements`, { auth: auth.analyst, body: { month } });
      const first = await gen();
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.status, 'created');
      const st = first.body.statement as { cappedDays: number; billedDistanceM: number; totalCents: number };
      assert.equal(st.cappedDays, 1);
      // The day of 500 km bills 400; the seeded 1.23 km trip of the seed may fall in another month.
      assert.ok(st.billedDistanceM >= 520_000 && st.billedDistanceM < 522_000, String(st.billedDistanceM));
      assert.equal(first.body.totalCents, st.totalCents);
      const second = await gen();
      assert.equal(second.body.status, 'unchanged');
      assert.equal(second.body.revision, 1);
      const byDriver = await inject(t, 'POST', `/v1/drivers/${d}/statements`, {
        auth: auth.a1,
        body: { month },
      });
      assert.equal(byDriver.status, 403);
      const list = await inject(t, 'GET', `/v1/drivers/${d}/statements`, { auth: auth.a1 });
      assert.deepEqual(
        (list.body.items as Array<{ month: string; totalCents: number }>).map((s) => [s.month, s.totalCents]),
        [[month, st.totalCents]],
      );
      const phyd = await inject(t, 'POST', `/v1/drivers/${fx.drivers.a2}/statements`, {
        auth: auth.analyst,
        body: { month },
      });
      assert.equal(phyd.status, 404, 'no PAYD policy');
    });

    test('plans: a published plan is checked against its jurisdiction, and the newest in force is current', async () => {
      const base = defaultPlan('FR', 'phyd')!;
      const publish = (plan: unknown, bands: unknown = base.bands) =>
        inject(t, 'POST', '/v1/plans', { auth: auth.admin, body: { product: 'phyd', plan, bands } });
      const genderFactor = {
        ...base.plan,
        id: 'fr-gendered',
        classicFactors: [
          ...base.plan.classicFactors,
          { name: 'driverGender', label: 'Gender', levels: [{ code: 'F', relativity: 0.9 }] },
        ],
      };
      const g = await publish(genderFactor);
      assert.equal(g.status, 400);
      assert.match(g.text, /gender/);
      const ca = await publish({ ...base.plan, id: 'ca-behaviour', jurisdiction: 'US-CA' });
      assert.equal(ca.status, 400);
      assert.match(ca.text, /mileage-only|telematics/);

      const cur0 = await inject(t, 'GET', '/v1/plans/current?jurisdiction=FR&product=phyd', {
        auth: auth.a1,
      });
      assert.equal(cur0.body.key, 'default-fr-phyd@1');
      const v2 = {
        ...base.plan,
        version: 2,
        baseMonthlyCents: 2700,
        effectiveFrom: day(t.clock.nowMs - DAY),
      };
      const made = await publish(v2);
      assert.equal(made.status, 201, made.text);
      assert.equal((await publish(v2)).status, 409);
      const cur = await inject(t, 'GET', '/v1/plans/current?jurisdiction=FR&product=phyd', { auth: auth.a1 });
      assert.equal(cur.body.key, 'default-fr-phyd@2');
      const earlier = await inject(
        t,
        'GET',
        `/v1/plans/current?jurisdiction=FR&product=phyd&date=${day(t.clock.nowMs - 9 * DAY)}`,
        {
          auth: auth.analyst,
        },
      );
      assert.equal(earlier.body.key, 'default-fr-phyd@1');
      const list = await inject(t, 'GET', '/v1/plans?jurisdiction=FR', { auth: auth.analyst });
      assert.ok((list.body.items as Array<{ key: string }>).some((p) => p.key === 'default-fr-phyd@2'));
      const other = await inject(t, 'GET', '/v1/plans?jurisdiction=FR', { auth: auth.adminB });
      assert.ok(!(other.body.items as Array<{ key: string }>).some((p) => p.key === 'default-fr-phyd@2'));
    });

    test('fairness: groups and impact ratios, monotone prices, and a policy with a protected attribute is flagged', async () => {
      const r = await inject(t, 'GET', '/v1/portfolio/fairness', { auth: auth.analyst });
      assert.equal(r.status, 200, r.text);
      const rep = r.body as {
        fairness: {
          drivers: number;
          dimensions: Array<{ dimension: string; groups: Array<{ group: string }> }>;
        };
        monotonicity: { drivers: number; checks: number; violationCount: number };
        protectedAttributes: { checked: number; violations: unknown[] };
      };
      assert.equal(rep.fairness.drivers, 2);
      assert.deepEqual(
        rep.fairness.dimensions.map((x) => x.dimension),
        ['ageBand', 'territory', 'product'],
      );
      assert.deepEqual(
        rep.fairness.dimensions[2]!.groups.map((g) => g.group),
        ['payd', 'phyd'],
      );
      assert.equal(rep.monotonicity.drivers, 2);
      assert.ok(rep.monotonicity.checks > 0);
      assert.equal(rep.monotonicity.violationCount, 0);
      assert.deepEqual(rep.protectedAttributes.violations, []);

      // Written around the API: the check still finds it.
      await t.db.query(
        `UPDATE policies SET rating_factors = rating_factors || '{"ethnicity": "x"}' WHERE driver_id = $1`,
        [fx.drivers.a2],
      );
      const again = await inject(t, 'GET', '/v1/portfolio/fairness', { auth: auth.admin });
      assert.deepEqual((again.body.protectedAttributes as { violations: unknown[] }).violations, [
        { driverId: fx.drivers.a2, input: 'ethnicity', concept: 'race' },
      ]);
      assert.equal((await inject(t, 'GET', '/v1/portfolio/fairness', { auth: auth.a1 })).status, 403);
    });
  });
}
