// Data loading for pages: one request per path, cancelled when the page moves on, with explicit states.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from './client.ts';

export type Load<T> =
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'missing'; error: ApiError }
  | { state: 'error'; error: ApiError };

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError
    ? e
    : new ApiError({ status: 0, code: 'client', title: String((e as Error)?.message ?? e) });
}

/** GETs `path` (null: wait). `reload()` fetches again; the old data stays visible while it does. */
export function useApi<T>(path: string | null): Load<T> & { reload: () => void } {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const lastPath = useRef<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the reload trigger
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    // A new path shows loading; a reload of the same path keeps the data on screen.
    if (lastPath.current !== path) setLoad({ state: 'loading' });
    lastPath.current = path;
    api<T>(path, { signal: ctl.signal }).then(
      (data) => setLoad({ state: 'ok', data }),
      (e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        const err = asApiError(e);
        setLoad({ state: err.missing ? 'missing' : 'error', error: err });
      },
    );
    return () => ctl.abort();
  }, [path, tick]);
  return { ...load, reload };
}

/** A POST/PUT/DELETE with its own pending and error state. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setPending(true);
      setError(null);
      try {
        return await fn(...args);
      } catch (e) {
        setError(asApiError(e));
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [fn],
  );
  return { run, pending, error, clearError: () => setError(null) };
}
