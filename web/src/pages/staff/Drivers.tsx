// The tenant's drivers (GET /v1/drivers; the API audits the read), each linking to their drill-down.
import { useEffect, useState } from 'react';
import { type ApiError, api, qs } from '../../api/client.ts';
import type { Driver, PageOf } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { date } from '../../ui/format.ts';
import { Empty, ErrorBox, Loading, NotAvailable, Page } from '../../ui/index.tsx';

export function Drivers() {
  const [items, setItems] = useState<Driver[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the retry
  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    setItems(null);
    api<PageOf<Driver>>(`/v1/drivers${qs({ limit: 100 })}`, { signal: ctl.signal }).then(
      (p) => {
        setItems(p.items);
        setCursor(p.nextCursor);
      },
      (e: Error) => e.name !== 'AbortError' && setError(e as ApiError),
    );
    return () => ctl.abort();
  }, [tick]);

  async function more() {
    if (!cursor) return;
    setBusy(true);
    try {
      const p = await api<PageOf<Driver>>(`/v1/drivers${qs({ limit: 100, cursor })}`);
      setItems((old) => [...(old ?? []), ...p.items]);
      setCursor(p.nextCursor);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const f = filter.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (d) =>
      !f ||
      d.displayName.toLowerCase().includes(f) ||
      d.id.toLowerCase().includes(f) ||
      (d.externalRef ?? '').toLowerCase().includes(f),
  );
  return (
    <Page title="Drivers">
      <p className="muted">Opening a driver's pages is recorded in the audit log.</p>
      <label className="inline">
        Filter the loaded drivers
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      {error ? (
        error.missing ? (
          <NotAvailable what="Drivers" endpoint="GET /v1/drivers" />
        ) : (
          <ErrorBox error={error} retry={() => setTick((n) => n + 1)} />
        )
      ) : items === null ? (
        <Loading what="drivers" />
      ) : shown.length === 0 ? (
        <Empty>No drivers{f ? ' match' : ''}.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Driver</th>
                <th scope="col">Reference</th>
                <th scope="col">Born</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr key={d.id} data-testid="driver-row">
                  <td>
                    <Link to={`/staff/drivers/${encodeURIComponent(d.id)}`}>{d.displayName}</Link>
                  </td>
                  <td>{d.externalRef ?? '—'}</td>
                  <td>{d.birthYear ?? '—'}</td>
                  <td>{date(d.createdAtMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && !error ? (
        <button type="button" onClick={() => void more()} disabled={busy}>
          {busy ? 'Loading…' : 'Load more drivers'}
        </button>
      ) : null}
    </Page>
  );
}
