// The disputes queue: open disputes oldest first, each with its evidence, accepted or rejected with a note
// (GET /v1/disputes?status=…, GET /v1/disputes/:id, POST /v1/disputes/:id/resolve).
import { type FormEvent, useState } from 'react';
import { api, qs } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import { type Dispute, reasonLabel } from '../../api/pricing-types.ts';
import type { Evidence } from '../../api/types.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { amount, dateTime, duration, humanize, km } from '../../ui/format.ts';
import { Card, Empty, Loaded, Notice, Page } from '../../ui/index.tsx';
import { Plots } from '../driver/Evidence.tsx';

interface DisputeDetail extends Dispute {
  evidence: {
    trip: {
      id: string;
      startMs: number;
      distanceM: number;
      durationMs: number;
      mode: string;
      counted: boolean;
    } | null;
    event: (Evidence & { id: string }) | null;
  };
}

interface Resolved extends Dispute {
  premium: { beforeCents: number | null; afterCents: number; quoteId: string } | null;
}

const STATUSES = ['open', 'accepted', 'rejected'] as const;

function Resolve({ d, onDone }: { d: DisputeDetail; onDone: (r: Resolved) => void }) {
  const [decision, setDecision] = useState<'accept' | 'reject'>('accept');
  const [note, setNote] = useState('');
  const act = useAction(async () => {
    const r = await api<Resolved>(`/v1/disputes/${encodeURIComponent(d.id)}/resolve`, {
      method: 'POST',
      body: { decision, note: note.trim() },
    });
    onDone(r);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (note.trim()) void act.run();
  };
  return (
    <form onSubmit={submit} aria-label="Decide this dispute">
      <fieldset>
        <legend>Decision</legend>
        <label className="radio">
          <input
            type="radio"
            name="decision"
            checked={decision === 'accept'}
            onChange={() => setDecision('accept')}
          />
          Accept: the {d.eventId ? 'event' : 'trip'} stops counting and the premium is recalculated
        </label>
        <label className="radio">
          <input
            type="radio"
            name="decision"
            checked={decision === 'reject'}
            onChange={() => setDecision('reject')}
          />
          Reject
        </label>
      </fieldset>
      <label>
        Note to the driver (required)
        <textarea value={note} onChange={(e) => setNote(e.target.value)} required maxLength={2000} rows={2} />
      </label>
      {act.error ? <Notice kind="error">{act.error.message}</Notice> : null}
      <button type="submit" className="primary" disabled={act.pending || !note.trim()} data-testid="resolve">
        {act.pending ? 'Saving…' : 'Save decision'}
      </button>
    </form>
  );
}

function Detail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const load = useApi<DisputeDetail>(`/v1/disputes/${encodeURIComponent(id)}`);
  const [result, setResult] = useState<Resolved | null>(null);
  return (
    <Loaded load={load} what="the dispute" endpoint="GET /v1/disputes/:id">
      {(d) => {
        const t = d.evidence.trip;
        const driverBase = `/staff/drivers/${encodeURIComponent(d.driverId)}`;
        return (
          <div data-testid="dispute-detail">
            <p>
              <strong>{reasonLabel(d.reason)}</strong> — {d.eventId ? 'an event' : 'a whole trip'}, filed{' '}
              {dateTime(d.createdAtMs)} by <Link to={driverBase}>driver {d.driverId}</Link>.
            </p>
            {d.comment ? <blockquote>{d.comment}</blockquote> : null}
            {t ? (
              <p>
                Trip <Link to={`${driverBase}/trips/${encodeURIComponent(t.id)}`}>{dateTime(t.startMs)}</Link>
                : {km(t.distanceM)}, {duration(t.durationMs)}, {humanize(t.mode)}
                {t.counted ? '' : ' (not counted)'}.
              </p>
            ) : null}
            {d.evidence.event ? <Plots e={d.evidence.event} /> : null}
            {result ? (
              <Notice kind="ok">
                Dispute {humanize(result.status)}.
                {result.premium
                  ? ` Premium ${amount(result.premium.beforeCents)} → ${amount(result.premium.afterCents)}.`
                  : ' The premium did not change.'}
              </Notice>
            ) : d.status === 'open' ? (
              <Resolve
                d={d}
                onDone={(r) => {
                  setResult(r);
                  onChanged();
                }}
              />
            ) : (
              <p>
                <span className={`badge ${d.status}`}>{humanize(d.status)}</span> {d.reviewNote}
              </p>
            )}
          </div>
        );
      }}
    </Loaded>
  );
}

export function DisputeQueue() {
  const { query } = useLocation();
  const status = (STATUSES as readonly string[]).includes(query.get('status') ?? '')
    ? query.get('status')!
    : 'open';
  const selected = query.get('id');
  const list = useApi<{ items: Dispute[]; nextCursor: string | null }>(
    `/v1/disputes${qs({ status, limit: 200 })}`,
  );
  const go = (p: Record<string, string | null>) =>
    navigate(`/staff/disputes${qs({ status, id: selected, ...p })}`);
  return (
    <Page title="Disputes">
      <fieldset className="filters">
        <legend className="sr-only">Show disputes</legend>
        {STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={s === status}
            onClick={() => go({ status: s, id: null })}
          >
            {humanize(s)}
          </button>
        ))}
      </fieldset>
      <div className="split">
        <Card title={`${humanize(status)} disputes`}>
          <Loaded load={list} what="disputes" endpoint="GET /v1/disputes">
            {(l) =>
              l.items.length === 0 ? (
                <Empty>No {status} disputes.</Empty>
              ) : (
                <ul className="queue">
                  {l.items.map((d) => (
                    <li key={d.id}>
                      <button
                        type="button"
                        aria-pressed={d.id === selected}
                        onClick={() => go({ id: d.id })}
                        data-testid="queue-item"
                      >
                        {reasonLabel(d.reason)} · {d.eventId ? 'event' : 'trip'} · {dateTime(d.createdAtMs)}
                      </button>
                    </li>
                  ))}
                </ul>
              )
            }
          </Loaded>
        </Card>
        <Card title="Evidence and decision">
          {selected ? (
            <Detail key={selected} id={selected} onChanged={list.reload} />
          ) : (
            <p className="muted">Choose a dispute to see its evidence.</p>
          )}
        </Card>
      </div>
    </Page>
  );
}
