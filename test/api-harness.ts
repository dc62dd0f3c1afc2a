// The API test app under the name these tests use, and small helpers for tests that wait on background work
// (webhook dispatcher, live hub).
import { startV1TestApp } from '../src/api/v1/testing.ts';

/** The API test app with extra plugin options and setup (see startV1TestApp). */
export const startApiApp = startV1TestApp;

/** Resolves once `check` returns a value other than undefined/false; fails after `timeoutMs` naming `what`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
