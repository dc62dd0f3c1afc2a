// The telematics frequency model on the simulator's portfolio (real Andorra roads): does the GLM recover the
// documented claim process (src/sim/claims.ts), how much do driving features add over classic factors on
// held-out policies (Gini), how does monotone boosting compare, and how long does the demo's champion take.
import { importOsmPbf } from '../src/geo/index.ts';
import { BEHAVIOUR_KEYS } from '../src/pricing/index.ts';
import { gini, numericColumn, predict, takeRows, trainModel } from '../src/risk/index.ts';
import { relativities } from '../src/risk/glm/model.ts';
import {
  CLASSIC_KEYS,
  type TelematicsRow,
  type TelematicsTrainResult,
  telematicsFrame,
  telematicsSplit,
  trainTelematicsModel,
} from '../src/risk/telematics/index.ts';
import { DEFAULT_OSM_FILE, simulatePortfolio } from '../src/services/models.ts';
import { ageEffect, CLAIM_MODEL } from '../src/sim/claims.ts';
import { writeResult } from './lib.ts';

const log = (msg: string) => process.stderr.write(`[telematics] ${msg}\n`);
const SPLIT_SEED = 1;
const TEST_FRACTION = 0.2;

function arg(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : dflt;
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

function summary(r: TelematicsTrainResult) {
  return {
    claims: r.learn.observed + r.test.observed,
    learnPolicies: r.learnRows,
    testPolicies: r.testRows,
    testGiniClassic: r4(r.classicTest.gini),
    testGiniWithDriving: r4(r.test.gini),
    giniGain: r4(r.giniGain),
    testDevianceX100Classic: r4(r.classicTest.poissonDevianceX100!),
    testDevianceX100WithDriving: r4(r.test.poissonDevianceX100!),
    testActualToExpected: r4(r.test.actualToExpected),
    droppedBehaviours: r.droppedBehaviours,
  };
}

function recovery(r: TelematicsTrainResult) {
  if (r.artifact.kind !== 'glm') throw new Error('expected a GLM');
  const m = CLAIM_MODEL;
  const truth: Record<string, number> = {
    vehiclePowerKw: m.power,
    vehicleAgeYears: m.vehicleAge,
    'territory=B': m.territory.B,
    'territory=C': m.territory.C,
    'territory=D': m.territory.D,
    'territory=E': m.territory.E,
    annualKm: m.distance,
    harshBrakingPer100Km: m.hardBraking,
    harshAccelerationPer100Km: 0,
    harshCorneringPer100Km: 0,
    speedingShare: m.speeding,
    phoneUseSecPerHour: m.phone / 60,
    nightShare: m.night,
  };
  const coef = new Map(r.artifact.glm.coefficients.map((c) => [c.name, c]));
  const coefficients = Object.entries(truth).map(([name, t]) => {
    const c = coef.get(name);
    if (!c)
      return { name, truth: t, estimate: 0, standardError: null, z: null, note: 'dropped (≥ 0 constraint)' };
    return {
      name,
      truth: t,
      estimate: c.estimate,
      standardError: c.standardError,
      z: r4((c.estimate - t) / c.standardError),
    };
  });
  const ages = [45, 18, 20, 25, 30, 40, 60, 75, 85];
  const rel = relativities(r.artifact.glm, 'driverAge', ages);
  const ageCurve = ages.map((a, i) => ({
    age: a,
    fittedLogRelativity: r4(Math.log(rel[i]!.relativity)),
    trueLogRelativity: r4(ageEffect(a) - ageEffect(45)),
  }));
  return { coefficients, ageCurveVs45: ageCurve };
}

/** Poisson boosting with every behaviour constrained monotone increasing, on the same split. */
async function boosting(rows: TelematicsRow[], withDriving: boolean) {
  const frame = telematicsFrame(rows);
  const split = telematicsSplit(rows.length, SPLIT_SEED, TEST_FRACTION);
  const learn = takeRows(frame, split.learn);
  const test = takeRows(frame, split.test);
  const features = [
    ...CLASSIC_KEYS.map((c) => ({ column: c })),
    ...(withDriving ? BEHAVIOUR_KEYS.map((c) => ({ column: c, monotone: 1 as const })) : []),
  ];
  const t0 = performance.now();
  const r = await trainModel(learn, test, {
    model: 'gbm',
    target: 'claims',
    exposure: 'exposureYears',
    family: { name: 'poisson' },
    gbmFeatures: features,
    // Fixed a priori (not tuned): shallow trees for a small portfolio, early stopping on 10% of learn.
    gbm: { maxDepth: 3, learningRate: 0.05, nTrees: 1000, minHessian: 5, lambda: 1, earlyStoppingRounds: 50 },
    seed: SPLIT_SEED,
  });
  if (!r.ok) throw new Error(r.error.message);
  const rate = predict(r.value.artifact, test);
  const obs = numericColumn(test, 'claims');
  const ex = numericColumn(test, 'exposureYears');
  return {
    trees: r.value.metrics.trees,
    testGini: r4(gini(obs, rate, ex)),
    testDevianceX100: r4(r.value.metrics.test!.poissonDevianceX100!),
    durationMs: Math.round(performance.now() - t0),
  };
}

export async function main(argv: string[]): Promise<number> {
  const policies = arg(argv, 'policies', 3000);
  const years = arg(argv, 'years', 20);
  const trips = arg(argv, 'trips', 6);
  const seed = arg(argv, 'seed', 7);
  log(`importing ${DEFAULT_OSM_FILE}`);
  const { network } = await importOsmPbf(DEFAULT_OSM_FILE, { countryCode: 'AD' });

  log(`simulating ${policies} drivers × ${trips} sampled trips (seed ${seed}), claims over ${years} years`);
  const t0 = performance.now();
  const { rows, asGenerated } = simulatePortfolio({
    network,
    policies,
    seed,
    years,
    tripsPerDriver: trips,
    onProgress: (d, n) => log(`  ${d}/${n} drivers`),
  });
  const simulateMs = Math.round(performance.now() - t0);

  log('GLM on the portfolio as generated (one policy term of claims)');
  const oneTerm = await trainTelematicsModel(asGenerated, { seed: SPLIT_SEED, testFraction: TEST_FRACTION });
  log(`GLM with ${years} years of claims per driver`);
  const many = await trainTelematicsModel(rows, { seed: SPLIT_SEED, testFraction: TEST_FRACTION });
  log('monotone boosting (classic only, and with driving)');
  const gbmClassic = await boosting(rows, false);
  const gbmDriving = await boosting(rows, true);

  log('demo champion path: 300 drivers × 2 trips × 30 years, simulate + train');
  const d0 = performance.now();
  const demo = simulatePortfolio({
    network,
    policies: 300,
    seed: 2024,
    years: 30,
    tripsPerDriver: 2,
    routePoolSize: 100,
  });
  const demoFit = await trainTelematicsModel(demo.rows, { seed: 2024 });
  const demoMs = Math.round(performance.now() - d0);

  const file = writeResult('telematics', {
    inputs: {
      network: 'shared/data/osm/andorra.osm.pbf',
      policies,
      tripsPerDriver: trips,
      years,
      seed,
      split: { seed: SPLIT_SEED, testFraction: TEST_FRACTION, unit: 'driver' },
      model:
        'Poisson GLM, log exposure offset: spline(age) + log kW + vehicle age + territory + log km + log1p harsh rates + speeding share + phone s/h + night share; behaviour effects ≥ 0',
    },
    simulateMs,
    asGenerated: summary(oneTerm),
    withExperience: summary(many),
    recovery: recovery(many),
    boostingMonotone: {
      classicOnly: gbmClassic,
      withDriving: gbmDriving,
      giniGain: r4(gbmDriving.testGini - gbmClassic.testGini),
    },
    demoChampion: { policies: 300, tripsPerDriver: 2, years: 30, durationMs: demoMs, ...summary(demoFit) },
    note: 'taken on a shared 2-core machine with other work running: durations carry contention',
  });
  log(`wrote ${file}`);
  log(
    `Gini gain (as generated) ${summary(oneTerm).giniGain}, (with experience) ${summary(many).giniGain}; demo path ${demoMs} ms`,
  );
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
