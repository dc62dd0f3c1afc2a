// Models: versions with headline metrics and the champion, one version's lift, calibration, Gini and PSI drift,
// the challenger beside the champion, and promote for administrators (GET/POST /v1/models…).
import { useMemo } from 'react';
import { api, qs } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import { Chart } from '../../charts/Chart.tsx';
import { navigate, useLocation } from '../../router.tsx';
import { dateTime, num } from '../../ui/format.ts';
import { Card, Empty, Loaded, Notice, Page } from '../../ui/index.tsx';

interface Headline {
  rows: number | null;
  exposure: number | null;
  observed: number | null;
  actualToExpected: number | null;
  gini: number | null;
  poissonDevianceX100: number | null;
  d2: number | null;
}
interface Version {
  name: string;
  version: number;
  kind: string;
  createdAt: string;
  champion: boolean;
  promotedAt: string | null;
  promotedBy: string | null;
  metrics: { learn: Headline | null; test: Headline | null; giniGain?: number };
}
interface Decile {
  decile: number;
  exposure: number;
  predictedFrequency: number;
  observedFrequency: number;
  actualToExpected: number;
  lift: number;
}
interface VersionDetail extends Version {
  calibration: {
    learn: { actualToExpected: number | null; byDecile: Decile[] } | null;
    test: { actualToExpected: number | null; byDecile: Decile[] } | null;
  };
  gini: { learn: number | null; test: number | null };
  drift: { psi: number | null; drivers: number; note?: string; reading?: string };
  inputs?: unknown;
}

const key = (v: { name: string; version: number }) => `${v.name}@${v.version}`;

function Calibration({ deciles }: { deciles: Decile[] }) {
  const data = useMemo(
    () => ({
      x: deciles.map((d) => d.decile),
      series: [
        {
          label: 'Predicted frequency',
          values: deciles.map((d) => round4(d.predictedFrequency)),
          color: '#1565c0',
        },
        {
          label: 'Observed frequency',
          values: deciles.map((d) => round4(d.observedFrequency)),
          color: '#d50000',
        },
      ],
      lift: [
        {
          label: 'Lift',
          values: deciles.map((d) => round4(d.lift)),
          color: '#2e7d32',
          kind: 'bars' as const,
        },
      ],
    }),
    [deciles],
  );
  return (
    <div className="grid">
      <Chart
        title="Calibration by decile of prediction (test)"
        x={data.x}
        series={data.series}
        xLabel="decile"
        yLabel="claims / year"
      />
      <Chart title="Lift by decile (test)" x={data.x} series={data.lift} xLabel="decile" yLabel="lift" />
    </div>
  );
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

function Detail({
  v,
  champion,
  canPromote,
  onPromoted,
}: {
  v: Version;
  champion: Version | null;
  canPromote: boolean;
  onPromoted: () => void;
}) {
  const load = useApi<VersionDetail>(`/v1/models/${encodeURIComponent(v.name)}/versions/${v.version}`);
  const promote = useAction(async () => {
    await api(`/v1/models/${encodeURIComponent(v.name)}/versions/${v.version}/promote`, { method: 'POST' });
    onPromoted();
  });
  return (
    <Loaded load={load} what="the model version" endpoint="GET /v1/models/:name/versions/:version">
      {(d) => {
        const cal = d.calibration.test ?? d.calibration.learn;
        const rows: Array<[string, (h: Headline | null | undefined) => string]> = [
          ['Gini (test)', (h) => num(h?.gini ?? null, 3)],
          ['A/E (test)', (h) => num(h?.actualToExpected ?? null, 3)],
          ['Poisson deviance ×100 (test)', (h) => num(h?.poissonDevianceX100 ?? null, 3)],
          ['D² (test)', (h) => num(h?.d2 ?? null, 3)],
        ];
        return (
          <>
            <p>
              {d.kind.toUpperCase()} trained {dateTime(Date.parse(d.createdAt))}.{' '}
              {d.champion ? <strong>Champion</strong> : 'Challenger'}
              {d.promotedAt ? ` (promoted ${dateTime(Date.parse(d.promotedAt))} by ${d.promotedBy})` : ''}.
            </p>
            <div className="table-wrap">
              <table>
                <caption>
                  {champion && !d.champion ? 'This challenger beside the champion' : 'Test metrics'}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Metric</th>
                    <th scope="col">v{d.version}</th>
                    {champion && !d.champion ? <th scope="col">Champion v{champion.version}</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {rows.map(([label, f]) => (
                    <tr key={label}>
                      <th scope="row">{label}</th>
                      <td>{f(d.metrics.test)}</td>
                      {champion && !d.champion ? <td>{f(champion.metrics.test)}</td> : null}
                    </tr>
                  ))}
                  <tr>
                    <th scope="row">Gini (learn)</th>
                    <td>{num(d.gini.learn, 3)}</td>
                    {champion && !d.champion ? <td>{num(champion.metrics.learn?.gini ?? null, 3)}</td> : null}
                  </tr>
                </tbody>
              </table>
            </div>
            <p>
              <strong>Drift (PSI):</strong>{' '}
              {d.drift.psi === null
                ? `not available — ${d.drift.note ?? 'no reference'}`
                : `${num(d.drift.psi, 3)} over ${d.drift.drivers} current drivers (${d.drift.reading})`}
            </p>
            {cal ? (
              <Calibration deciles={cal.byDecile} />
            ) : (
              <p className="muted">No lift table stored with this version.</p>
            )}
            {canPromote && !d.champion ? (
              <>
                <button
                  type="button"
                  className="primary"
                  onClick={() => void promote.run()}
                  disabled={promote.pending}
                >
                  {promote.pending ? 'Promoting…' : `Make v${d.version} the champion`}
                </button>
                {promote.error ? <Notice kind="error">{promote.error.message}</Notice> : null}
              </>
            ) : null}
          </>
        );
      }}
    </Loaded>
  );
}

export function Models({ canPromote }: { canPromote: boolean }) {
  const list = useApi<{ items: Version[] }>('/v1/models');
  const { query } = useLocation();
  const sel = query.get('v');
  return (
    <Page title="Models">
      <Loaded load={list} what="models" endpoint="GET /v1/models">
        {(l) => {
          if (l.items.length === 0) return <Empty>No models are registered for this insurer yet.</Empty>;
          const selected =
            l.items.find((v) => key(v) === sel) ??
            l.items.find((v) => v.champion) ??
            l.items[l.items.length - 1]!;
          const champion = l.items.find((v) => v.champion && v.name === selected.name) ?? null;
          return (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Model</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Trained</th>
                      <th scope="col">Gini (test)</th>
                      <th scope="col">A/E (test)</th>
                      <th scope="col">Role</th>
                    </tr>
                  </thead>
                  <tbody>
                    {l.items.map((v) => (
                      <tr key={key(v)} className={key(v) === key(selected) ? 'highlight' : ''}>
                        <td>
                          <button
                            type="button"
                            className="link"
                            aria-pressed={key(v) === key(selected)}
                            onClick={() => navigate(`/staff/models${qs({ v: key(v) })}`)}
                          >
                            {v.name} v{v.version}
                          </button>
                        </td>
                        <td>{v.kind}</td>
                        <td>{dateTime(Date.parse(v.createdAt))}</td>
                        <td>{num(v.metrics.test?.gini ?? null, 3)}</td>
                        <td>{num(v.metrics.test?.actualToExpected ?? null, 3)}</td>
                        <td>{v.champion ? 'Champion' : 'Challenger'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Card title={`${selected.name} v${selected.version}`}>
                <Detail
                  key={`${key(selected)}-${selected.champion}`}
                  v={selected}
                  champion={champion}
                  canPromote={canPromote}
                  onPromoted={list.reload}
                />
              </Card>
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
