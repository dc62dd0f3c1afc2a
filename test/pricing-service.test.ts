// The pricing service on PostgreSQL: default plans, quotes built from policies and driver risk, the outbox events
// they announce, renewal capping across terms, what-if, and PAYD statements (idempotent, cents exact).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../src/config/logger.ts';
import { roundHalfEven } from '../src/pricing/index.ts';
import { createRng } from '../src/risk/index.ts';
import { TELEMATICS_MODEL_NAME, trainTelematicsModel } from '../src/risk/telematics/index.ts';
import { syntheticTelematicsRows } from '../src/risk/testing/telematics.ts';
import { refreshDriverRisk } from '../src/services/driver-risk.ts';
import {
  currentQuote,
  listPlans,
  planInForce,
  quoteHistory,
  requote,
  whatIf,
} from '../src/services/pricing.ts';
import { generateStatement, listStatements } from '../src/services/statements.ts';
import { createDb, createPgModelRegistry, type Db, ensureTenant, migrate } from '../src/store/index.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 15, 12);
const FACTORS = { driverAge: 34, vehiclePowerKw: 80, vehicleAgeYears: 5, territory: 'C', annualKm: 12000 };
const { targets, missing } = pgTargets();
if (targets.length === 0) test.skip(`pricing service: ${missing.join('; ')}`, () => {});

let seq = 0;
async function driver(db: Db, tenant: string): Promise<string> {
  const id = `drv-${++seq}`;
  await db.query('INSERT INTO drivers (id, tenant_id, display_name, birth_year) VALUES ($1, $2, $1, 1991)', [
    id,
    tenant,
  ]);
  return id;
}

async function policy(
  db: Db,
  tenant: string,
  driverId: string,
  o: { product?: string; from?: string; to?: string; factors?: Record<string, unknown> } = {},
): Promise<string> {
  const id = `pol-${++seq}`;
  await db.query(
    `INSERT INTO policies (id, tenant_id, driver_id, jurisdiction, product, starts_on, ends_on, rating_factors)
     VALUES ($1, $2, $3, 'AD', $4, $5, $6, $7)`,
    [
      id,
      tenant,
      driverId,
      o.product ?? 'phyd',
      o.from ?? '2025-01-01',
      o.to ?? '2026-01-01',
      o.factors ?? FACTORS,
    ],
  );
  return id;
}

/** A stored trip of whole metres starting at `startMs`, with `brakes` harsh brakings. */
async function trip(
  db: Db,
  tenant: string,
  driverId: string,
  startMs: number,
  distanceM: number,
  brakes = 0,
) {
  const id = `trip-${++seq}`;
  const durationS = Math.max(60, distanceM / 15);
  const features = {
    distanceM,
    durationMs: durationS * 1000,
    movingTimeMs: durationS * 1000,
    speedingShare: 0.04,
    phoneUseMs: 0,
    nightShare: 0,
  };
  await db.query(
    `INSERT INTO trips (id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s, features, trace)
     VALUES ($1, $2, 'dev', $3, $4, $5, $6, $7, $8, '{}')`,
    [
      id,
      tenant,
      driverId,
      new Date(startMs),
      new Date(startMs + durationS * 1000),
      distanceM,
      durationS,
      features,
    ],
  );
  for (let i = 0; i < brakes; i++)
    await db.query(
      `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at)
       VALUES ($1, $2, $3, 'dev', $4, 'harsh_braking', 'moderate', $5, $5)`,
      [`${id}-b${i}`, id, tenant, driverId, new Date(startMs + (i + 1) * 1000)],
    );
  return id;
}

const outbox = async (db: Db, driverId: string, type: string) =>
  (
    await db.query('SELECT data FROM domain_events WHERE driver_id = $1 AND type = $2 ORDER BY seq', [
      driverId,
      type,
    ])
  ).rows;

for (const target of targets) {
  describe(`pricing service on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let db: Db;
    const tenant = 'ins';
    before(async () => {
      tdb = await freshDatabase(target);
      db = createDb(tdb.url, { max: 4 });
      await migrate(db, createLogger('silent'));
      await ensureTenant(db, tenant, 'Insurer');
      await ensureTenant(db, 'plain', 'Insurer without a model');
      const model = await trainTelematicsModel(syntheticTelematicsRows(3000, 11), { seed: 1 });
      const reg = createPgModelRegistry(db, tenant);
      await reg.save(TELEMATICS_MODEL_NAME, model.artifact);
      assert.ok((await reg.promote(TELEMATICS_MODEL_NAME, 1)).ok);
    });
    after(async () => {
      await db?.close();
      await tdb?.drop();
    });

    test('default plans are seeded once per jurisdiction and product; an unknown jurisdiction is refused', async () => {
      const a = await planInForce(db, tenant, 'AD', 'phyd', NOW);
      const b = await planInForce(db, tenant, 'AD', 'phyd', NOW);
      assert.ok(a.ok && b.ok);
      assert.equal(a.value.plan.key, 'default-ad-phyd@1');
      assert.equal(a.value.isDefault, true);
      assert.deepEqual((await listPlans(db, tenant, { jurisdiction: 'AD' })).map((p) => p.plan.key).sort(), [
        'default-ad-classic@1',
        'default-ad-payd@1',
        'default-ad-phyd@1',
      ]);
      const xx = await planInForce(db, tenant, 'XX', 'phyd', NOW);
      assert.ok(!xx.ok && xx.error.code === 'unknown_jurisdiction');
    });

    test('a driver without a policy, or with a protected attribute among its factors, is not priced', async () => {
      const d = await driver(db, tenant);
      const none = await requote(db, tenant, d, { reason: 'test', nowMs: NOW });
      assert.ok(!none.ok && none.error.code === 'no_policy');
      await policy(db, tenant, d, { factors: { ...FACTORS, ethnicity: 'x' } });
      const banned = await requote(db, tenant, d, { reason: 'test', nowMs: NOW });
      assert.ok(!banned.ok && banned.error.code === 'protected_attribute');
      assert.equal(await currentQuote(db, tenant, d), null);
    });

    test('a new driver prices neutral: only the enrollment discount moves the classic price', async () => {
      const d = await driver(db, 'plain');
      await policy(db, 'plain', d);
      const r = await requote(db, 'plain', d, { reason: 'first', nowMs: NOW });
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      // €25 × 0.96 (25–39) × 0.926 (80–110 kW) × 1 (3–9 years) × 1 (C) = 2222.4 → ×0.95 = 2111.28.
      assert.equal(r.value.nonTelematicsCents, 2222);
      assert.equal(r.value.premiumCents, 2111);
      assert.equal(r.value.telematicsFactor, 1);
      assert.equal(r.value.safetyScore, null);
      assert.equal(r.value.modelVersion, null);
      const sum = r.value.quote.contributions.reduce((s, c) => s + c.cents, 0);
      assert.equal(sum, r.value.premiumCents);
    });

    test('requote stores every quote but announces only changes of premium and score', async () => {
      const d = await driver(db, tenant);
      await policy(db, tenant, d);
      for (let k = 0; k < 12; k++) await trip(db, tenant, d, NOW - (k + 1) * 2 * DAY, 40_000, k % 3);
      const first = await requote(db, tenant, d, { reason: 'policy.created', nowMs: NOW - 40 * DAY });
      assert.ok(first.ok && first.value.premiumChanged && first.value.change === null);
      await refreshDriverRisk(db, tenant, d, NOW);
      const second = await requote(db, tenant, d, { reason: 'trip.completed', nowMs: NOW });
      assert.ok(second.ok && second.value.premiumChanged && second.value.scoreChanged);
      assert.notEqual(second.value.premiumCents, first.value.premiumCents);
      assert.equal(second.value.modelVersion, 1);
      assert.equal(second.value.change?.changeCents, second.value.premiumCents - first.value.premiumCents);
      const third = await requote(db, tenant, d, { reason: 'replay', nowMs: NOW + 1 });
      assert.ok(third.ok && !third.value.premiumChanged && !third.value.scoreChanged);
      assert.equal(third.value.change?.changeCents, 0);

      const history = await quoteHistory(db, tenant, d, { limit: 10 });
      assert.deepEqual(
        history.map((h) => h.reason),
        ['replay', 'trip.completed', 'policy.created'],
      );
      assert.equal((await currentQuote(db, tenant, d))?.id, third.value.id);
      const premiums = await outbox(db, d, 'premium.changed');
      assert.deepEqual(
        premiums.map((e) => [e.data.premiumCents, e.data.previousPremiumCents, e.data.reason]),
        [
          [first.value.premiumCents, null, 'policy.created'],
          [second.value.premiumCents, first.value.premiumCents, 'trip.completed'],
        ],
      );
      const scores = await outbox(db, d, 'score.changed');
      assert.equal(scores.length, 1);
      assert.equal(scores[0]!.data.safetyScore, second.value.safetyScore);
    });

    test('at renewal the premium moves at most +15% from the last premium of the previous term', async () => {
      const d = await driver(db, 'plain');
      await policy(db, 'plain', d, {
        from: '2024-01-01',
        to: '2025-01-01',
        factors: { ...FACTORS, driverAge: 50 },
      });
      const old = await requote(db, 'plain', d, { reason: 'old term', nowMs: Date.UTC(2024, 11, 20) });
      assert.ok(old.ok);
      await policy(db, 'plain', d, { factors: { ...FACTORS, driverAge: 22 } });
      const renewed = await requote(db, 'plain', d, { reason: 'renewal', nowMs: NOW });
      assert.ok(renewed.ok);
      assert.equal(renewed.value.premiumCents, Math.floor(old.value.premiumCents * 1.15));
      const cap = renewed.value.quote.contributions.find((c) => c.key === 'renewalCap')!;
      assert.equal(cap.cents, renewed.value.premiumCents - renewed.value.quote.ratedPremiumCents);
      assert.ok(cap.cents < 0);
      // Within the term, requotes compare with the previous term, not with each other.
      const again = await requote(db, 'plain', d, { reason: 'trip', nowMs: NOW + DAY });
      assert.ok(again.ok && again.value.premiumCents === renewed.value.premiumCents);
    });

    test('what-if: halving harsh braking lowers the premium of a hard braker; nothing is stored', async () => {
      const d = await driver(db, tenant);
      await policy(db, tenant, d);
      for (let k = 0; k < 15; k++) await trip(db, tenant, d, NOW - (k + 1) * DAY, 60_000, 4);
      await refreshDriverRisk(db, tenant, d, NOW);
      const stored = await requote(db, tenant, d, { reason: 'trip', nowMs: NOW });
      assert.ok(stored.ok);
      const w = await whatIf(
        db,
        tenant,
        d,
        [
          {
            label: 'Half the braking',
            changes: [{ kind: 'scale', behaviour: 'harshBrakingPer100Km', factor: 0.5 }],
          },
          {
            label: 'Twice the braking',
            changes: [{ kind: 'scale', behaviour: 'harshBrakingPer100Km', factor: 2 }],
          },
        ],
        NOW,
      );
      assert.ok(w.ok, w.ok ? '' : w.error.message);
      assert.equal(w.value.currentPremiumCents, stored.value.premiumCents);
      const [half, twice] = w.value.items;
      assert.ok(half!.deltaCents < 0, `halving saves: ${half!.text}`);
      assert.ok(twice!.deltaCents >= 0);
      assert.equal(half!.premiumCents - half!.currentPremiumCents, half!.deltaCents);
      assert.equal((await quoteHistory(db, tenant, d, { limit: 10 })).length, 1);
    });

    test('PAYD statements: cents exact through the database, idempotent, revised when a trip stops counting', async () => {
      const d = await driver(db, 'plain');
      const pol = await policy(db, 'plain', d, { product: 'payd' });
      const rng = createRng(2024);
      const months = ['2025-03', '2025-04', '2025-05'];
      const trips: Array<{ id: string; month: string; day: string; m: number }> = [];
      for (const month of months) {
        for (let k = 0; k < 40; k++) {
          const dayOfMonth = 1 + Math.floor(rng.next() * 28);
          // Whole metres; a few long days go over the 400 km cap.
          const m =
            rng.next() < 0.1
              ? 150_000 + Math.floor(rng.next() * 250_000)
              : 500 + Math.floor(rng.next() * 60_000);
          const start = Date.parse(`${month}-${String(dayOfMonth).padStart(2, '0')}T08:00:00Z`) + k * 60_000;
          trips.push({ id: await trip(db, 'plain', d, start, m), month, day: `${month}-${dayOfMonth}`, m });
        }
      }
      // Terms: base €10 and 1.5¢/km times the classic relativities 0.96 × 0.926, each rounded half to even.
      const mult = 0.96 * 0.926;
      const base = roundHalfEven(1000 * mult);
      const rate = BigInt(roundHalfEven(1500 * mult));
      const expectedTotal = (month: string, excluded: Set<string>) => {
        const perDay = new Map<string, number>();
        for (const t of trips)
          if (t.month === month && !excluded.has(t.id)) perDay.set(t.day, (perDay.get(t.day) ?? 0) + t.m);
        let billedMm = 0n;
        for (const m of perDay.values()) billedMm += BigInt(Math.min(m, 400_000)) * 1000n;
        const num = billedMm * rate;
        const den = 1_000_000n * 1000n;
        let cents = num / den;
        const twice = 2n * (num % den);
        if (twice > den || (twice === den && cents % 2n === 1n)) cents += 1n;
        return base + Number(cents);
      };
      for (const month of months) {
        const g = await generateStatement(db, 'plain', pol, month, { nowMs: NOW });
        assert.ok(g.ok, g.ok ? '' : g.error.message);
        assert.equal(g.value.status, 'created');
        assert.equal(g.value.record.totalCents, expectedTotal(month, new Set()), month);
        assert.equal(g.value.record.statement.lines[0]!.amountCents, base);
        const again = await generateStatement(db, 'plain', pol, month, { nowMs: NOW + DAY });
        assert.ok(again.ok && again.value.status === 'unchanged');
        assert.equal(again.value.record.updatedAtMs, g.value.record.updatedAtMs);
        assert.equal(again.value.record.revision, 1);
      }
      // The first statement priced the policy (it had no quote yet); later ones reused that quote.
      assert.deepEqual(
        (await quoteHistory(db, 'plain', d, { limit: 5 })).map((q) => q.reason),
        ['statement'],
      );

      const gone = trips.find((t) => t.month === '2025-04')!;
      await db.query("UPDATE trips SET counted = false, exclusion_reason = 'passenger' WHERE id = $1", [
        gone.id,
      ]);
      const before = expectedTotal('2025-04', new Set());
      const revised = await generateStatement(db, 'plain', pol, '2025-04', {
        nowMs: NOW + 2 * DAY,
        reason: 'dispute X',
      });
      assert.ok(revised.ok && revised.value.status === 'updated');
      assert.equal(revised.value.record.revision, 2);
      assert.equal(revised.value.record.previousTotalCents, before);
      assert.equal(revised.value.record.totalCents, expectedTotal('2025-04', new Set([gone.id])));
      assert.equal(revised.value.record.revisionReason, 'dispute X');
      const untouched = await generateStatement(db, 'plain', pol, '2025-03', { nowMs: NOW + 2 * DAY });
      assert.ok(untouched.ok && untouched.value.status === 'unchanged');

      const listed = await listStatements(db, 'plain', d);
      assert.deepEqual(
        listed.map((s) => [s.month, s.revision]),
        [
          ['2025-05', 1],
          ['2025-04', 2],
          ['2025-03', 1],
        ],
      );
      const outside = await generateStatement(db, 'plain', pol, '2024-12', { nowMs: NOW });
      assert.ok(!outside.ok && outside.error.code === 'outside_policy');
      const phydDriver = await driver(db, 'plain');
      const phyd = await policy(db, 'plain', phydDriver);
      const notPayd = await generateStatement(db, 'plain', phyd, '2025-05', { nowMs: NOW });
      assert.ok(!notPayd.ok && notPayd.error.code === 'not_payd');
    });
  });
}
