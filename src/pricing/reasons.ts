// Plain-language reasons. Against the non-telematics price the reasons are the behaviour lines of the
// quote's Shapley split; against a previous quote they come from a step-by-step "analysis of change":
// factors switch from their old to their new values one at a time in the quote's fixed order, each
// step's price change is that factor's effect, so the effects add up exactly to the premium change and
// a factor that did not change contributes nothing.
import {
  BEHAVIOUR_INFO,
  BEHAVIOUR_KEYS,
  type BehaviourKey,
  type BehaviourProfile,
  formatBehaviour,
  formatBehaviourValue,
} from './behaviour.ts';
import { allocateCents, formatMoney } from './money.ts';
import type { PricingPlan } from './plan.ts';
import type { BehaviourContribution, Quote } from './quote.ts';

export interface Reason {
  key: string;
  cents: number;
  text: string;
}

const MAX_REASONS = 4;

const adds = (cents: number, currency: string): string =>
  cents < 0
    ? `saves ${formatMoney(-cents, currency)} a month`
    : `adds ${formatMoney(cents, currency)} a month`;

function top(reasons: Reason[]): Reason[] {
  // Stable sort keeps the fixed order among equal amounts.
  return reasons
    .filter((r) => r.cents > 0)
    .sort((a, b) => b.cents - a.cents)
    .slice(0, MAX_REASONS);
}

export function behaviourReasons(
  plan: PricingPlan,
  behaviour: BehaviourProfile,
  parts: readonly BehaviourContribution[],
): Reason[] {
  // Pick the top parts first and only then write their sentences (this runs for every quote).
  const chosen: BehaviourContribution[] = [];
  for (const part of parts) {
    if (part.cents <= 0) continue;
    let at = chosen.length;
    while (at > 0 && chosen[at - 1]!.cents < part.cents) at--;
    if (at < MAX_REASONS) chosen.splice(at, 0, part);
    if (chosen.length > MAX_REASONS) chosen.pop();
  }
  const { currency, distanceUnit: unit } = plan.plan;
  const typicalText = typicalTexts(plan);
  return chosen.map((part) => {
    const key = part.key;
    const head =
      key === 'other'
        ? 'Other patterns in your driving data — '
        : `${BEHAVIOUR_INFO[key].label}: ${formatBehaviour(key, behaviour[key], unit)}${typicalText[key]}`;
    return { key, cents: part.cents, text: head + adds(part.cents, currency) };
  });
}

// " vs 1.2 typical — " per behaviour, written once per plan rather than once per quote.
const typicalCache = new WeakMap<PricingPlan, Record<BehaviourKey, string>>();

function typicalTexts(plan: PricingPlan): Record<BehaviourKey, string> {
  let texts = typicalCache.get(plan);
  if (texts === undefined) {
    const { distanceUnit: unit, telematics } = plan.plan;
    texts = Object.fromEntries(
      BEHAVIOUR_KEYS.map((k) => [
        k,
        ` vs ${formatBehaviourValue(k, telematics!.typicalBehaviour[k], unit)} typical — `,
      ]),
    ) as Record<BehaviourKey, string>;
    typicalCache.set(plan, texts);
  }
  return texts;
}

export interface ChangeItem extends Reason {
  kind: 'base' | 'rate' | 'distance' | 'classic' | 'behaviour' | 'telematics' | 'discount' | 'renewalCap';
}

export interface ChangeExplanation {
  fromCents: number;
  toCents: number;
  changeCents: number;
  /** Every step's effect, in the fixed order; sums exactly to changeCents. */
  items: ChangeItem[];
  /** Up to four steps that raised the premium, largest first. */
  reasons: Reason[];
}

interface State {
  base: number;
  rate: number;
  units: number;
  rel: Map<string, number>;
  t: number;
  d: number;
}

const price = (s: State): number => {
  let p = s.base + s.rate * s.units;
  for (const r of s.rel.values()) p *= r;
  return p * s.t * (1 - s.d);
};

const shareOf = (q: Quote, key: BehaviourKey | 'other'): number =>
  q.behaviour.find((b) => b.key === key)?.share ?? (key === 'other' ? q.rating.telematics.factor - 1 : 0);

/** Explains the change from a previous quote to the current one for the same driver. */
export function explainChange(prev: Quote, curr: Quote): ChangeExplanation {
  const a = prev.rating;
  const b = curr.rating;
  const classicOf = (q: Quote) => q.contributions.filter((c) => c.kind === 'classic');
  const [ca, cb] = [classicOf(prev), classicOf(curr)];
  const names = [...new Set([...cb.map((c) => c.key), ...ca.map((c) => c.key)])];
  const relOf = (cs: typeof ca, n: string) => cs.find((c) => c.key === n)?.factor ?? 1;
  const s: State = {
    base: a.baseCents,
    rate: a.ratePerUnitCents,
    units: a.monthlyUnits,
    rel: new Map(names.map((n) => [n, relOf(ca, n)])),
    t: a.telematics.factor,
    d: a.discount,
  };
  const steps: Array<{
    kind: ChangeItem['kind'];
    key: string;
    apply: () => void;
    text: (c: number) => string;
  }> = [];
  const cur = curr.currency;
  const unit = curr.distanceUnit === 'km' ? 'km' : 'mi';
  const money = (c: number) => formatMoney(Math.round(c), cur);
  steps.push({
    kind: 'base',
    key: 'base',
    apply: () => (s.base = b.baseCents),
    text: (c) => `Base rate: ${money(b.baseCents)} a month (was ${money(a.baseCents)}) — ${adds(c, cur)}`,
  });
  steps.push({
    kind: 'rate',
    key: 'rate',
    apply: () => (s.rate = b.ratePerUnitCents),
    text: (c) => `Rate per ${unit}: ${b.ratePerUnitCents}¢ (was ${a.ratePerUnitCents}¢) — ${adds(c, cur)}`,
  });
  steps.push({
    kind: 'distance',
    key: 'distance',
    apply: () => (s.units = b.monthlyUnits),
    text: (c) =>
      `Distance: ${Math.round(b.monthlyUnits)} ${unit} a month (was ${Math.round(a.monthlyUnits)}) — ${adds(c, cur)}`,
  });
  for (const n of names) {
    const was = ca.find((c) => c.key === n);
    const now = cb.find((c) => c.key === n);
    const label = now?.label ?? was?.label ?? n;
    steps.push({
      kind: 'classic',
      key: n,
      apply: () => s.rel.set(n, relOf(cb, n)),
      text: (c) =>
        was?.level === now?.level
          ? `${label} (${now?.levelLabel ?? '—'}) is rated ${c >= 0 ? 'higher' : 'lower'} in the new plan — ${adds(c, cur)}`
          : `${label}: ${now?.levelLabel ?? 'not rated'} (was ${was?.levelLabel ?? 'not rated'}) — ${adds(c, cur)}`,
    });
  }
  const split = prev.behaviour.length > 0 || curr.behaviour.length > 0;
  if (split) {
    for (const key of [...BEHAVIOUR_KEYS, 'other' as const]) {
      const delta = shareOf(curr, key) - shareOf(prev, key);
      steps.push({
        kind: 'behaviour',
        key,
        apply: () => (s.t += delta),
        text: (c) => behaviourChangeText(curr, prev, key, adds(c, cur)),
      });
    }
  }
  steps.push({
    kind: 'telematics',
    key: 'telematics',
    apply: () => (s.t = b.telematics.factor), // after a split this only absorbs float noise
    text: (c) =>
      `Driving factor: ×${b.telematics.factor.toFixed(3)} (was ×${a.telematics.factor.toFixed(3)}) — ${adds(c, cur)}`,
  });
  steps.push({
    kind: 'discount',
    key: 'enrollment',
    apply: () => (s.d = b.discount),
    text: (c) => `Telematics enrollment discount ${discountChange(a.discount, b.discount)} — ${adds(c, cur)}`,
  });
  const deltas: number[] = [];
  let last = price(s);
  for (const step of steps) {
    step.apply();
    const now = price(s);
    deltas.push(now - last);
    last = now;
  }
  deltas.push(b.capCents - a.capCents);
  const changeCents = curr.premiumCents - prev.premiumCents;
  const cents = allocateCents(deltas, changeCents);
  const items: ChangeItem[] = steps.map((st, i) => ({
    kind: st.kind,
    key: st.key,
    cents: cents[i]!,
    text: st.text(cents[i]!),
  }));
  const capCents = cents[steps.length]!;
  items.push({
    kind: 'renewalCap',
    key: 'renewalCap',
    cents: capCents,
    text: `Renewal cap phasing in the new price — ${adds(capCents, cur)}`,
  });
  return {
    fromCents: prev.premiumCents,
    toCents: curr.premiumCents,
    changeCents,
    items,
    reasons: top([...items]),
  };
}

function discountChange(was: number, now: number): string {
  if (now === was) return 'unchanged';
  if (now === 0) return 'no longer applies';
  if (was === 0) return 'now applies';
  return now < was ? 'is smaller' : 'is larger';
}

function behaviourChangeText(curr: Quote, prev: Quote, key: BehaviourKey | 'other', tail: string): string {
  if (key === 'other') return `Other patterns in your driving data — ${tail}`;
  const unit = curr.distanceUnit;
  const now = curr.input.risk.behaviour[key];
  const was = prev.input.risk.behaviour[key];
  const label = BEHAVIOUR_INFO[key].label;
  const nowText = formatBehaviour(key, now, unit);
  if (formatBehaviourValue(key, now, unit) === formatBehaviourValue(key, was, unit)) {
    return `${label}: ${nowText}, weighing more as your driving history grows — ${tail}`;
  }
  return `${label}: ${nowText} (was ${formatBehaviourValue(key, was, unit)}) — ${tail}`;
}
