// Reproduces every worked example in docs/pricing.md: the ```json plan blocks are validated (and must
// equal the test fixtures), each ```json example block is run and its "expect" compared exactly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { monthlyStatement, planTerms } from './payd.ts';
import type { PricingPlan } from './plan.ts';
import { quote } from './quote.ts';
import { explainChange } from './reasons.ts';
import { examplePerMilePlan, examplePhydPlan, logLinearModel, mustValidate } from './test-support.ts';
import type { QuoteInput } from './types.ts';
import { whatIf, type WhatIfScenario } from './whatif.ts';

const doc = readFileSync(new URL('../../docs/pricing.md', import.meta.url), 'utf8');
const blocks = (tag: string) =>
  [...doc.matchAll(new RegExp(`\`\`\`json ${tag}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => JSON.parse(m[1]!));
const model = logLinearModel();

interface Example {
  title: string;
  kind: 'statement' | 'quote' | 'whatIf' | 'change';
  plan: string;
  [k: string]: unknown;
  expect: Record<string, unknown>;
}

const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

function run(ex: Example, plans: Map<string, PricingPlan>): Record<string, unknown> {
  const plan = plans.get(ex.plan);
  if (plan === undefined) throw new Error(`example '${ex.title}' names unknown plan ${ex.plan}`);
  const pick = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.keys(ex.expect).map((k) => [k, o[k]]));
  if (ex.kind === 'statement') {
    const s = must(
      monthlyStatement({
        policyId: 'doc',
        planKey: plan.key,
        month: ex['month'] as string,
        terms: { ...planTerms(plan)!, ...(ex['terms'] as object | undefined) },
        days: ex['days'] as never,
      }),
    );
    return pick({ ...s, lines: s.lines.map((l) => [l.kind, l.amountCents]) });
  }
  const summarise = (input: QuoteInput) => {
    const q = must(quote(plan, input, { model }));
    return {
      ...q,
      credibility: q.rating.telematics.credibility,
      telematicsFactor: Number(q.rating.telematics.factor.toFixed(6)),
      contributions: Object.fromEntries(q.contributions.map((c) => [c.key, c.cents])),
      behaviour: Object.fromEntries(q.behaviour.filter((b) => b.cents !== 0).map((b) => [b.key, b.cents])),
      reasons: q.reasons.map((r) => r.text),
      safetyScore: q.safetyScore.score,
    };
  };
  if (ex.kind === 'quote') return pick(summarise(ex['input'] as QuoteInput));
  if (ex.kind === 'whatIf') {
    const w = must(whatIf(plan, ex['input'] as QuoteInput, ex['scenario'] as WhatIfScenario, model));
    return pick({ ...w });
  }
  const prev = must(quote(plan, ex['from'] as QuoteInput, { model }));
  const curr = must(quote(plan, ex['to'] as QuoteInput, { model }));
  const e = explainChange(prev, curr);
  return pick({ ...e, reasons: e.reasons.map((r) => r.text) });
}

describe('docs/pricing.md worked examples', () => {
  const planBlocks = blocks('plan');
  const plans = new Map(planBlocks.map((p) => [`${p.id}@${p.version}`, mustValidate(p)]));

  test('the plans shown in the docs are valid and are the ones the tests use', () => {
    assert.deepEqual(planBlocks, [examplePhydPlan(), examplePerMilePlan()]);
  });

  const examples = blocks('example') as Example[];
  test('the docs contain the worked examples', () => {
    assert.ok(examples.length >= 8, `found ${examples.length}`);
    assert.ok(examples.some((e) => e.title.includes('$46')));
  });
  for (const ex of examples) {
    test(ex.title, () => {
      const actual = run(ex, plans);
      if (process.env['PRINT_DOC_EXAMPLES']) console.error(JSON.stringify({ title: ex.title, actual }));
      assert.deepEqual(actual, ex.expect);
    });
  }
});
