// Tells an outage (database restarting, connection refused or cut) from a fault of the data being processed:
// the first is waited out and answered with 503 + Retry-After, only the second may dead-letter a batch.

const TRANSIENT_SQLSTATE = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, in recovery)
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

const TRANSIENT_MESSAGE =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery)|terminating connection/i;

export function isTransientDbError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as Error & { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || TRANSIENT_SQLSTATE.has(code)) return true;
    if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(code)) return true;
  }
  if (TRANSIENT_MESSAGE.test(e.message)) return true;
  // AggregateError (several addresses refused) and wrapped causes.
  const inner = (e as Error & { errors?: unknown[]; cause?: unknown }).errors ?? [];
  const cause = (e as Error & { cause?: unknown }).cause;
  return [...inner, ...(cause ? [cause] : [])].some(isTransientDbError);
}
