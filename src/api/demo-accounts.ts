// The demo tenant's people: each simulated driver gets a vehicle, an active policy with classic rating factors and
// a login; staff get an analyst and an administrator. One password for the demo tenant: DEMO_PASSWORD, or generated
// once and kept in the settings table. It is never logged: it goes to a file readable by the owner only.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Driver } from '../sim/index.ts';
import { createRng } from '../sim/rng.ts';
import type { Db } from '../store/db.ts';
import { randomSecret, settingOrCreate } from '../store/index.ts';
import { createUser } from './v1/index.ts';

export const DEMO_EMAIL_DOMAIN = 'demo.openubi.dev';
export const demoDriverEmail = (index: number): string => `driver${index + 1}@${DEMO_EMAIL_DOMAIN}`;

// Territory mix of the simulated portfolio (src/sim/portfolio.ts), so the demo's classic factors look like it.
const TERRITORY_WEIGHTS = { A: 0.15, B: 0.25, C: 0.3, D: 0.2, E: 0.1 } as const;
const ANNUAL_KM: Readonly<Record<string, number>> = { homebody: 7000, night_shift: 15_000 };

export async function demoPassword(db: Db): Promise<string> {
  return (
    process.env.DEMO_PASSWORD ??
    (await settingOrCreate(db, 'demo_password', () => randomSecret().slice(0, 16)))
  );
}

/** Vehicles, policies and users for the fleet's drivers (idempotent: existing rows are kept). */
export async function seedDemoAccounts(
  db: Db,
  tenantId: string,
  drivers: readonly Driver[],
  logger: Logger,
  credentialsFile: string | null,
): Promise<void> {
  const password = await demoPassword(db);
  const year = new Date().getUTCFullYear();
  const startsOn = `${year}-01-01`;
  const endsOn = `${year + 1}-01-01`;
  for (const d of drivers) {
    const rng = createRng(`demo-policy:${d.driverId}`);
    const territory = rng.weighted(TERRITORY_WEIGHTS);
    const vehicleId = `veh-${d.driverId}`;
    await db.query(
      `INSERT INTO vehicles (id, tenant_id, driver_id, make, model, year, power_kw)
       VALUES ($1, $2, $3, 'Simulated', $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [
        vehicleId,
        tenantId,
        d.driverId,
        `${d.vehicle.powerKw} kW`,
        year - d.vehicle.ageYears,
        d.vehicle.powerKw,
      ],
    );
    const ratingFactors = {
      driverAge: d.ageYears,
      vehiclePowerKw: d.vehicle.powerKw,
      vehicleAgeYears: d.vehicle.ageYears,
      territory,
      annualKm: ANNUAL_KM[d.schedule] ?? 12_000,
    };
    await db.query(
      `INSERT INTO policies (id, tenant_id, driver_id, vehicle_id, jurisdiction, product, starts_on, ends_on, status,
                             rating_factors, enrolled)
       VALUES ($1, $2, $3, $4, 'AD', 'phyd', $5, $6, 'active', $7, true) ON CONFLICT (id) DO NOTHING`,
      [`pol-${d.driverId}`, tenantId, d.driverId, vehicleId, startsOn, endsOn, JSON.stringify(ratingFactors)],
    );
    await ensureUser(db, tenantId, demoDriverEmail(d.index), password, 'driver', d.driverId);
  }
  await ensureUser(db, tenantId, `analyst@${DEMO_EMAIL_DOMAIN}`, password, 'analyst', null);
  await ensureUser(db, tenantId, `admin@${DEMO_EMAIL_DOMAIN}`, password, 'admin', null);
  const accounts = {
    tenant: tenantId,
    drivers: `${demoDriverEmail(0)} … ${demoDriverEmail(drivers.length - 1)}`,
    staff: [`analyst@${DEMO_EMAIL_DOMAIN}`, `admin@${DEMO_EMAIL_DOMAIN}`],
  };
  if (credentialsFile && !process.env.DEMO_PASSWORD) {
    const text = `tenant: ${tenantId}\npassword (every demo account): ${password}\ndrivers: ${accounts.drivers}\nstaff: ${accounts.staff.join(', ')}\n`;
    await mkdir(dirname(credentialsFile), { recursive: true });
    await writeFile(credentialsFile, text, { mode: 0o600 });
  }
  logger.info(
    { ...accounts, passwordFrom: process.env.DEMO_PASSWORD ? 'DEMO_PASSWORD' : credentialsFile },
    'demo: sign in at / with these accounts',
  );
}

async function ensureUser(
  db: Db,
  tenantId: string,
  email: string,
  password: string,
  role: 'driver' | 'analyst' | 'admin',
  driverId: string | null,
): Promise<void> {
  const { rowCount } = await db.query('SELECT 1 FROM users WHERE tenant_id = $1 AND email = $2', [
    tenantId,
    email,
  ]);
  if (rowCount) return;
  await createUser(db, { tenantId, email, password, role, driverId });
}
