// The API client: the access token lives in memory only; the refresh token in sessionStorage (this tab), rotated on
// every refresh. One refresh at a time: presenting a used refresh token twice would revoke the whole session.
export interface Problem {
  status: number;
  code: string;
  title: string;
}

/** An error answered by the API (problem+json), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(p: Problem) {
    super(p.title);
    this.name = 'ApiError';
    this.status = p.status;
    this.code = p.code;
  }
  /** The server has no such route: the feature is not available on this server (yet). */
  get missing(): boolean {
    return this.status === 404 && this.code === 'route_not_found';
  }
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresInS: number;
}

const REFRESH_KEY = 'openubi.refreshToken';
let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

function store(t: Tokens | null): void {
  accessToken = t?.accessToken ?? null;
  try {
    if (t) sessionStorage.setItem(REFRESH_KEY, t.refreshToken);
    else sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // Storage can be disabled; the session then lasts as long as the page.
  }
  for (const l of listeners) l(t !== null);
}

const storedRefresh = (): string | null => {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
};

export function onSessionChange(l: (signedIn: boolean) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const j = JSON.parse(text) as Partial<Problem> & { message?: string };
    return {
      status: res.status,
      code: j.code ?? 'error',
      title: j.title ?? j.message ?? `${res.status} ${res.statusText}`,
    };
  } catch {
    return { status: res.status, code: 'error', title: `${res.status} ${res.statusText}` };
  }
}

async function send(
  method: string,
  path: string,
  body: unknown,
  auth: boolean,
  signal?: AbortSignal,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { accept: 'application/json', ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth && accessToken) headers.authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError({
      status: 0,
      code: 'network',
      title: 'the server cannot be reached; check the connection',
    });
  }
}

/** Swaps the refresh token for a new pair; false (and signed out) when the session is over. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const token = storedRefresh();
    if (!token) return false;
    const res = await send('POST', '/v1/auth/refresh', { refreshToken: token }, false).catch(() => null);
    if (!res?.ok) {
      // A network failure keeps the refresh token for the next try; a refusal ends the session.
      if (res) store(null);
      return false;
    }
    store((await res.json()) as Tokens);
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export async function login(tenant: string, email: string, password: string): Promise<void> {
  const res = await send('POST', '/v1/auth/login', { tenant, email, password }, false);
  if (!res.ok) throw new ApiError(await readProblem(res));
  store((await res.json()) as Tokens);
}

export async function logout(): Promise<void> {
  const token = storedRefresh();
  store(null);
  if (token) await send('POST', '/v1/auth/logout', { refreshToken: token }, false).catch(() => null);
}

export const hasSession = (): boolean => accessToken !== null || storedRefresh() !== null;

/**
 * Calls the API as the signed-in user; refreshes the access token once on 401. `raw` answers the Response itself
 * (a stream), `lastEventId` resumes a server-sent event stream.
 */
export async function api<T>(
  path: string,
  opts: {
    method?: string;
    body?: unknown;
    signal?: AbortSignal;
    raw?: boolean;
    lastEventId?: string | null;
  } = {},
): Promise<T> {
  const method = opts.method ?? 'GET';
  const extra: Record<string, string> = opts.lastEventId ? { 'last-event-id': opts.lastEventId } : {};
  if (opts.raw) extra.accept = 'text/event-stream';
  if (!accessToken && storedRefresh()) await refreshSession();
  let res = await send(method, path, opts.body, true, opts.signal, extra);
  if (res.status === 401 && storedRefresh() && (await refreshSession()))
    res = await send(method, path, opts.body, true, opts.signal, extra);
  if (res.status === 401) store(null);
  if (!res.ok) throw new ApiError(await readProblem(res));
  if (opts.raw) return res as T;
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A download (e.g. "download my data") as a Blob with its filename. */
export async function download(path: string): Promise<{ blob: Blob; filename: string }> {
  if (!accessToken && storedRefresh()) await refreshSession();
  let res = await send('GET', path, undefined, true);
  if (res.status === 401 && (await refreshSession())) res = await send('GET', path, undefined, true);
  if (!res.ok) throw new ApiError(await readProblem(res));
  const cd = res.headers.get('content-disposition') ?? '';
  const filename = /filename="?([^";]+)"?/.exec(cd)?.[1] ?? 'openubi-export.json';
  return { blob: await res.blob(), filename };
}

/** Query string from defined values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
