// Crash checks: a possible crash was detected; the driver answers "I'm OK", "I need help" or "not a crash"
// (POST /v1/events/:id/crash-response). Staff see the answers, read-only.
import { api } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import { useEffect } from 'react';
import type { CrashCandidate } from '../../api/pricing-types.ts';
import { Link } from '../../router.tsx';
import { dateTime, num } from '../../ui/format.ts';
import { ErrorBox, Loading, Notice } from '../../ui/index.tsx';

const ANSWERS: Array<[NonNullable<CrashCandidate['response']>, string]> = [
  ['ok', "I'm OK"],
  ['need_help', 'I need help'],
  ['not_crash', 'Not a crash'],
];
const answerLabel = (r: string) => ANSWERS.find(([k]) => k === r)?.[1] ?? r;

export function CrashChecks({
  driverId,
  canAnswer,
  base = '',
  refresh = 0,
}: {
  driverId: string;
  canAnswer: boolean;
  base?: string;
  /** Changing it reloads the list (a live crash.detected). */
  refresh?: number;
}) {
  const list = useApi<{ items: CrashCandidate[] }>(
    `/v1/drivers/${encodeURIComponent(driverId)}/crash-candidates`,
  );
  const { reload } = list;
  useEffect(() => {
    if (refresh) reload();
  }, [refresh, reload]);
  const answer = useAction(async (eventId: string, response: string) => {
    await api(`/v1/events/${encodeURIComponent(eventId)}/crash-response`, {
      method: 'POST',
      body: { response },
    });
    list.reload();
  });

  if (list.state === 'loading') return canAnswer ? null : <Loading what="crash checks" />;
  if (list.state === 'missing') return null;
  if (list.state === 'error') return <ErrorBox error={list.error} retry={list.reload} />;
  const items = list.data.items;
  if (items.length === 0)
    return canAnswer ? null : <p className="muted">No crash candidates in the last 30 days.</p>;
  const pending = items.filter((c) => c.response === null);
  return (
    <section className={`crash ${pending.length && canAnswer ? 'urgent' : ''}`} aria-labelledby="crash-h">
      <h2 id="crash-h">{pending.length ? 'Were you in a crash?' : 'Crash checks'}</h2>
      {answer.error ? <Notice kind="error">{answer.error.message}</Notice> : null}
      <ul>
        {items.map((c) => (
          <li key={c.eventId}>
            <p>
              Possible crash at {dateTime(c.atMs)} (peak {num(c.peakMps2, 1)} m/s²) —{' '}
              <Link to={`${base}/trips/${encodeURIComponent(c.tripId)}`}>see the trip</Link>.{' '}
              {c.response ? <strong>Your answer: {answerLabel(c.response)}.</strong> : null}
            </p>
            {canAnswer ? (
              <fieldset className="actions">
                <legend className="sr-only">Answer the crash check of {dateTime(c.atMs)}</legend>
                {ANSWERS.map(([k, label]) => (
                  <button
                    key={k}
                    type="button"
                    className={k === 'need_help' ? 'danger' : ''}
                    aria-pressed={c.response === k}
                    disabled={answer.pending}
                    onClick={() => void answer.run(c.eventId, k)}
                  >
                    {label}
                  </button>
                ))}
              </fieldset>
            ) : null}
          </li>
        ))}
      </ul>
      {pending.length && canAnswer ? (
        <p className="muted">If you need help now, call the emergency number (112 in Europe) first.</p>
      ) : null}
    </section>
  );
}
