// The fairness report (GET /v1/portfolio/fairness): premiums and impact ratios by group, monotonicity sweeps,
// and the protected-attribute check over the latest quotes.
import { useApi } from '../../api/hooks.ts';
import { amount, num, pct } from '../../ui/format.ts';
import { Card, Loaded, Page } from '../../ui/index.tsx';

interface GroupStats {
  group: string;
  drivers: number;
  meanPremiumCents: number;
  medianPremiumCents: number;
  meanNonTelematicsCents: number;
  telematicsEffect: number;
  favourableShare: number;
  premiumRatio: number;
  impactRatio: number | null;
  flagged?: boolean;
}
interface FairnessData {
  fairness: {
    drivers: number;
    meanPremiumCents: number;
    dimensions: Array<{ dimension: string; groups: GroupStats[]; flaggedGroups: string[] }>;
  };
  monotonicity: {
    drivers: number;
    gridPoints: number;
    checks: number;
    violationCount: number;
    violations: Array<{
      driverId: string;
      behaviour: string;
      from: number;
      to: number;
      premiumFromCents: number;
      premiumToCents: number;
    }>;
  };
  protectedAttributes: {
    checked: number;
    violations: Array<{ driverId: string; input: string; concept: string }>;
  };
}

const DIMENSIONS: Record<string, string> = {
  ageBand: 'Age group',
  territory: 'Territory',
  product: 'Product',
};

export function Fairness() {
  const load = useApi<FairnessData>('/v1/portfolio/fairness');
  return (
    <Page title="Fairness">
      <Loaded load={load} what="the fairness report" endpoint="GET /v1/portfolio/fairness">
        {(d) => (
          <>
            <p>
              {d.fairness.drivers} drivers by their latest quote; mean premium{' '}
              {amount(d.fairness.meanPremiumCents)} a month. A group is flagged when its share of drivers
              paying less than without telematics is under four fifths of the best group's.
            </p>
            {d.fairness.dimensions.map((dim) => (
              <Card key={dim.dimension} title={DIMENSIONS[dim.dimension] ?? dim.dimension}>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Group</th>
                        <th scope="col">Drivers</th>
                        <th scope="col">Mean premium</th>
                        <th scope="col">Without telematics</th>
                        <th scope="col">Telematics effect</th>
                        <th scope="col">Paying less</th>
                        <th scope="col">Impact ratio</th>
                      </tr>
                    </thead>
                    <tbody>
                      {dim.groups.map((g) => {
                        const flagged = dim.flaggedGroups.includes(g.group);
                        return (
                          <tr key={g.group} className={flagged ? 'flagged' : ''}>
                            <th scope="row">{g.group}</th>
                            <td>{g.drivers}</td>
                            <td>{amount(g.meanPremiumCents)}</td>
                            <td>{amount(g.meanNonTelematicsCents)}</td>
                            <td>×{num(g.telematicsEffect, 3)}</td>
                            <td>{pct(g.favourableShare, 0)}</td>
                            <td>
                              {g.impactRatio === null ? '—' : num(g.impactRatio, 2)}
                              {flagged ? ' (flagged)' : ''}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              </Card>
            ))}
            <div className="grid">
              <Card title="Monotonicity">
                <p>
                  {d.monotonicity.checks.toLocaleString()} checks on {d.monotonicity.drivers} drivers (
                  {d.monotonicity.gridPoints} points per behaviour):{' '}
                  <strong>{d.monotonicity.violationCount}</strong> where worse driving cost less.
                </p>
                {d.monotonicity.violations.length ? (
                  <ul>
                    {d.monotonicity.violations.slice(0, 10).map((v) => (
                      <li key={`${v.driverId}-${v.behaviour}-${v.from}`}>
                        {v.driverId}: {v.behaviour} {num(v.from, 2)} → {num(v.to, 2)} priced{' '}
                        {amount(v.premiumFromCents)} → {amount(v.premiumToCents)}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </Card>
              <Card title="Protected attributes">
                <p>
                  {d.protectedAttributes.checked} quotes checked:{' '}
                  <strong>{d.protectedAttributes.violations.length}</strong> inputs name a banned concept.
                </p>
                {d.protectedAttributes.violations.length ? (
                  <ul>
                    {d.protectedAttributes.violations.map((v) => (
                      <li key={`${v.driverId}-${v.input}`}>
                        {v.driverId}: {v.input} ({v.concept})
                      </li>
                    ))}
                  </ul>
                ) : null}
              </Card>
            </div>
          </>
        )}
      </Loaded>
    </Page>
  );
}
