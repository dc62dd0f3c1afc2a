// Building blocks every page uses: the page frame, loading / error / not-available states, cards and figures.
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';
import type { Load } from '../api/hooks.ts';

export function Page({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>{title}</h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorBox({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <p>
        <strong>Could not load this.</strong> {error.message}
        {error.status ? ` (${error.status} ${error.code})` : ''}
      </p>
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** The server has no endpoint for this yet: say so plainly, never show made-up content. */
export function NotAvailable({ what, endpoint }: { what: string; endpoint: string }) {
  return (
    <div className="state missing" role="note">
      <p>
        <strong>{what} is not available on this server.</strong> It needs <code>{endpoint}</code>, which this
        server does not provide yet.
      </p>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** Renders a Load: loading, error (with retry), not available, or the data. */
export function Loaded<T>({
  load,
  what,
  endpoint,
  children,
}: {
  load: Load<T> & { reload?: () => void };
  what: string;
  endpoint: string;
  children: (data: T) => ReactNode;
}) {
  switch (load.state) {
    case 'loading':
      return <Loading what={what} />;
    case 'missing':
      return <NotAvailable what={capitalise(what)} endpoint={endpoint} />;
    case 'error':
      return <ErrorBox error={load.error} {...(load.reload ? { retry: load.reload } : {})} />;
    default:
      return <>{children(load.data)}</>;
  }
}

export function Card({
  title,
  children,
  className,
  id,
}: {
  title: string;
  children: ReactNode;
  className?: string;
  id?: string;
}) {
  const hid = id ?? `card-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={hid}>
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}

export function Stat({
  label,
  value,
  note,
  testId,
}: {
  label: string;
  value: ReactNode;
  note?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {note ? <div className="stat-note">{note}</div> : null}
    </div>
  );
}

export function Notice({ kind, children }: { kind: 'ok' | 'error' | 'info'; children: ReactNode }) {
  return (
    <div className={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
