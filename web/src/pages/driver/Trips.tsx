// Trips, newest first, with a date-range filter and "load more" (GET /v1/trips, cursor-paginated).
import { type FormEvent, useEffect, useState } from 'react';
import { type ApiError, api, qs } from '../../api/client.ts';
import type { PageOf, Trip } from '../../api/types.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { dateTime, dayStartMs, duration, humanize, km } from '../../ui/format.ts';
import { Empty, ErrorBox, Loading, NotAvailable, Page } from '../../ui/index.tsx';

const DAY_MS = 86_400_000;

export function TripsTable({ trips, base, caption }: { trips: Trip[]; base: string; caption: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Distance</th>
            <th scope="col">Mode</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {trips.map((t) => (
            <tr key={t.id}>
              <td>
                <Link to={`${base}/trips/${encodeURIComponent(t.id)}`}>{dateTime(t.startMs)}</Link>
              </td>
              <td>{duration(t.durationMs)}</td>
              <td>{km(t.distanceM)}</td>
              <td>{humanize(t.mode)}</td>
              <td>{humanize(t.status)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The trips list; `base` is '' for a driver, '/staff/drivers/:id' for staff drilling into one driver. */
export function TripsList({ driverId, base }: { driverId: string; base: string }) {
  const { query } = useLocation();
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  const [items, setItems] = useState<Trip[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [tick, setTick] = useState(0);

  const fromMs = from ? dayStartMs(from) : null;
  const toMs = to ? dayStartMs(to) : null;
  const badRange = fromMs !== null && toMs !== null && fromMs > toMs;
  const path = (c: string | null) =>
    `/v1/trips${qs({ driverId, from: fromMs, to: toMs !== null ? toMs + DAY_MS : null, limit: 25, cursor: c })}`;

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the filter or retry changes
  useEffect(() => {
    if (badRange) return;
    const ctl = new AbortController();
    setItems(null);
    setError(null);
    api<PageOf<Trip>>(path(null), { signal: ctl.signal }).then(
      (p) => {
        setItems(p.items);
        setCursor(p.nextCursor);
      },
      (e: Error) => e.name !== 'AbortError' && setError(e as ApiError),
    );
    return () => ctl.abort();
  }, [driverId, from, to, tick]);

  async function more() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const p = await api<PageOf<Trip>>(path(cursor));
      setItems((old) => [...(old ?? []), ...p.items]);
      setCursor(p.nextCursor);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setLoadingMore(false);
    }
  }

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    navigate(`${base}/trips${qs({ from: String(f.get('from') ?? ''), to: String(f.get('to') ?? '') })}`);
  }

  return (
    <>
      <form className="filters" onSubmit={apply} aria-label="Filter trips by date">
        <label>
          From
          <input type="date" name="from" defaultValue={from} key={`from-${from}`} />
        </label>
        <label>
          To (inclusive)
          <input type="date" name="to" defaultValue={to} key={`to-${to}`} />
        </label>
        <button type="submit">Apply</button>
        {from || to ? (
          <button type="button" onClick={() => navigate(`${base}/trips`)}>
            Clear
          </button>
        ) : null}
      </form>
      {badRange ? (
        <p className="form-error" role="alert">
          The start date is after the end date.
        </p>
      ) : error ? (
        error.missing ? (
          <NotAvailable what="Trips" endpoint="GET /v1/trips" />
        ) : (
          <ErrorBox error={error} retry={() => setTick((n) => n + 1)} />
        )
      ) : items === null ? (
        <Loading what="trips" />
      ) : items.length === 0 ? (
        <Empty>No trips {from || to ? 'in this date range' : 'yet'}.</Empty>
      ) : (
        <>
          <TripsTable trips={items} base={base} caption="Trips, newest first" />
          {cursor ? (
            <button type="button" onClick={() => void more()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Load more trips'}
            </button>
          ) : null}
        </>
      )}
    </>
  );
}

export function Trips({ driverId, base }: { driverId: string; base: string }) {
  return (
    <Page title="Trips">
      <TripsList driverId={driverId} base={base} />
    </Page>
  );
}
