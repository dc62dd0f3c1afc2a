// HTTP with the retry discipline the ingest gateway asks for: on 429 / 503 wait as long as Retry-After says
// (or back off exponentially with jitter), retry network errors the same way, give up after maxAttempts.

export interface RetryOptions {
  maxAttempts?: number;
  /** First back-off when the server names no delay, ms (doubles each attempt, capped at maxDelayMs). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait, for progress output. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface HttpResult {
  status: number;
  body: string;
  attempts: number;
}

const sleepReal = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | null {
  if (!header) return null;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const t = Date.parse(header);
  return Number.isFinite(t) ? Math.max(0, t - nowMs) : null;
}

export async function requestWithRetry(
  url: string,
  init: RequestInit,
  opts: RetryOptions = {},
): Promise<HttpResult> {
  const max = opts.maxAttempts ?? 8;
  const base = opts.baseDelayMs ?? 500;
  const cap = opts.maxDelayMs ?? 30_000;
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? sleepReal;
  let lastReason = '';
  for (let attempt = 1; attempt <= max; attempt++) {
    let delay: number | null = null;
    try {
      const res = await doFetch(url, init);
      const body = await res.text();
      if (res.status !== 429 && res.status !== 503) return { status: res.status, body, attempts: attempt };
      lastReason = `HTTP ${res.status}`;
      delay = retryAfterMs(res.headers.get('retry-after'));
    } catch (e) {
      lastReason = (e as Error).message;
    }
    if (attempt === max) break;
    const backoff = Math.min(cap, base * 2 ** (attempt - 1)) * (0.75 + 0.5 * Math.random());
    const wait = Math.min(cap, delay ?? backoff);
    opts.onRetry?.({ attempt, delayMs: wait, reason: lastReason });
    await sleep(wait);
  }
  throw new Error(`gave up after ${max} attempts: ${lastReason}`);
}
