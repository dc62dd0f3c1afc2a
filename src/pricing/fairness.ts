// Portfolio checks. The fairness report groups quotes by labels the caller supplies (age band,
// territory, …) next to the quotes, never inside the pricing inputs: an audit may group by anything,
// pricing may not use a protected attribute. The monotonicity report sweeps each behaviour on a grid
// and lists every place where worse behaviour gave a lower price.
import { BEHAVIOURS } from './behaviour.ts';
import type { PricingPlan } from './plan.ts';
import { type Quote, quote } from './quote.ts';
import type { FrequencyModel, QuoteInput } from './types.ts';
import { applyChanges } from './whatif.ts';

export interface GroupStats {
  group: string;
  drivers: number;
  meanPremiumCents: number;
  medianPremiumCents: number;
  meanNonTelematicsCents: number;
  /** Mean premium over mean non-telematics premium: how telematics moves this group. */
  telematicsEffect: number;
  /** Share of drivers whose premium is below their non-telematics price. */
  favourableShare: number;
  /** Group mean premium over the portfolio mean premium. */
  premiumRatio: number;
  /** favourableShare over the highest favourableShare of any group (four-fifths rule); null if none. */
  impactRatio: number | null;
  /** impactRatio below 0.8. */
  flagged: boolean;
}

export interface FairnessReport {
  drivers: number;
  meanPremiumCents: number;
  dimensions: Array<{ dimension: string; groups: GroupStats[]; flaggedGroups: string[] }>;
}

export const IMPACT_THRESHOLD = 0.8;

export interface FairnessRow {
  quote: Quote;
  groups: Readonly<Record<string, string>>;
}

export function fairnessReport(rows: readonly FairnessRow[], dimensions: readonly string[]): FairnessReport {
  const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const overall = mean(rows.map((r) => r.quote.premiumCents));
  return {
    drivers: rows.length,
    meanPremiumCents: overall,
    dimensions: dimensions.map((dimension) => {
      const byGroup = new Map<string, Quote[]>();
      for (const r of rows) {
        const g = r.groups[dimension] ?? '(none)';
        const list = byGroup.get(g);
        if (list === undefined) byGroup.set(g, [r.quote]);
        else list.push(r.quote);
      }
      const partial = [...byGroup.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([group, qs]) => {
          const premiums = qs.map((q) => q.premiumCents).sort((a, b) => a - b);
          const mid = premiums.length >> 1;
          const median = premiums.length % 2 ? premiums[mid]! : (premiums[mid - 1]! + premiums[mid]!) / 2;
          const meanPremium = mean(premiums);
          const meanNon = mean(qs.map((q) => q.nonTelematicsPremiumCents));
          return {
            group,
            drivers: qs.length,
            meanPremiumCents: meanPremium,
            medianPremiumCents: median,
            meanNonTelematicsCents: meanNon,
            telematicsEffect: meanNon === 0 ? 1 : meanPremium / meanNon,
            favourableShare:
              qs.filter((q) => q.premiumCents < q.nonTelematicsPremiumCents).length / qs.length,
            premiumRatio: overall === 0 ? 1 : meanPremium / overall,
          };
        });
      const best = Math.max(0, ...partial.map((g) => g.favourableShare));
      const groups: GroupStats[] = partial.map((g) => {
        const impactRatio = best === 0 ? null : g.favourableShare / best;
        return { ...g, impactRatio, flagged: impactRatio !== null && impactRatio < IMPACT_THRESHOLD };
      });
      return { dimension, groups, flaggedGroups: groups.filter((g) => g.flagged).map((g) => g.group) };
    }),
  };
}

export interface MonotonicityViolation {
  driverId: string;
  behaviour: string;
  from: number;
  to: number;
  premiumFromCents: number;
  premiumToCents: number;
}

export interface MonotonicityReport {
  drivers: number;
  gridPoints: number;
  /** Adjacent grid pairs compared. */
  checks: number;
  violationCount: number;
  /** The first `maxListed` violations. */
  violations: MonotonicityViolation[];
}

/**
 * Sweeps each behaviour over `gridPoints` values from 0 to its sweep maximum for each driver (others
 * held at the driver's values) and compares adjacent prices: both the rated real-valued premium
 * (tolerance: one part in 10⁹) and the charged cents must never fall as the behaviour worsens.
 */
export function monotonicityReport(
  plan: PricingPlan,
  sample: readonly QuoteInput[],
  model: FrequencyModel,
  gridPoints = 11,
  maxListed = 50,
): MonotonicityReport {
  const violations: MonotonicityViolation[] = [];
  let checks = 0;
  let count = 0;
  for (const input of sample) {
    for (const b of BEHAVIOURS) {
      let last: { v: number; real: number; cents: number } | null = null;
      for (let i = 0; i < gridPoints; i++) {
        const v = (b.sweepMax * i) / (gridPoints - 1);
        const q = quote(plan, applyChanges(input, [{ kind: 'set', behaviour: b.key, value: v }], model), {
          model,
          explain: false,
        });
        if (!q.ok) continue;
        const now = { v, real: q.value.rating.ratedReal, cents: q.value.premiumCents };
        if (last !== null) {
          checks++;
          if (now.real < last.real * (1 - 1e-9) || now.cents < last.cents) {
            count++;
            if (violations.length < maxListed) {
              violations.push({
                driverId: input.driverId,
                behaviour: b.key,
                from: last.v,
                to: v,
                premiumFromCents: last.cents,
                premiumToCents: now.cents,
              });
            }
          }
        }
        last = now;
      }
    }
  }
  return { drivers: sample.length, gridPoints, checks, violationCount: count, violations };
}
