// Pricing throughput: a 10,000-driver portfolio (seeded PRNG) repriced in one batch, single-threaded,
// with contributions, the Shapley behaviour split and top-4 reasons. Reference in the same run: the
// same batch priced without explanations. Also PAYD statements (30 days each) per second.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { monthlyStatement, planTerms, quoteBatch } from '../src/pricing/index.ts';
import {
  examplePerMilePlan,
  examplePhydPlan,
  logLinearModel,
  mustValidate,
  prng,
  simulatedDriver,
} from '../src/pricing/test-support.ts';
import { writeResult } from './lib.ts';

const TARGET_QUOTES_PER_S = 50_000;

interface Timings {
  wallMs: number[];
  /** Process CPU time (all threads, so GC helpers too): less distorted than wall time on a busy machine. */
  cpuMs: number[];
}

function timeRuns(runs: number, fn: () => void): Timings {
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wallMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  return { wallMs: wallMs.sort((a, b) => a - b), cpuMs: cpuMs.sort((a, b) => a - b) };
}

export async function main(argv: string[]): Promise<number> {
  const drivers = Number(argv.find((a) => a.startsWith('--drivers='))?.slice(10) ?? 10_000);
  const runs = Number(argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 7);
  if (!(drivers > 0 && runs > 0)) {
    process.stderr.write('usage: openubi bench pricing [--drivers=N] [--runs=N]\n');
    return 2;
  }
  const loadStart = os.loadavg()[0]!;
  const plan = mustValidate(examplePhydPlan());
  const model = logLinearModel();
  const rand = prng(20250101);
  const inputs = Array.from({ length: drivers }, (_, i) => simulatedDriver(rand, i, model));

  // Warm-up (JIT), then timed batches.
  quoteBatch(plan, inputs, { model });
  quoteBatch(plan, inputs, { model, explain: false });
  let last = quoteBatch(plan, inputs, { model });
  const full = timeRuns(runs, () => {
    last = quoteBatch(plan, inputs, { model });
  });
  const bare = timeRuns(runs, () => quoteBatch(plan, inputs, { model, explain: false }));
  const median = (xs: number[]) => xs[xs.length >> 1]!;
  const qps = (ms: number) => Math.round(drivers / (ms / 1000));

  const perMile = mustValidate(examplePerMilePlan());
  const terms = planTerms(perMile)!;
  const days = Array.from({ length: 30 }, (_, d) => ({
    date: `2025-04-${String(d + 1).padStart(2, '0')}`,
    distanceM: rand() * 120_000,
  }));
  const statements = timeRuns(runs, () => {
    for (let i = 0; i < drivers; i++) {
      monthlyStatement({ policyId: `p${i}`, planKey: perMile.key, month: '2025-04', terms, days });
    }
  });

  const withReasons = last.quotes.filter((q) => q.reasons.length > 0).length;
  const figures = {
    quotesPerSecond: qps(median(full.wallMs)),
    quotesPerSecondBest: qps(full.wallMs[0]!),
    quotesPerCpuSecond: qps(median(full.cpuMs)),
    targetQuotesPerSecond: TARGET_QUOTES_PER_S,
    metTarget: qps(median(full.wallMs)) >= TARGET_QUOTES_PER_S,
    batchMsMedian: Number(median(full.wallMs).toFixed(1)),
    referenceNoExplanationsQuotesPerSecond: qps(median(bare.wallMs)),
    explanationCostRatio: Number((median(full.wallMs) / median(bare.wallMs)).toFixed(2)),
    statementsPerSecond: qps(median(statements.wallMs)),
  };
  const file = writeResult('pricing', {
    figures,
    inputs: {
      drivers,
      runs,
      seed: 20250101,
      plan: plan.key,
      behaviours: 6,
      model: 'log-linear test model (src/pricing/test-support.ts)',
      singleThreaded: true,
      includes: 'contributions in cents, Shapley behaviour split, top-4 reasons, safety score',
    },
    contention: {
      loadAvg1mStart: Number(loadStart.toFixed(2)),
      loadAvg1mEnd: Number(os.loadavg()[0]!.toFixed(2)),
      note: 'load average above the core count means other processes shared the CPUs during the run',
    },
    checks: {
      errors: last.errors.length,
      sumPremiumCents: last.quotes.reduce((s, q) => s + q.premiumCents, 0),
      quotesWithReasons: withReasons,
      meanReasons: Number((last.quotes.reduce((s, q) => s + q.reasons.length, 0) / drivers).toFixed(2)),
    },
  });
  process.stderr.write(`${JSON.stringify(figures)}\n→ ${file}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
