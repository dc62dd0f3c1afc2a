// fast-check generators for property tests (tests only; not exported from index.ts).
import fc from 'fast-check';
import type { BehaviourProfile } from './behaviour.ts';
import { logLinearModel, TYPICAL } from './test-support.ts';
import type { QuoteInput } from './types.ts';

const num = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

export const behaviourArb: fc.Arbitrary<BehaviourProfile> = fc.record({
  harshBrakingPer100Km: num(0, 20),
  harshAccelerationPer100Km: num(0, 20),
  harshCorneringPer100Km: num(0, 20),
  speedingShare: num(0, 1),
  phoneUseSecPerHour: num(0, 900),
  nightShare: num(0, 1),
});

export const MODEL = logLinearModel();

/** Drivers for the example PHYD plan; behaviourFrequency follows the test model times other-feature noise. */
export const phydInputArb: fc.Arbitrary<QuoteInput> = fc
  .record({
    behaviour: fc.oneof(behaviourArb, fc.constant(TYPICAL)),
    classicFrequency: num(0.01, 0.5),
    residual: num(0.5, 2),
    exposureKm: fc.oneof(fc.constant(0), num(0, 50_000)),
    ageBand: fc.constantFrom('18-24', '25-39', '40-64', '65+'),
    territory: fc.constantFrom('A', 'B', 'C'),
    vehiclePower: fc.constantFrom('low', 'mid', 'high'),
    projectedMonthlyKm: num(0, 5000),
    enrolled: fc.boolean(),
    previous: fc.option(fc.integer({ min: 1, max: 200_000 }), { nil: undefined }),
  })
  .map((r) => {
    const input: QuoteInput = {
      driverId: 'p',
      ratingLevels: { ageBand: r.ageBand, territory: r.territory, vehiclePower: r.vehiclePower },
      risk: {
        classicFrequency: r.classicFrequency,
        behaviourFrequency: (r.classicFrequency * MODEL(r.behaviour) * r.residual) / MODEL(TYPICAL),
        exposureKm: r.exposureKm,
        behaviour: r.behaviour,
      },
      projectedMonthlyKm: r.projectedMonthlyKm,
      enrolled: r.enrolled,
    };
    return r.previous === undefined ? input : { ...input, previousPremiumCents: r.previous };
  });
