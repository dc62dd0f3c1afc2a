// Portfolio KPIs, distributions, events over time and the event-density map (GET /v1/portfolio/*), with the
// live counters of today (GET /v1/live/portfolio).
import { lazy, Suspense, useMemo, useState } from 'react';
import { useApi } from '../../api/hooks.ts';
import { useLive } from '../../api/live.ts';
import { Chart } from '../../charts/Chart.tsx';
import type { DensityCell } from '../../map/DensityMap.tsx';
import { amount, humanize, num, pct } from '../../ui/format.ts';
import { Card, Loaded, Loading, Page, Stat } from '../../ui/index.tsx';

const DensityMap = lazy(() => import('../../map/DensityMap.tsx').then((m) => ({ default: m.DensityMap })));

interface Summary {
  asOfMs: number;
  drivers: number;
  last30Days: { activeDrivers: number; trips: number; distanceKm: number };
  risk: {
    scoredDrivers: number;
    meanExpectedFrequency: number | null;
    meanClassicFrequency: number | null;
    expectedClaimsPerYear: number;
    driversByModelVersion: Record<string, number>;
  };
  premium: {
    quotedDrivers: number;
    monthlyPremiumCents: number;
    annualPremiumCents: number;
    meanMonthlyPremiumCents: number | null;
    expectedAnnualClaimsCostCents: number;
    expectedLossRatio: number | null;
  } | null;
  severity: string;
}
interface Bin {
  from: number | null;
  to: number | null;
  count: number;
}
interface Distributions {
  drivers: number;
  expectedFrequency: Bin[];
  relativity: Bin[];
  safetyScore: Bin[] | null;
}
interface EventsOverTime {
  days: Array<{ date: string; counts: Record<string, number> }>;
  totals: Record<string, number>;
  voided: number;
}
interface Counters {
  tripsToday: number;
  eventsToday: number;
  activeDevices: number;
  drivingNow: number;
}

const PALETTE = ['#1565c0', '#d50000', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#5d4037', '#ad1457'];

function Histogram({
  title,
  bins,
  xLabel,
  digits,
}: {
  title: string;
  bins: Bin[];
  xLabel: string;
  digits: number;
}) {
  const data = useMemo(() => {
    // Open-ended end bins are drawn one step beyond their edge.
    const step = bins.length > 2 ? (bins[2]!.from ?? 0) - (bins[1]!.from ?? 0) : 1;
    const x = bins.map((b) => (b.from === null ? (b.to ?? 0) - step : b.from) + step / 2);
    return {
      x,
      series: [
        { label: 'drivers', values: bins.map((b) => b.count), color: '#1565c0', kind: 'bars' as const },
      ],
    };
  }, [bins]);
  const label = (i: number) => {
    const b = bins[i]!;
    return b.from === null
      ? `< ${num(b.to, digits)}`
      : b.to === null
        ? `≥ ${num(b.from, digits)}`
        : `${num(b.from, digits)}–${num(b.to, digits)}`;
  };
  return (
    <Chart
      title={title}
      x={data.x}
      series={data.series}
      xLabel={xLabel}
      yLabel="drivers"
      formatX={(v) => label(data.x.indexOf(v))}
      height={200}
    />
  );
}

function Kpis({ s }: { s: Summary }) {
  return (
    <>
      <div className="grid kpis">
        <Stat
          label="Drivers"
          value={<span data-testid="kpi-drivers">{s.drivers}</span>}
          note={`${s.last30Days.activeDrivers} drove in the last 30 days`}
        />
        <Stat
          label="Distance, 30 days"
          value={`${num(s.last30Days.distanceKm, 0)} km`}
          note={`${s.last30Days.trips} counted trips`}
        />
        <Stat
          label="Expected claim frequency"
          value={num(s.risk.meanExpectedFrequency, 3)}
          note={`claims a driver-year (classic only: ${num(s.risk.meanClassicFrequency, 3)}); ${num(s.risk.expectedClaimsPerYear, 1)} expected claims a year`}
        />
        <Stat
          label="Monthly premium"
          value={s.premium ? amount(s.premium.monthlyPremiumCents) : '—'}
          note={
            s.premium
              ? `${s.premium.quotedDrivers} quoted drivers, mean ${amount(s.premium.meanMonthlyPremiumCents)}`
              : 'no quotes yet'
          }
        />
        <Stat
          label="Expected loss ratio"
          value={s.premium ? pct(s.premium.expectedLossRatio) : '—'}
          note={
            s.premium
              ? `expected claims cost ${amount(s.premium.expectedAnnualClaimsCostCents)} a year`
              : undefined
          }
        />
      </div>
      <p className="muted">Severity: {s.severity}.</p>
    </>
  );
}

function EventsChart({ d }: { d: EventsOverTime }) {
  const data = useMemo(() => {
    const kinds = Object.entries(d.totals)
      .sort((a, b) => b[1] - a[1])
      .slice(0, PALETTE.length)
      .map(([k]) => k);
    return {
      x: d.days.map((day) => Date.parse(`${day.date}T12:00:00Z`) / 1000),
      series: kinds.map((k, i) => ({
        label: humanize(k),
        values: d.days.map((day) => day.counts[k] ?? 0),
        color: PALETTE[i]!,
      })),
    };
  }, [d]);
  if (data.series.length === 0) return <p className="muted">No events in the window.</p>;
  return (
    <>
      <Chart title="Driving events per day by kind" x={data.x} series={data.series} time yLabel="events" />
      <p className="muted">
        {d.voided} events were voided by accepted disputes or crash answers and are not shown.
      </p>
    </>
  );
}

export function Portfolio() {
  const summary = useApi<Summary>('/v1/portfolio/summary');
  const dist = useApi<Distributions>('/v1/portfolio/distributions');
  const events = useApi<EventsOverTime>('/v1/portfolio/events?days=30');
  const density = useApi<{ resolution: number; events: number; cells: DensityCell[] }>(
    '/v1/portfolio/event-density?days=30',
  );
  const [counters, setCounters] = useState<Counters | null>(null);
  const live = useLive('/v1/live/portfolio', (m) => {
    if (m.event === 'counters') setCounters(m.data as Counters);
  });

  return (
    <Page title="Portfolio">
      <Card title="Today, live">
        {counters ? (
          <div className="grid kpis" aria-live="polite">
            <Stat label="Trips today" value={counters.tripsToday} />
            <Stat label="Events today" value={counters.eventsToday} />
            <Stat label="Active devices (15 min)" value={counters.activeDevices} />
            <Stat label="Driving now" value={counters.drivingNow} />
          </div>
        ) : live === 'unavailable' ? (
          <p className="muted">Live counters are not available on this server.</p>
        ) : (
          <Loading what="live counters" />
        )}
      </Card>
      <Card title="Key figures">
        <Loaded load={summary} what="portfolio figures" endpoint="GET /v1/portfolio/summary">
          {(s) => <Kpis s={s} />}
        </Loaded>
      </Card>
      <Loaded load={dist} what="distributions" endpoint="GET /v1/portfolio/distributions">
        {(d) => (
          <div className="grid">
            <Card title="Safety score">
              {d.safetyScore?.some((b) => b.count > 0) ? (
                <Histogram title="Drivers by safety score" bins={d.safetyScore} xLabel="score" digits={0} />
              ) : (
                <p className="muted">No driver has a safety score yet (it needs a minimum distance).</p>
              )}
            </Card>
            <Card title="Expected frequency">
              <Histogram
                title="Drivers by expected claim frequency"
                bins={d.expectedFrequency}
                xLabel="claims / year"
                digits={2}
              />
            </Card>
            <Card title="Premium">
              <p className="muted" role="note">
                A premium distribution is not available: <code>GET /v1/portfolio/distributions</code> gives
                expected frequency, relativity and safety score only. The fairness page has mean premiums by
                group.
              </p>
            </Card>
            <Card title="Behaviour relativity">
              <Histogram
                title="Drivers by behaviour relativity (1 = classic rating)"
                bins={d.relativity}
                xLabel="relativity"
                digits={1}
              />
            </Card>
          </div>
        )}
      </Loaded>
      <Card title="Events over time">
        <Loaded load={events} what="events over time" endpoint="GET /v1/portfolio/events">
          {(d) => <EventsChart d={d} />}
        </Loaded>
      </Card>
      <Card title="Where events happen">
        <Loaded load={density} what="event density" endpoint="GET /v1/portfolio/event-density">
          {(d) =>
            d.cells.length === 0 ? (
              <p className="muted">No located events in the last 30 days.</p>
            ) : (
              <>
                <Suspense fallback={<Loading what="the map" />}>
                  <DensityMap cells={d.cells} />
                </Suspense>
                <details>
                  <summary>
                    Densest cells ({d.events} events in {d.cells.length} cells)
                  </summary>
                  <div className="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Cell (H3 r{d.resolution})</th>
                          <th scope="col">Events</th>
                          <th scope="col">Most common</th>
                        </tr>
                      </thead>
                      <tbody>
                        {d.cells.slice(0, 20).map((c) => {
                          const top = Object.entries(c.byKind).sort((a, b) => b[1] - a[1])[0];
                          return (
                            <tr key={c.h3}>
                              <td>{c.h3}</td>
                              <td>{c.count}</td>
                              <td>{top ? `${humanize(top[0])} (${top[1]})` : '—'}</td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </div>
                </details>
              </>
            )
          }
        </Loaded>
      </Card>
    </Page>
  );
}
