// Badges, streaks, the driver's rates beside their insurer's drivers, tips for the weakest behaviour, and the
// opt-in anonymised leaderboard (GET /v1/drivers/:id/achievements, GET /v1/leaderboard, PUT …/leaderboard).
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import type { AchievementsData, LeaderboardData } from '../../api/types.ts';
import { date, num, pct } from '../../ui/format.ts';
import { Card, Loaded, Notice, Page } from '../../ui/index.tsx';

function Badges({ a }: { a: AchievementsData }) {
  return (
    <ul className="badges">
      {a.badges.map((b) => (
        <li key={b.id} className={b.earned ? 'earned' : ''} data-testid="badge">
          <span className="badge-icon" aria-hidden="true">
            {b.earned ? '★' : '☆'}
          </span>
          <div>
            <strong>{b.title}</strong>
            <span className="sr-only">{b.earned ? ' (earned)' : ' (not yet)'}</span>
            <p>{b.description}</p>
            {b.earned && b.earnedAtMs ? (
              <p className="muted">Earned {date(b.earnedAtMs)}</p>
            ) : (
              <>
                <progress
                  max={b.progress.target}
                  value={b.progress.current}
                  aria-label={`${b.title} progress`}
                />
                <p className="muted">
                  {num(b.progress.current)} of {num(b.progress.target)} {b.progress.unit}
                </p>
              </>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

function Behaviours({ a }: { a: AchievementsData }) {
  const fmt = (unit: string, v: number) => (unit === 'per 100 km' ? num(v, 2) : pct(v));
  return (
    <div className="table-wrap">
      <table>
        <caption>
          Last {a.windowDays} days: you ({num(a.windowDistanceKm, 0)} km) beside your insurer's drivers
        </caption>
        <thead>
          <tr>
            <th scope="col">Behaviour</th>
            <th scope="col">Unit</th>
            <th scope="col">You</th>
            <th scope="col">All drivers</th>
          </tr>
        </thead>
        <tbody>
          {a.behaviours.map((b) => (
            <tr key={b.behaviour} className={a.weakest?.behaviour === b.behaviour ? 'highlight' : ''}>
              <th scope="row">{b.label}</th>
              <td>{b.unit}</td>
              <td>{fmt(b.unit, b.driver)}</td>
              <td>{fmt(b.unit, b.tenant)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Leaderboard({ driverId, self, optedIn }: { driverId: string; self: boolean; optedIn: boolean }) {
  const board = useApi<LeaderboardData>('/v1/leaderboard');
  const toggle = useAction(async (on: boolean) => {
    await api(`/v1/drivers/${encodeURIComponent(driverId)}/leaderboard`, {
      method: 'PUT',
      body: { optIn: on },
    });
    board.reload();
  });
  const isIn = board.state === 'ok' && board.data.you ? board.data.you.optedIn : optedIn;
  return (
    <>
      {self ? (
        <div className="optin">
          <p>
            {isIn
              ? 'You appear on the leaderboard under a random alias; your name is never shown.'
              : 'Join the leaderboard to compare with other drivers. You appear under a random alias, never your name.'}
          </p>
          <button type="button" onClick={() => void toggle.run(!isIn)} disabled={toggle.pending}>
            {isIn ? 'Leave the leaderboard' : 'Join the leaderboard'}
          </button>
          {toggle.error ? <Notice kind="error">{toggle.error.message}</Notice> : null}
        </div>
      ) : null}
      <Loaded load={board} what="the leaderboard" endpoint="GET /v1/leaderboard">
        {(b) =>
          b.entries.length === 0 ? (
            <p className="muted">
              Nobody with at least {b.minDistanceKm} km in the last {b.windowDays} days has joined yet.
            </p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption>
                  Fewest {b.metric}, last {b.windowDays} days ({b.participants} drivers)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Rank</th>
                    <th scope="col">Driver</th>
                    <th scope="col">Events / 100 km</th>
                    <th scope="col">Distance</th>
                  </tr>
                </thead>
                <tbody>
                  {b.entries.map((e) => (
                    <tr key={e.alias} className={e.you ? 'highlight' : ''}>
                      <td>{e.rank}</td>
                      <td>
                        {e.alias}
                        {e.you ? ' (you)' : ''}
                      </td>
                      <td>{num(e.eventsPer100Km, 2)}</td>
                      <td>{num(e.distanceKm, 0)} km</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </>
  );
}

export function AchievementsView({ driverId, self }: { driverId: string; self: boolean }) {
  const load = useApi<AchievementsData>(`/v1/drivers/${encodeURIComponent(driverId)}/achievements`);
  return (
    <Loaded load={load} what="achievements" endpoint="GET /v1/drivers/:id/achievements">
      {(a) => (
        <>
          <p className="muted">
            {a.totals.trips} counted trips, {num(a.totals.distanceKm, 0)} km. Disputed trips and events that
            were accepted do not count.
          </p>
          <Card title="Badges">
            <Badges a={a} />
          </Card>
          <div className="grid">
            <Card title="Streaks">
              <ul className="streaks">
                {a.streaks.map((s) => (
                  <li key={s.id} data-testid="streak">
                    <strong>{s.current}</strong> {s.unit} — {s.label}
                    <span className="muted"> (best {s.best})</span>
                  </li>
                ))}
              </ul>
            </Card>
            <Card title="Tips for you">
              {a.weakest ? (
                <p>
                  Your weakest area: <strong>{a.weakest.label}</strong>.
                </p>
              ) : (
                <p className="muted">{a.weakestNote}</p>
              )}
              <ul className="tips">
                {a.tips.map((t) => (
                  <li key={t.behaviour}>
                    <strong>{t.label}:</strong> {t.text}
                  </li>
                ))}
              </ul>
            </Card>
          </div>
          <Card title="How you compare">
            <Behaviours a={a} />
          </Card>
          <Card title="Leaderboard">
            <Leaderboard driverId={driverId} self={self} optedIn={a.leaderboard.optedIn} />
          </Card>
        </>
      )}
    </Loaded>
  );
}

export function Achievements({ driverId, self }: { driverId: string; self: boolean }) {
  return (
    <Page title="Achievements">
      <AchievementsView driverId={driverId} self={self} />
    </Page>
  );
}
