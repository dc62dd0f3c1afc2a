// Privacy: consents per purpose (GET/PUT /v1/drivers/:id/consents), download my data (GET …/export) and delete
// my data (DELETE /v1/drivers/:id), each from the API.
import { type FormEvent, useState } from 'react';
import { api, download } from '../../api/client.ts';
import { useAction, useApi } from '../../api/hooks.ts';
import { useAuth } from '../../auth.tsx';
import { dateTime } from '../../ui/format.ts';
import { Card, Loaded, Notice, Page } from '../../ui/index.tsx';

interface Consent {
  purpose: string;
  granted: boolean;
  updatedAtMs: number | null;
}

const PURPOSES: Record<string, [string, string]> = {
  telematics_scoring: ['Score my driving', 'Use my trips to compute my safety score and telematics price.'],
  marketing: ['Offers', 'Send me offers from my insurer.'],
  leaderboard: ['Leaderboard', 'Show me on the anonymised leaderboard under a random alias.'],
  research: ['Research', 'Use my anonymised driving to improve road-safety research.'],
};

function Consents({ driverId }: { driverId: string }) {
  const path = `/v1/drivers/${encodeURIComponent(driverId)}/consents`;
  const load = useApi<{ items: Consent[] }>(path);
  const save = useAction(async (purpose: string, granted: boolean) => {
    await api(path, { method: 'PUT', body: { consents: { [purpose]: granted } } });
    load.reload();
  });
  return (
    <Loaded load={load} what="your consents" endpoint="GET /v1/drivers/:id/consents">
      {(d) => (
        <fieldset className="consents">
          <legend>What you allow</legend>
          {d.items.map((c) => {
            const [label, help] = PURPOSES[c.purpose] ?? [c.purpose, ''];
            return (
              <label key={c.purpose} className="check">
                <input
                  type="checkbox"
                  checked={c.granted}
                  disabled={save.pending}
                  onChange={(e) => void save.run(c.purpose, e.target.checked)}
                  aria-describedby={`consent-${c.purpose}`}
                />
                <span>
                  <strong>{label}</strong>
                  <span id={`consent-${c.purpose}`} className="muted">
                    {' '}
                    {help} {c.updatedAtMs ? `(changed ${dateTime(c.updatedAtMs)})` : '(never answered)'}
                  </span>
                </span>
              </label>
            );
          })}
          {save.error ? <Notice kind="error">{save.error.message}</Notice> : null}
        </fieldset>
      )}
    </Loaded>
  );
}

function Export({ driverId }: { driverId: string }) {
  const [done, setDone] = useState(false);
  const get = useAction(async () => {
    const { blob, filename } = await download(`/v1/drivers/${encodeURIComponent(driverId)}/export`);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setDone(true);
  });
  return (
    <>
      <p>
        A JSON file with everything we hold about you: trips, events, devices, policies, quotes and who read
        them.
      </p>
      <button type="button" onClick={() => void get.run()} disabled={get.pending}>
        {get.pending ? 'Preparing…' : 'Download my data'}
      </button>
      {done ? <Notice kind="ok">Your data was downloaded.</Notice> : null}
      {get.error ? (
        <Notice kind="error">
          {get.error.missing ? 'Export is not available on this server.' : get.error.message}
        </Notice>
      ) : null}
    </>
  );
}

function Erase({ driverId }: { driverId: string }) {
  const { logout } = useAuth();
  const [typed, setTyped] = useState('');
  const erase = useAction(async () => {
    await api(`/v1/drivers/${encodeURIComponent(driverId)}`, { method: 'DELETE' });
    await logout();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed === 'DELETE') void erase.run();
  };
  return (
    <form onSubmit={submit}>
      <p>
        Deletes you, your trips, events, devices, policies and sign-in for good. It cannot be undone; your
        policy ends with it.
      </p>
      <label>
        Type DELETE to confirm
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </label>
      <button type="submit" className="danger" disabled={typed !== 'DELETE' || erase.pending}>
        {erase.pending ? 'Deleting…' : 'Delete my data'}
      </button>
      {erase.error ? <Notice kind="error">{erase.error.message}</Notice> : null}
    </form>
  );
}

export function Privacy({ driverId }: { driverId: string }) {
  return (
    <Page title="Privacy">
      <Card title="Consents">
        <Consents driverId={driverId} />
      </Card>
      <Card title="Download my data">
        <Export driverId={driverId} />
      </Card>
      <Card title="Delete my data" className="danger-zone">
        <Erase driverId={driverId} />
      </Card>
    </Page>
  );
}
