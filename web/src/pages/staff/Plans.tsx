// The rating plan viewer: the tenant's stored plans (GET /v1/plans) with factors, relativities and bounds.
import { useState } from 'react';
import { useApi } from '../../api/hooks.ts';
import { date, humanize, money, num } from '../../ui/format.ts';
import { Card, Empty, Loaded, Page } from '../../ui/index.tsx';

interface Level {
  code: string;
  label?: string;
  relativity: number;
}
interface RatingPlan {
  id: string;
  version: number;
  name: string;
  jurisdiction: string;
  currency: string;
  distanceUnit: string;
  effectiveFrom: string;
  effectiveTo?: string;
  baseMonthlyCents: number;
  classicFactors: Array<{ name: string; label: string; levels: Level[] }>;
  distance?: { ratePerUnitMillicents: number; dailyCapUnits?: number };
  telematics?: {
    maxDiscountBp?: number;
    maxSurchargeBp?: number;
    credibilityKm?: number;
    windowDays?: number;
  };
  enrollmentDiscountBp?: number;
  renewalCap?: { maxIncreaseBp: number; maxDecreaseBp: number };
}
interface PlanItem {
  key: string;
  product: string;
  isDefault: boolean;
  createdAtMs: number;
  plan: RatingPlan;
  bands: unknown;
}

const bp = (x: number | undefined) => (x === undefined ? '—' : `${num(x / 100, 2)}%`);

function PlanView({ p }: { p: PlanItem }) {
  const r = p.plan;
  return (
    <div data-testid="plan">
      <dl className="facts">
        <dt>Product</dt>
        <dd>{p.product.toUpperCase()}</dd>
        <dt>Jurisdiction</dt>
        <dd>{r.jurisdiction}</dd>
        <dt>In force</dt>
        <dd>
          from {r.effectiveFrom}
          {r.effectiveTo ? ` to ${r.effectiveTo}` : ''}
        </dd>
        <dt>Base premium</dt>
        <dd>{money(r.baseMonthlyCents, r.currency)} a month</dd>
        {r.distance ? (
          <>
            <dt>Distance rate</dt>
            <dd>
              {money(r.distance.ratePerUnitMillicents / 1000, r.currency)} per {r.distanceUnit}
              {r.distance.dailyCapUnits
                ? `, capped at ${r.distance.dailyCapUnits} ${r.distanceUnit} a day`
                : ''}
            </dd>
          </>
        ) : null}
        {r.telematics ? (
          <>
            <dt>Telematics bounds</dt>
            <dd>
              discount up to {bp(r.telematics.maxDiscountBp)}, surcharge up to{' '}
              {bp(r.telematics.maxSurchargeBp)}; full credibility near{' '}
              {num(r.telematics.credibilityKm ?? null, 0)} km
            </dd>
          </>
        ) : null}
        <dt>Enrollment discount</dt>
        <dd>{bp(r.enrollmentDiscountBp)}</dd>
        {r.renewalCap ? (
          <>
            <dt>Renewal cap</dt>
            <dd>
              +{bp(r.renewalCap.maxIncreaseBp)} / −{bp(r.renewalCap.maxDecreaseBp)}
            </dd>
          </>
        ) : null}
        <dt>Stored</dt>
        <dd>
          {date(p.createdAtMs)}
          {p.isDefault ? ' (documented default)' : ''}
        </dd>
      </dl>
      {r.classicFactors.map((f) => (
        <div className="table-wrap" key={f.name}>
          <table>
            <caption>{f.label}</caption>
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col">Relativity</th>
              </tr>
            </thead>
            <tbody>
              {f.levels.map((l) => (
                <tr key={l.code}>
                  <td>{l.label ?? l.code}</td>
                  <td>×{num(l.relativity, 3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <details>
        <summary>The plan and its bands as stored (JSON)</summary>
        <pre>{JSON.stringify({ plan: r, bands: p.bands }, null, 2)}</pre>
      </details>
    </div>
  );
}

export function Plans() {
  const load = useApi<{ items: PlanItem[] }>('/v1/plans');
  const [key, setKey] = useState<string | null>(null);
  return (
    <Page title="Rating plans">
      <Loaded load={load} what="rating plans" endpoint="GET /v1/plans">
        {(d) => {
          if (d.items.length === 0)
            return <Empty>No rating plans are stored yet (defaults are seeded with the first policy).</Empty>;
          const current = d.items.find((p) => p.key === key) ?? d.items[0]!;
          return (
            <>
              <label className="inline">
                Plan
                <select value={current.key} onChange={(e) => setKey(e.target.value)}>
                  {d.items.map((p) => (
                    <option key={p.key} value={p.key}>
                      {p.plan.name} — v{p.plan.version} ({humanize(p.product)}, {p.plan.jurisdiction})
                    </option>
                  ))}
                </select>
              </label>
              <Card title={`${current.plan.name}, version ${current.plan.version}`}>
                <PlanView p={current} />
              </Card>
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
