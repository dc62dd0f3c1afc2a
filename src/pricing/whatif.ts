// What-if: the premium if chosen behaviours (or the monthly distance) changed. The changed profile's
// frequency is the driver's own estimate moved by the model's ratio, f′ = f · model(b′) / model(b);
// credibility stays as it is (the same km were driven). Scaling a share ("20% less night driving")
// is relative: nightShare × 0.8.
import { BEHAVIOUR_INFO, type BehaviourKey, type BehaviourProfile } from './behaviour.ts';
import { formatMoney } from './money.ts';
import { frequencyFor } from './phyd.ts';
import type { PricingPlan } from './plan.ts';
import { quote } from './quote.ts';
import type { FrequencyModel, QuoteInput } from './types.ts';
import type { Result } from '../domain/index.ts';

export type WhatIfChange =
  | { kind: 'scale'; behaviour: BehaviourKey; factor: number }
  | { kind: 'set'; behaviour: BehaviourKey; value: number }
  | { kind: 'distance'; monthlyKmDelta: number };

export interface WhatIfScenario {
  label: string;
  changes: readonly WhatIfChange[];
}

export interface WhatIfResult {
  label: string;
  currentPremiumCents: number;
  premiumCents: number;
  /** premiumCents − currentPremiumCents: negative is a saving. */
  deltaCents: number;
  text: string;
}

export function applyChanges(
  input: QuoteInput,
  changes: readonly WhatIfChange[],
  model: FrequencyModel,
): QuoteInput {
  const b: Record<BehaviourKey, number> = { ...input.risk.behaviour };
  let km = input.projectedMonthlyKm;
  for (const c of changes) {
    if (c.kind === 'distance') km = Math.max(0, km + c.monthlyKmDelta);
    else if (c.kind === 'scale') b[c.behaviour] = Math.max(0, b[c.behaviour] * c.factor);
    else b[c.behaviour] = Math.max(0, c.value);
  }
  const behaviour: BehaviourProfile = b;
  const behaviourFrequency = frequencyFor(input.risk, model, behaviour);
  return { ...input, projectedMonthlyKm: km, risk: { ...input.risk, behaviour, behaviourFrequency } };
}

export function whatIf(
  plan: PricingPlan,
  input: QuoteInput,
  scenario: WhatIfScenario,
  model: FrequencyModel,
): Result<WhatIfResult> {
  const now = quote(plan, input, { model, explain: false });
  if (!now.ok) return now;
  const then = quote(plan, applyChanges(input, scenario.changes, model), { model, explain: false });
  if (!then.ok) return then;
  const delta = then.value.premiumCents - now.value.premiumCents;
  const cur = plan.plan.currency;
  const effect =
    delta < 0
      ? `saves ${formatMoney(-delta, cur)}`
      : delta > 0
        ? `costs ${formatMoney(delta, cur)} more`
        : 'no change';
  return {
    ok: true,
    value: {
      label: scenario.label,
      currentPremiumCents: now.value.premiumCents,
      premiumCents: then.value.premiumCents,
      deltaCents: delta,
      text: `${scenario.label}: ${formatMoney(then.value.premiumCents, cur)} a month (${effect})`,
    },
  };
}

/** The coaching suggestions shown by default; `lessKm` is the distance scenario's km a month. */
export function standardScenarios(lessKm = 100): WhatIfScenario[] {
  return [
    {
      label: `If you halved ${BEHAVIOUR_INFO.harshBrakingPer100Km.label.toLowerCase()}`,
      changes: [{ kind: 'scale', behaviour: 'harshBrakingPer100Km', factor: 0.5 }],
    },
    { label: 'With no phone use', changes: [{ kind: 'set', behaviour: 'phoneUseSecPerHour', value: 0 }] },
    {
      label: 'With 20% less night driving',
      changes: [{ kind: 'scale', behaviour: 'nightShare', factor: 0.8 }],
    },
    { label: `Driving ${lessKm} km less a month`, changes: [{ kind: 'distance', monthlyKmDelta: -lessKm }] },
  ];
}
