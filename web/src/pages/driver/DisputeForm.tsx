// Dispute a trip (passenger, not me, public transport) or an event (wrong limit, evasive manoeuvre):
// POST /v1/disputes. An existing dispute shows its status instead of the form.
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import { useAction } from '../../api/hooks.ts';
import { type Dispute, EVENT_REASONS, reasonLabel, TRIP_REASONS } from '../../api/pricing-types.ts';
import type { EventProps } from '../../api/types.ts';
import { dateTime, humanize } from '../../ui/format.ts';
import { Notice } from '../../ui/index.tsx';

export function DisputeStatus({ disputes }: { disputes: Dispute[] }) {
  if (disputes.length === 0) return null;
  return (
    <ul className="disputes">
      {disputes.map((d) => (
        <li key={d.id} data-testid="dispute-status">
          <span className={`badge ${d.status}`}>{humanize(d.status)}</span> {reasonLabel(d.reason)} — filed{' '}
          {dateTime(d.createdAtMs)}
          {d.resolvedAtMs ? `, decided ${dateTime(d.resolvedAtMs)}` : ''}
          {d.reviewNote ? <q className="note">{d.reviewNote}</q> : null}
        </li>
      ))}
    </ul>
  );
}

export function DisputeForm({
  tripId,
  event,
  existing,
  onFiled,
}: {
  tripId: string;
  event: EventProps | null;
  existing: Dispute | null;
  onFiled: () => void;
}) {
  const reasons = event
    ? EVENT_REASONS.filter(([, , kinds]) => kinds.includes(event.kind)).map(([k, l]) => [k, l] as const)
    : TRIP_REASONS;
  const [reason, setReason] = useState<string>(reasons[0]?.[0] ?? '');
  const [comment, setComment] = useState('');
  const [done, setDone] = useState(false);
  const file = useAction(async () => {
    await api<Dispute>('/v1/disputes', {
      method: 'POST',
      body: {
        ...(event ? { eventId: event.eventId } : { tripId }),
        reason,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      },
    });
    setDone(true);
    onFiled();
  });

  if (existing) return event ? <DisputeStatus disputes={[existing]} /> : null;
  if (event && reasons.length === 0)
    return <p className="muted">Events of this kind ({humanize(event.kind)}) cannot be disputed.</p>;
  if (event?.voided) return <p className="muted">This event already does not count.</p>;
  if (done) return <Notice kind="ok">Dispute filed. You will see the decision here.</Notice>;

  const what = event ? 'event' : 'trip';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void file.run();
  };
  return (
    <form className="dispute" onSubmit={submit} aria-label={`Dispute this ${what}`}>
      {event ? <h3>Dispute this event</h3> : null}
      <fieldset>
        <legend>Why should this {what} not count?</legend>
        {reasons.map(([k, label]) => (
          <label key={k} className="radio">
            <input
              type="radio"
              name={`reason-${what}`}
              value={k}
              checked={reason === k}
              onChange={() => setReason(k)}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <label>
        Anything to add (optional)
        <textarea value={comment} maxLength={2000} rows={2} onChange={(e) => setComment(e.target.value)} />
      </label>
      {file.error ? <Notice kind="error">{file.error.message}</Notice> : null}
      <button type="submit" disabled={file.pending || !reason} data-testid={`dispute-${what}`}>
        {file.pending ? 'Sending…' : `Dispute this ${what}`}
      </button>
    </form>
  );
}
