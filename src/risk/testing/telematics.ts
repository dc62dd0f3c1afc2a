// Quick telematics training rows for tests that need *a* model (registry, driver risk, routes) rather than the
// simulator's driving: factors from simple distributions, claims from the documented process's frequency
// (src/sim/claims.ts), so such models are sensible without minutes of simulation. Not exported from the index.
import { claimFrequency, type Territory } from '../../sim/claims.ts';
import { createRng } from '../prng.ts';
import type { TelematicsRow } from '../telematics/features.ts';
import { poissonDraw } from './synthetic.ts';

export function syntheticTelematicsRows(n: number, seed: number, years = 5): TelematicsRow[] {
  const rng = createRng(seed);
  const u = () => rng.next();
  const rows: TelematicsRow[] = [];
  const territories: Territory[] = ['A', 'B', 'C', 'D', 'E'];
  for (let i = 0; i < n; i++) {
    const aggressive = u() < 0.2;
    const f = {
      driverAge: 18 + Math.floor(u() * 65),
      vehiclePowerKw: 50 + Math.floor(u() * 100),
      vehicleAgeYears: Math.floor(u() * 15),
      territory: territories[Math.floor(u() * 5)]!,
      annualKm: Math.round(4000 + u() * 20_000),
      harshBrakingPer100Km: (aggressive ? 10 : 2) * -Math.log(1 - u()),
      speedingShare: aggressive ? u() * 0.15 : u() * 0.03,
      phoneMinPerHour: u() < 0.5 ? 0 : -Math.log(1 - u()) * 1.5,
      nightShare: u() < 0.8 ? 0 : u() * 0.5,
    };
    const exposureYears = (u() < 0.65 ? 1 : 0.1 + 0.9 * u()) * years;
    rows.push({
      driverAge: f.driverAge,
      vehiclePowerKw: f.vehiclePowerKw,
      vehicleAgeYears: f.vehicleAgeYears,
      territory: f.territory,
      annualKm: f.annualKm,
      harshBrakingPer100Km: f.harshBrakingPer100Km,
      harshAccelerationPer100Km: (aggressive ? 2 : 0.3) * -Math.log(1 - u()),
      harshCorneringPer100Km: (aggressive ? 4 : 1) * -Math.log(1 - u()),
      speedingShare: f.speedingShare,
      phoneUseSecPerHour: f.phoneMinPerHour * 60,
      nightShare: f.nightShare,
      exposureYears,
      claims: poissonDraw(rng, claimFrequency(f) * exposureYears),
    });
  }
  return rows;
}
