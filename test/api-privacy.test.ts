// Consents, export my data and delete my data on the real app and database. The erasure check looks in every
// table with a driver_id or device_id column (found in information_schema, so tables added later are checked).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { V1TestApp } from '../src/api/v1/testing.ts';
import { publishEvent } from '../src/services/events.ts';
import { authenticateDevice, ensureRawPartitions } from '../src/store/index.ts';
import { startApiApp } from './api-harness.ts';
import { inject, insertTrip, type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

const { targets, missing } = pgTargets();
const SECRET = randomBytes(32).toString('hex');

/** Rows naming any of these drivers or devices, per table, in every table with such a column. */
async function leftovers(t: V1TestApp, driverIds: string[], deviceIds: string[]) {
  const { rows: cols } = await t.db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name IN ('driver_id', 'device_id')`,
  );
  assert.ok(cols.length >= 8, 'the catalog lists the personal tables');
  const found: Record<string, number> = {};
  for (const c of cols) {
    const ids = c.column_name === 'driver_id' ? driverIds : deviceIds;
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}" = ANY($1)`,
      [ids],
    );
    if (rows[0]!.n > 0) found[`${c.table_name}.${c.column_name}`] = rows[0]!.n;
  }
  for (const table of ['bus_log', 'dead_letters']) {
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE key = ANY($1)`,
      [deviceIds],
    );
    if (rows[0]!.n > 0) found[`${table}.key`] = rows[0]!.n;
  }
  return found;
}

if (targets.length === 0) test.skip(`privacy: ${missing.join('; ')}`, () => {});

for (const target of targets) {
  describe(`privacy on ${target.name} PostgreSQL`, () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    const bearer = (a: { accessToken: string }) => `Bearer ${a.accessToken}`;
    let device: { id: string; token: string };

    before(async () => {
      tdb = await freshDatabase(target);
      t = await startApiApp(tdb.url, SECRET);
      fx = await seed(t);
      // Driver a1 gets data in every kind of table: a device with raw batches, bus and dead-letter copies and
      // pipeline state, a vehicle and a policy, outbox events with a webhook delivery, audited staff reads.
      const d = await inject(t, 'POST', '/v1/devices', {
        auth: bearer(fx.accounts.adminA),
        body: { driverId: fx.drivers.a1 },
      });
      assert.equal(d.status, 201);
      device = { id: d.body.id as string, token: d.body.token as string };
      await insertTrip(t, fx.tenants.a, fx.drivers.a1, t.clock.nowMs - 3_600_000, 1);
      await t.db.query('UPDATE trips SET device_id = $1 WHERE driver_id = $2', [device.id, fx.drivers.a1]);
      await ensureRawPartitions(t.db, Date.now());
      await t.db.query(
        `INSERT INTO raw_batches (received_at, device_id, batch_id, source, sample_count, payload)
         VALUES (now(), $1, 'b1', 'v1', 10, '\\x0102'), (now(), $1, 'b2', 'v1', 20, '\\x0304')`,
        [device.id],
      );
      await t.db.query(`INSERT INTO processed_batches (device_id, batch_id) VALUES ($1, 'b1')`, [device.id]);
      await t.db.query(`INSERT INTO device_state (device_id, state) VALUES ($1, '{}')`, [device.id]);
      await t.db.query(
        `INSERT INTO bus_log (topic, partition, seq, msg_id, key, payload) VALUES ('batches', 0, 1, 'm1', $1, '\\x00')`,
        [device.id],
      );
      await t.db.query(
        `INSERT INTO dead_letters (topic, grp, partition, msg_id, key, payload, error)
         VALUES ('batches', 'worker', 0, 'm2', $1, '\\x00', 'boom')`,
        [device.id],
      );
      await t.db.query(
        `INSERT INTO vehicles (id, tenant_id, driver_id, make, year) VALUES ('veh-a1', $1, $2, 'Seat', 2019)`,
        [fx.tenants.a, fx.drivers.a1],
      );
      await t.db.query(
        `INSERT INTO policies (id, tenant_id, driver_id, vehicle_id, jurisdiction, starts_on, ends_on)
         VALUES ('pol-a1', $1, $2, 'veh-a1', 'AD', '2025-01-01', '2026-01-01')`,
        [fx.tenants.a, fx.drivers.a1],
      );
      for (const driverId of [fx.drivers.a1, fx.drivers.a2])
        await publishEvent(t.db, {
          tenantId: fx.tenants.a,
          type: 'trip.completed',
          driverId,
          subjectId: null,
          data: {},
        });
      await inject(t, 'GET', `/v1/drivers/${fx.drivers.a1}`, { auth: bearer(fx.accounts.analystA) });
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('consents start ungiven; the driver gives and withdraws them, staff read but cannot set', async () => {
      const url = `/v1/drivers/${fx.drivers.a1}/consents`;
      const first = await inject(t, 'GET', url, { auth: bearer(fx.accounts.driverA1) });
      assert.equal(first.status, 200);
      assert.deepEqual(
        (first.body.items as Array<{ granted: boolean }>).map((c) => c.granted),
        [false, false, false, false],
      );
      const put = await inject(t, 'PUT', url, {
        auth: bearer(fx.accounts.driverA1),
        body: { consents: { telematics_scoring: true, leaderboard: true } },
      });
      assert.equal(put.status, 200, put.text);
      await inject(t, 'PUT', url, {
        auth: bearer(fx.accounts.driverA1),
        body: { consents: { leaderboard: false } },
      });
      const staff = await inject(t, 'GET', url, { auth: bearer(fx.accounts.analystA) });
      const granted = Object.fromEntries(
        (staff.body.items as Array<{ purpose: string; granted: boolean }>).map((c) => [c.purpose, c.granted]),
      );
      assert.deepEqual(granted, {
        telematics_scoring: true,
        marketing: false,
        leaderboard: false,
        research: false,
      });
      const byStaff = await inject(t, 'PUT', url, {
        auth: bearer(fx.accounts.adminA),
        body: { consents: { marketing: true } },
      });
      assert.equal(byStaff.status, 403);
      const unknown = await inject(t, 'PUT', url, {
        auth: bearer(fx.accounts.driverA1),
        body: { consents: { selling: true } },
      });
      assert.equal(unknown.status, 400);
      const empty = await inject(t, 'PUT', url, {
        auth: bearer(fx.accounts.driverA1),
        body: { consents: {} },
      });
      assert.equal(empty.status, 400);
    });

    test('export has every row naming the driver, no credentials, raw batches summarised', async () => {
      const r = await inject(t, 'GET', `/v1/drivers/${fx.drivers.a1}/export`, {
        auth: bearer(fx.accounts.driverA1),
      });
      assert.equal(r.status, 200, r.text);
      const tables = r.body.tables as Record<string, Array<Record<string, unknown>>>;
      for (const name of [
        'trips',
        'events',
        'devices',
        'users',
        'vehicles',
        'policies',
        'consents',
        'domain_events',
        'processed_batches',
        'device_state',
        'refresh_tokens',
      ])
        assert.ok(tables[name]?.length, `export has ${name}`);
      assert.equal(tables.trips!.length, 2);
      assert.ok(tables.trips!.every((x) => x.driver_id === fx.drivers.a1));
      assert.ok(!('password_hash' in tables.users![0]!));
      assert.ok(!('credential_hash' in tables.devices![0]!));
      assert.ok(!('token_hash' in tables.refresh_tokens![0]!));
      assert.ok(!r.text.includes(fx.drivers.a2), "no other driver's data");
      const raw = r.body.rawData as Array<{ table: string; deviceId: string; batches: number }>;
      assert.deepEqual(
        raw.map((x) => [x.table, x.deviceId, x.batches]).sort(),
        [
          ['bus_log', device.id, 1],
          ['dead_letters', device.id, 1],
          ['raw_batches', device.id, 2],
        ].sort(),
      );
      const access = r.body.accessLog as Array<{ action: string }>;
      assert.ok(
        access.some((a) => a.action === 'driver.read'),
        'staff reads are in the export',
      );
      const other = await inject(t, 'GET', `/v1/drivers/${fx.drivers.a1}/export`, {
        auth: bearer(fx.accounts.driverA2),
      });
      assert.equal(other.status, 404);
    });

    test('delete my data: nothing naming the driver or their devices is left in any table', async () => {
      const before = await leftovers(t, [fx.drivers.a1], [device.id]);
      assert.ok(
        Object.keys(before).length >= 10,
        `the driver has data in many tables: ${Object.keys(before)}`,
      );
      const { rows: users } = await t.db.query<{ id: string }>('SELECT id FROM users WHERE driver_id = $1', [
        fx.drivers.a1,
      ]);
      const a2Trips = async () =>
        (await t.db.query('SELECT 1 FROM trips WHERE driver_id = $1', [fx.drivers.a2])).rowCount;
      const a2Before = await a2Trips();

      const r = await inject(t, 'DELETE', `/v1/drivers/${fx.drivers.a1}`, {
        auth: bearer(fx.accounts.driverA1),
      });
      assert.equal(r.status, 200, r.text);
      assert.match(r.body.erasureId as string, /^erased_/);

      assert.deepEqual(await leftovers(t, [fx.drivers.a1], [device.id]), {});
      const ids = [fx.drivers.a1, device.id, ...users.map((u) => u.id)];
      const { rows: audit } = await t.db.query(
        'SELECT * FROM audit_log WHERE subject_id = ANY($1) OR actor_id = ANY($1)',
        [ids],
      );
      assert.deepEqual(audit, [], 'the audit log keeps no id of the erased driver');
      const { rows: erased } = await t.db.query(
        `SELECT * FROM audit_log WHERE action = 'driver.erase' AND subject_id = $1`,
        [r.body.erasureId],
      );
      assert.equal(erased.length, 1, 'the erasure itself is audited');
      const { rows: reads } = await t.db.query(
        `SELECT * FROM audit_log WHERE action = 'driver.read' AND subject_id = $1`,
        [r.body.erasureId],
      );
      assert.ok(reads.length >= 1, 'earlier staff reads stay, under the erasure id');
      assert.equal(await authenticateDevice(t.db, device.token), null, 'the device credential is dead');
      assert.equal((await inject(t, 'GET', '/v1/me', { auth: bearer(fx.accounts.driverA1) })).status, 401);
      assert.equal(await a2Trips(), a2Before, "another driver's trips are untouched");
      assert.equal(
        (await t.db.query('SELECT 1 FROM consents WHERE driver_id = $1', [fx.drivers.a1])).rowCount,
        0,
      );
    });

    test('staff may not delete, another tenant cannot see, the admin can delete a driver', async () => {
      const url = `/v1/drivers/${fx.drivers.a2}`;
      assert.equal((await inject(t, 'DELETE', url, { auth: bearer(fx.accounts.analystA) })).status, 403);
      assert.equal((await inject(t, 'DELETE', url, { auth: bearer(fx.accounts.adminB) })).status, 404);
      const r = await inject(t, 'DELETE', url, { auth: bearer(fx.accounts.adminA) });
      assert.equal(r.status, 200);
      assert.deepEqual(await leftovers(t, [fx.drivers.a2], []), {});
      assert.equal((await inject(t, 'GET', url, { auth: bearer(fx.accounts.adminA) })).status, 404);
    });
  });
}
