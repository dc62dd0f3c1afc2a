// Display formats: money from integer cents, distances, durations, dates (the browser's locale and time zone).
export function money(cents: number | null | undefined, currency = 'EUR'): string {
  if (cents === null || cents === undefined || !Number.isFinite(cents)) return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

export const km = (m: number | null | undefined, digits = 1): string =>
  m === null || m === undefined
    ? '—'
    : `${(m / 1000).toLocaleString(undefined, { maximumFractionDigits: digits })} km`;

export const num = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x)
    ? '—'
    : x.toLocaleString(undefined, { maximumFractionDigits: digits });

export const pct = (share: number | null | undefined, digits = 1): string =>
  share === null || share === undefined
    ? '—'
    : `${(share * 100).toLocaleString(undefined, { maximumFractionDigits: digits })}%`;

export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

export const dateTime = (ms: number): string =>
  new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const date = (ms: number): string =>
  new Date(ms).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** `YYYY-MM-DD` of a local date input → epoch ms of that local midnight. */
export function dayStartMs(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

export const isoDay = (ms: number): string => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

export const humanize = (code: string): string => {
  const s = code.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
};

export const speedKmh = (mps: number | null | undefined): string =>
  mps === null || mps === undefined ? '—' : `${Math.round(mps * 3.6)} km/h`;

/** An amount in cents without a currency (when the answer does not say which). */
export const amount = (cents: number | null | undefined): string =>
  cents === null || cents === undefined
    ? '—'
    : (cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
