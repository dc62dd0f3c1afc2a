// The driver's disputes and their status (GET /v1/disputes: a driver sees their own).
import { useApi } from '../../api/hooks.ts';
import { type Dispute, reasonLabel } from '../../api/pricing-types.ts';
import { Link } from '../../router.tsx';
import { dateTime, humanize } from '../../ui/format.ts';
import { Empty, Loaded, Page } from '../../ui/index.tsx';

export function MyDisputes(_: { driverId: string }) {
  const list = useApi<{ items: Dispute[]; nextCursor: string | null }>('/v1/disputes?limit=200');
  return (
    <Page title="Your disputes">
      <p className="muted">
        Dispute a trip or an event from the trip's page. Staff review each one; an accepted dispute stops the
        trip or event from counting and your premium is recalculated.
      </p>
      <Loaded load={list} what="your disputes" endpoint="GET /v1/disputes">
        {(d) =>
          d.items.length === 0 ? (
            <Empty>You have not disputed anything.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Filed</th>
                    <th scope="col">What</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Status</th>
                    <th scope="col">Decision note</th>
                  </tr>
                </thead>
                <tbody>
                  {[...d.items].reverse().map((x) => (
                    <tr key={x.id} data-testid="dispute-row">
                      <td>{dateTime(x.createdAtMs)}</td>
                      <td>
                        <Link to={`/trips/${encodeURIComponent(x.tripId)}`}>
                          {x.eventId ? 'An event' : 'A trip'}
                        </Link>
                      </td>
                      <td>{reasonLabel(x.reason)}</td>
                      <td>
                        <span className={`badge ${x.status}`}>{humanize(x.status)}</span>
                      </td>
                      <td>{x.reviewNote ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </Page>
  );
}
