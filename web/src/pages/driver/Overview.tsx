// The driver's start page: safety score with its 30-day trend, premium against the non-telematics price and
// why, distance this month, what-if sliders, crash checks; refreshed live when the score or premium changes.
import { useEffect, useMemo, useState } from 'react';
import { type ApiError, api, qs } from '../../api/client.ts';
import { useApi } from '../../api/hooks.ts';
import { useLive } from '../../api/live.ts';
import type { QuoteData, ScoreData } from '../../api/pricing-types.ts';
import type { PageOf, Trip } from '../../api/types.ts';
import { Chart } from '../../charts/Chart.tsx';
import { km, money, num, pct } from '../../ui/format.ts';
import { Card, ErrorBox, Loaded, Loading, NotAvailable, Page, Stat } from '../../ui/index.tsx';
import { CrashChecks } from './CrashChecks.tsx';
import { WhatIf } from './WhatIf.tsx';

const REFRESH_ON = new Set(['score.changed', 'premium.changed', 'trip.completed', 'dispute.resolved']);

/** Distance of the trips recorded since the first of this month (local time), summed over the pages. */
function useMonthDistance(driverId: string, tick: number) {
  const [state, setState] = useState<{ m: number; trips: number } | ApiError | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the reload trigger
  useEffect(() => {
    const ctl = new AbortController();
    const now = new Date();
    const from = new Date(now.getFullYear(), now.getMonth(), 1).getTime();
    (async () => {
      let m = 0;
      let trips = 0;
      let cursor: string | null = null;
      for (let page = 0; page < 50; page++) {
        const p: PageOf<Trip> = await api<PageOf<Trip>>(
          `/v1/trips${qs({ driverId, from, limit: 200, cursor })}`,
          {
            signal: ctl.signal,
          },
        );
        for (const t of p.items) m += t.distanceM;
        trips += p.items.length;
        cursor = p.nextCursor;
        if (!cursor) break;
      }
      setState({ m, trips });
    })().catch((e: Error) => e.name !== 'AbortError' && setState(e as ApiError));
    return () => ctl.abort();
  }, [driverId, tick]);
  return state;
}

function ScoreCard({ data }: { data: ScoreData }) {
  const s = data.safetyScore;
  const x = useMemo(() => data.trend.map((d) => Date.parse(`${d.date}T12:00:00Z`) / 1000), [data]);
  const series = useMemo(
    () => [{ label: 'Safety score', values: data.trend.map((d) => d.score), color: '#1565c0' }],
    [data],
  );
  return (
    <>
      <Stat
        label="Safety score (0–100, for coaching)"
        value={<span data-testid="safety-score">{s.score ?? '—'}</span>}
        note={s.reason ?? `Based on ${num(data.exposureKm, 0)} km of counted driving.`}
      />
      {data.pricingFactor ? (
        <p className="muted">
          Pricing factor {num(data.pricingFactor.factor, 3)} (credibility{' '}
          {pct(data.pricingFactor.credibility, 0)})
        </p>
      ) : null}
      {data.trend.some((d) => d.score !== null) ? (
        <Chart
          title="Safety score over the last 30 days"
          x={x}
          series={series}
          time
          yLabel="score"
          height={180}
        />
      ) : (
        <p className="muted">The trend appears once there is a score for at least one day.</p>
      )}
    </>
  );
}

function PremiumCard({ q }: { q: QuoteData }) {
  return (
    <>
      <Stat
        label="Projected monthly premium"
        value={<span data-testid="premium">{money(q.premiumCents, q.currency)}</span>}
        note={`Without telematics: ${money(q.nonTelematicsPremiumCents, q.currency)}`}
      />
      <p data-testid="savings" className={q.savingsCents >= 0 ? 'good' : 'bad'}>
        {q.savingsCents >= 0
          ? `You save ${money(q.savingsCents, q.currency)} a month with telematics.`
          : `Telematics costs you ${money(-q.savingsCents, q.currency)} a month more.`}
      </p>
      {q.change && q.change.changeCents !== 0 ? (
        <p className="muted">
          Last change: {money(q.change.fromCents, q.currency)} → {money(q.change.toCents, q.currency)}
        </p>
      ) : null}
      <p className="muted">
        Projected {num(q.projectedMonthlyKm, 0)} km a month · telematics credibility {pct(q.credibility, 0)}
      </p>
    </>
  );
}

function Reasons({ q }: { q: QuoteData }) {
  return (
    <>
      {q.reasons.length ? (
        <ul className="reasons">
          {q.reasons.map((r) => (
            <li key={r.key}>{r.text}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">No behaviour moves your premium yet.</p>
      )}
      <details>
        <summary>Every factor of the premium</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Factor</th>
                <th scope="col">Level</th>
                <th scope="col">Factor</th>
                <th scope="col">Adds (a month)</th>
              </tr>
            </thead>
            <tbody>
              {q.contributions.map((c) => (
                <tr key={c.key}>
                  <td>{c.label}</td>
                  <td>{c.levelLabel ?? c.level ?? '—'}</td>
                  <td>×{num(c.factor, 3)}</td>
                  <td>{money(c.cents, q.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}

/** Score, premium, distance, reasons and what-if of one driver; `refresh` changing reloads them (live updates). */
export function DriverSummary({ driverId, refresh = 0 }: { driverId: string; refresh?: number }) {
  const score = useApi<ScoreData>(`/v1/drivers/${encodeURIComponent(driverId)}/score`);
  const quote = useApi<QuoteData>(`/v1/drivers/${encodeURIComponent(driverId)}/quote`);
  const [tick, setTick] = useState(0);
  const month = useMonthDistance(driverId, tick + refresh);
  const { reload: reloadScore } = score;
  const { reload: reloadQuote } = quote;
  useEffect(() => {
    if (refresh === 0) return;
    reloadScore();
    reloadQuote();
  }, [refresh, reloadScore, reloadQuote]);

  return (
    <>
      <div className="grid">
        <Card title="Safety score">
          <Loaded load={score} what="the safety score" endpoint="GET /v1/drivers/:id/score">
            {(d) => <ScoreCard data={d} />}
          </Loaded>
        </Card>
        <Card title="Premium">
          <Loaded load={quote} what="the premium" endpoint="GET /v1/drivers/:id/quote">
            {(q) => <PremiumCard q={q} />}
          </Loaded>
        </Card>
        <Card title="This month">
          {month === null ? (
            <Loading what="this month's trips" />
          ) : 'status' in month ? (
            month.missing ? (
              <NotAvailable what="Trips" endpoint="GET /v1/trips" />
            ) : (
              <ErrorBox error={month} retry={() => setTick((n) => n + 1)} />
            )
          ) : (
            <Stat
              label="Distance driven this month"
              value={<span data-testid="month-distance">{km(month.m)}</span>}
              note={`${month.trips} trip${month.trips === 1 ? '' : 's'} recorded`}
            />
          )}
        </Card>
      </div>
      <Card title="Why this premium">
        <Loaded load={quote} what="the reasons" endpoint="GET /v1/drivers/:id/quote">
          {(q) => <Reasons q={q} />}
        </Loaded>
      </Card>
      <Card title="What if you drove differently?">
        <WhatIf driverId={driverId} />
      </Card>
    </>
  );
}

export function Overview({ driverId }: { driverId: string; base: string }) {
  // One live stream for the page: score and premium changes reload the summary, a crash candidate the checks.
  const [refresh, setRefresh] = useState(0);
  const [crashes, setCrashes] = useState(0);
  const status = useLive(`/v1/live/driver/${encodeURIComponent(driverId)}`, (m) => {
    if (REFRESH_ON.has(m.event)) setRefresh((n) => n + 1);
    if (m.event === 'crash.detected') setCrashes((n) => n + 1);
  });
  return (
    <Page title="Your driving">
      <p className="live" aria-live="polite">
        <span className={`dot dot-${status}`} aria-hidden="true" />{' '}
        {status === 'live'
          ? 'Live: updates as trips are scored'
          : status === 'unavailable'
            ? 'Live updates unavailable'
            : 'Connecting live updates…'}
      </p>
      <CrashChecks driverId={driverId} canAnswer refresh={crashes} />
      <DriverSummary driverId={driverId} refresh={refresh} />
    </Page>
  );
}
