// Disputes end to end through the API on PostgreSQL: a driver disputes a trip the real pipeline recorded as
// "passenger", staff accept, the trip stops counting, the driver is re-scored and re-priced, the quote history
// shows both prices, and the audit log and the outbox have the entries — in one transaction (a failure
// half-way leaves nothing behind). Also event disputes, the review queue and crash-check answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { createProcessor } from '../src/pipeline/index.ts';
import { runAll, tripAround } from '../src/pipeline/testkit.ts';
import { TELEMATICS_MODEL_NAME, trainTelematicsModel } from '../src/risk/telematics/index.ts';
import { syntheticTelematicsRows } from '../src/risk/testing/telematics.ts';
import { getDriverRisk, refreshDriverRisk } from '../src/services/driver-risk.ts';
import { requote } from '../src/services/pricing.ts';
import { createPgModelRegistry, registerDevice, saveOutputs } from '../src/store/index.ts';
import { inject, type Seed, seed } from './api-seed.ts';
import { insertCrashEvent } from './authz/disputes.ts';
import { RATING_FACTORS } from './authz/pricing.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');
const DAY = 86_400_000;
if (targets.length === 0) test.skip(`disputes: ${missing.join('; ')}`, () => {});

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A calm stored trip of 30 km (features as the pipeline writes them) with optional extra events. */
async function calmTrip(t: V1TestApp, tenant: string, driverId: string, startMs: number, speeding = false) {
  const id = `trip-${randomBytes(6).toString('hex')}`;
  const features = {
    distanceM: 30_000,
    durationMs: 1_800_000,
    movingTimeMs: 1_700_000,
    idleTimeMs: 100_000,
    eventCounts: { harsh_braking: 0, speeding: speeding ? 1 : 0 },
    harshBrakingPer100Km: 0,
    harshAccelerationPer100Km: 0,
    harshCorneringPer100Km: 0,
    speedLimitsAvailable: true,
    speedingShare: speeding ? 0.1 : 0.02,
    nightShare: 0,
    phoneUseMs: 0,
  };
  await t.db.query(
    `INSERT INTO trips (id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s, features, trace)
     VALUES ($1, $2, 'dev-calm', $3, $4, $5, 30000, 1800, $6, '{}')`,
    [id, tenant, driverId, new Date(startMs), new Date(startMs + 1_800_000), features],
  );
  if (speeding)
    await t.db.query(
      `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at, peak, details)
       VALUES ($1, $2, $3, 'dev-calm', $4, 'speeding', 'moderate', $5, $6, 22, '{"limitKmh": 50}')`,
      [`${id}-s0`, id, tenant, driverId, new Date(startMs + 600_000), new Date(startMs + 780_000)],
    );
  return id;
}

/** A trip recorded by the real pipeline from a synthetic drive with three harsh brakings. */
async function pipelineTrip(t: V1TestApp, tenant: string, driverId: string, startMs: number) {
  const device = await registerDevice(t.db, { tenantId: tenant, kind: 'phone', driverId });
  const hard = [
    { durationS: 2, accelMps2: -5 },
    { durationS: 10, accelMps2: 1 },
  ];
  const middle = [
    { durationS: 200 },
    ...hard,
    { durationS: 150 },
    ...hard,
    { durationS: 150 },
    ...hard,
    { durationS: 200 },
  ];
  const out = runAll(createProcessor(device.id), tripAround(middle, { deviceId: device.id, startMs }));
  assert.equal(out.trips.length, 1);
  const saved = await saveOutputs(t.db, { ...device, credentialHash: Buffer.alloc(0) } as never, out);
  assert.equal(saved.trips.length, 1);
  return { tripId: out.trips[0]!.id, brakes: out.events.filter((e) => e.kind === 'harsh_braking').length };
}

for (const target of targets) {
  describe(`disputes on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    let driver: string;
    let bearer: { driver: string; other: string; analyst: string; admin: string };
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, SECRET);
      fx = await seed(t);
      driver = fx.drivers.a1;
      bearer = {
        driver: `Bearer ${fx.accounts.driverA1.accessToken}`,
        other: `Bearer ${fx.accounts.driverA2.accessToken}`,
        analyst: `Bearer ${fx.accounts.analystA.accessToken}`,
        admin: `Bearer ${fx.accounts.adminA.accessToken}`,
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

    test('a passenger trip, once accepted, stops counting and the premium changes, audited and announced', async () => {
      const now = t.clock.nowMs;
      const created = await inject(t, 'POST', '/v1/policies', {
        auth: bearer.admin,
        body: {
          driverId: driver,
          jurisdiction: 'AD',
          product: 'phyd',
          startsOn: day(now - 60 * DAY),
          endsOn: day(now + 300 * DAY),
          ratingFactors: RATING_FACTORS,
        },
      });
      assert.equal(created.status, 201, created.text);
      for (let k = 0; k < 10; k++) await calmTrip(t, fx.tenants.a, driver, now - (3 + 2 * k) * DAY);
      const disputed = await pipelineTrip(t, fx.tenants.a, driver, now - 2 * DAY);
      assert.equal(disputed.brakes, 3);
      // What the worker's trip hook does.
      const riskBefore = await refreshDriverRisk(t.db, fx.tenants.a, driver, now);
      const priced = await requote(t.db, fx.tenants.a, driver, { reason: 'trip.completed', nowMs: now });
      assert.ok(priced.ok, priced.ok ? '' : priced.error.message);

      const q1 = await inject(t, 'GET', `/v1/drivers/${driver}/quote`, { auth: bearer.driver });
      assert.equal(q1.status, 200);
      const p1 = q1.body.premiumCents as number;
      assert.equal(q1.body.reason, 'trip.completed');

      const filed = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { tripId: disputed.tripId, reason: 'passenger', comment: 'My brother drove us home' },
      });
      assert.equal(filed.status, 201, filed.text);
      const id = filed.body.id as string;
      assert.equal(filed.body.status, 'open');
      const again = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { tripId: disputed.tripId, reason: 'not_me' },
      });
      assert.equal(again.status, 409);
      const notTheirs = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.other,
        body: { tripId: disputed.tripId, reason: 'passenger' },
      });
      assert.equal(notTheirs.status, 404);
      assert.equal((await inject(t, 'GET', `/v1/disputes/${id}`, { auth: bearer.other })).status, 404);

      const queue = await inject(t, 'GET', '/v1/disputes?status=open', { auth: bearer.analyst });
      assert.ok((queue.body.items as Array<{ id: string }>).some((d) => d.id === id));
      const detail = await inject(t, 'GET', `/v1/disputes/${id}`, { auth: bearer.analyst });
      assert.equal(detail.status, 200);
      const evidence = detail.body.evidence as {
        trip: { id: string; counted: boolean; features: { harshBrakingPer100Km: number } };
      };
      assert.equal(evidence.trip.id, disputed.tripId);
      assert.ok(evidence.trip.features.harshBrakingPer100Km > 20);
      const byDriver = await inject(t, 'POST', `/v1/disputes/${id}/resolve`, {
        auth: bearer.driver,
        body: { decision: 'accept', note: 'I say so' },
      });
      assert.equal(byDriver.status, 403);

      const resolved = await inject(t, 'POST', `/v1/disputes/${id}/resolve`, {
        auth: bearer.analyst,
        body: { decision: 'accept', note: 'Phone was in the passenger seat the whole trip.' },
      });
      assert.equal(resolved.status, 200, resolved.text);
      assert.equal(resolved.body.status, 'accepted');
      const premium = resolved.body.premium as { beforeCents: number; afterCents: number; quoteId: string };
      assert.equal(premium.beforeCents, p1);
      assert.notEqual(premium.afterCents, p1, 'the premium changes');

      const { rows: tripRows } = await t.db.query(
        'SELECT counted, exclusion_reason FROM trips WHERE id = $1',
        [disputed.tripId],
      );
      assert.deepEqual(tripRows[0], { counted: false, exclusion_reason: 'passenger' });
      const riskAfter = (await getDriverRisk(t.db, fx.tenants.a, driver))!;
      assert.equal(riskAfter.tripsCounted, riskBefore.tripsCounted - 1);
      assert.ok(riskAfter.exposureKm < riskBefore.exposureKm);
      assert.ok(riskAfter.behaviour.harshBrakingPer100Km < riskBefore.behaviour.harshBrakingPer100Km);

      const history = await inject(t, 'GET', `/v1/drivers/${driver}/quotes`, { auth: bearer.driver });
      const items = history.body.items as Array<{
        id: string;
        premiumCents: number;
        reason: string;
        changeCents: number;
      }>;
      assert.equal(items[0]!.id, premium.quoteId);
      assert.equal(items[0]!.reason, `dispute.accepted:${id}`);
      assert.equal(items[0]!.premiumCents, premium.afterCents);
      assert.equal(items[0]!.changeCents, premium.afterCents - p1);
      assert.equal(items[1]!.premiumCents, p1);
      assert.equal(items[1]!.reason, 'trip.completed');
      const q2 = await inject(t, 'GET', `/v1/drivers/${driver}/quote`, { auth: bearer.driver });
      assert.equal(q2.body.premiumCents, premium.afterCents);

      const audit = await t.db.query(
        "SELECT actor_kind, actor_id, subject_id, details FROM audit_log WHERE action = 'dispute.resolve'",
      );
      assert.equal(audit.rows.length, 1);
      const me = await inject(t, 'GET', '/v1/me', { auth: bearer.analyst });
      assert.equal(audit.rows[0]!.actor_id, me.body.id);
      assert.equal(audit.rows[0]!.subject_id, driver);
      assert.equal(audit.rows[0]!.details.decision, 'accepted');
      assert.equal(audit.rows[0]!.details.premiumAfterCents, premium.afterCents);
      const events = await t.db.query(
        'SELECT type, subject_id, data FROM domain_events WHERE driver_id = $1 ORDER BY seq',
        [driver],
      );
      const types = events.rows.map((e) => e.type);
      assert.ok(types.includes('dispute.created'));
      const res = events.rows.find((e) => e.type === 'dispute.resolved');
      assert.equal(res?.subject_id, id);
      assert.equal(res?.data.decision, 'accepted');
      const lastPremium = events.rows.filter((e) => e.type === 'premium.changed').at(-1);
      assert.equal(lastPremium?.data.reason, `dispute.accepted:${id}`);
      assert.equal(lastPremium?.data.premiumCents, premium.afterCents);

      const twice = await inject(t, 'POST', `/v1/disputes/${id}/resolve`, {
        auth: bearer.admin,
        body: { decision: 'reject', note: 'changed my mind' },
      });
      assert.equal(twice.status, 409);
      const excluded = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { tripId: disputed.tripId, reason: 'not_me' },
      });
      assert.equal(excluded.status, 409, 'an excluded trip cannot be disputed again');
    });

    test('a failure half-way through a resolution leaves no partial write', async () => {
      const tripId = await calmTrip(t, fx.tenants.a, driver, t.clock.nowMs - 30 * DAY);
      const filed = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { tripId, reason: 'public_transport' },
      });
      assert.equal(filed.status, 201);
      const id = filed.body.id as string;
      const count = async (sql: string) => Number((await t.db.query(sql)).rows[0]!.n);
      const quotes = await count('SELECT count(*) AS n FROM quotes');
      const outbox = await count('SELECT count(*) AS n FROM domain_events');
      // The audit row is written last: make it fail for this dispute only.
      await t.db.query(`
        CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.details->>'disputeId' = '${id}' THEN RAISE EXCEPTION 'audit store down'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_audit();`);
      try {
        const r = await inject(t, 'POST', `/v1/disputes/${id}/resolve`, {
          auth: bearer.admin,
          body: { decision: 'accept', note: 'bus route' },
        });
        assert.equal(r.status, 500);
      } finally {
        await t.db.query('DROP TRIGGER fail_audit ON audit_log; DROP FUNCTION fail_audit();');
      }
      const trip = await t.db.query('SELECT counted FROM trips WHERE id = $1', [tripId]);
      assert.equal(trip.rows[0]!.counted, true);
      const d = await t.db.query('SELECT status FROM disputes WHERE id = $1', [id]);
      assert.equal(d.rows[0]!.status, 'open');
      assert.equal(await count('SELECT count(*) AS n FROM quotes'), quotes);
      assert.equal(await count('SELECT count(*) AS n FROM domain_events'), outbox);
      const ok = await inject(t, 'POST', `/v1/disputes/${id}/resolve`, {
        auth: bearer.admin,
        body: { decision: 'accept', note: 'bus route' },
      });
      assert.equal(ok.status, 200, ok.text);
    });

    test('an event dispute voids only that event; a rejected one changes nothing', async () => {
      const tripId = await calmTrip(t, fx.tenants.a, driver, t.clock.nowMs - 4 * DAY - 3600_000, true);
      const eventId = `${tripId}-s0`;
      const wrongReason = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { eventId, reason: 'evasive_manoeuvre' },
      });
      assert.equal(wrongReason.status, 400, 'evasive manoeuvre is for harsh events, not speeding');
      const tripReason = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { eventId, reason: 'passenger' },
      });
      assert.equal(tripReason.status, 400);
      const noEvent = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { tripId, reason: 'wrong_speed_limit' },
      });
      assert.equal(noEvent.status, 400);
      const filed = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { eventId, reason: 'wrong_speed_limit', comment: 'The limit there is 80, not 50' },
      });
      assert.equal(filed.status, 201, filed.text);
      assert.equal(filed.body.tripId, tripId);
      const detail = await inject(t, 'GET', `/v1/disputes/${filed.body.id}`, { auth: bearer.driver });
      assert.equal((detail.body.evidence as { event: { id: string } }).event.id, eventId);

      const rejected = await inject(t, 'POST', `/v1/disputes/${filed.body.id}/resolve`, {
        auth: bearer.analyst,
        body: { decision: 'reject', note: 'Signed 50 since 2023' },
      });
      assert.equal(rejected.status, 200);
      assert.equal(rejected.body.premium, null);
      let ev = await t.db.query('SELECT voided FROM events WHERE id = $1', [eventId]);
      assert.equal(ev.rows[0]!.voided, false);

      const refiled = await inject(t, 'POST', '/v1/disputes', {
        auth: bearer.driver,
        body: { eventId, reason: 'wrong_speed_limit', comment: 'Here is a photo of the sign' },
      });
      assert.equal(refiled.status, 201);
      const accepted = await inject(t, 'POST', `/v1/disputes/${refiled.body.id}/resolve`, {
        auth: bearer.analyst,
        body: { decision: 'accept', note: 'The map was out of date' },
      });
      assert.equal(accepted.status, 200);
      ev = await t.db.query('SELECT voided, void_reason FROM events WHERE id = $1', [eventId]);
      assert.deepEqual(ev.rows[0], { voided: true, void_reason: 'wrong_speed_limit' });
      const trip = await t.db.query('SELECT counted FROM trips WHERE id = $1', [tripId]);
      assert.equal(trip.rows[0]!.counted, true, 'the trip itself still counts');

      const mine = await inject(t, 'GET', '/v1/disputes', { auth: bearer.driver });
      const statuses = (mine.body.items as Array<{ id: string; status: string }>).map((d) => d.status);
      assert.ok(statuses.includes('rejected') && statuses.includes('accepted'));
      const others = await inject(t, 'GET', '/v1/disputes', { auth: bearer.other });
      assert.deepEqual(others.body.items, []);
    });

    test('crash checks: only the driver answers, only for crash candidates; not_crash voids until revised', async () => {
      const crash = await insertCrashEvent(t, fx.tenants.a, driver, fx.trips.a1);
      const url = `/v1/events/${crash}/crash-response`;
      assert.equal(
        (await inject(t, 'POST', url, { auth: bearer.other, body: { response: 'ok' } })).status,
        404,
      );
      assert.equal(
        (await inject(t, 'POST', url, { auth: bearer.analyst, body: { response: 'ok' } })).status,
        403,
      );
      const harsh = `${fx.trips.a1}-e0`;
      const notCrash = await inject(t, 'POST', `/v1/events/${harsh}/crash-response`, {
        auth: bearer.driver,
        body: { response: 'not_crash' },
      });
      assert.equal(notCrash.status, 400);

      const no = await inject(t, 'POST', url, { auth: bearer.driver, body: { response: 'not_crash' } });
      assert.equal(no.status, 200, no.text);
      assert.equal(no.body.voided, true);
      let ev = await t.db.query('SELECT voided, void_reason FROM events WHERE id = $1', [crash]);
      assert.deepEqual(ev.rows[0], { voided: true, void_reason: 'not_crash' });
      const help = await inject(t, 'POST', url, { auth: bearer.driver, body: { response: 'need_help' } });
      assert.equal(help.body.voided, false);
      ev = await t.db.query('SELECT voided FROM events WHERE id = $1', [crash]);
      assert.equal(ev.rows[0]!.voided, false);
      const stored = await t.db.query('SELECT response FROM crash_responses WHERE event_id = $1', [crash]);
      assert.deepEqual(stored.rows, [{ response: 'need_help' }]);
      const announced = await t.db.query<{ r: string }>(
        "SELECT data->>'response' AS r FROM domain_events WHERE type = 'crash.responded' AND subject_id = $1 ORDER BY seq",
        [crash],
      );
      assert.deepEqual(
        announced.rows.map((x) => x.r),
        ['not_crash', 'need_help'],
        'every answer is announced (webhooks: an assistance desk acts on need_help)',
      );
    });
  });
}
