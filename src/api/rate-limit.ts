// Token buckets per caller (user, API key, device, or IP for anonymous auth routes). In memory and per process:
// with N API processes behind a balancer a caller gets up to N times the limit; that bounds abuse, it is not a
// quota. Each bucket holds `perMin` tokens (the burst) and refills at perMin per minute.

export interface RateLimitConfig {
  /** Requests a minute per user access token's user; 0: unlimited. */
  userPerMin: number;
  apiKeyPerMin: number;
  /** Unauthenticated auth routes (login, refresh, logout), per client IP. */
  anonymousPerMin: number;
}

export interface RateVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetS: number;
  /** Seconds until one request is allowed (0 when allowed). */
  retryAfterS: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export interface RateLimiter {
  take(key: string): RateVerdict;
  readonly size: number;
}

/** A token-bucket limiter of `perMin` requests a minute per key; `maxKeys` bounds memory (full buckets go first). */
export function createRateLimiter(
  perMin: number,
  now: () => number = Date.now,
  maxKeys = 100_000,
): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const perMs = perMin / 60_000;
  let sweptAtMs = Number.NEGATIVE_INFINITY;
  const refill = (b: Bucket, t: number) => {
    b.tokens = Math.min(perMin, b.tokens + (t - b.atMs) * perMs);
    b.atMs = t;
  };
  function evict(t: number): void {
    // Buckets that refilled completely carry no state: drop them (at most a sweep a second, so a flood of
    // new keys costs O(1) each); otherwise drop the oldest inserted.
    if (t - sweptAtMs >= 1000) {
      sweptAtMs = t;
      for (const [k, b] of buckets) {
        refill(b, t);
        if (b.tokens >= perMin) buckets.delete(k);
      }
    }
    if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
  }
  return {
    get size() {
      return buckets.size;
    },
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) evict(t);
        b = { tokens: perMin, atMs: t };
        buckets.set(key, b);
      } else refill(b, t);
      const allowed = b.tokens >= 1;
      if (allowed) b.tokens -= 1;
      return {
        allowed,
        limit: perMin,
        remaining: Math.floor(b.tokens),
        resetS: Math.ceil((perMin - b.tokens) / perMs / 1000),
        retryAfterS: allowed ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)),
      };
    },
  };
}

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) and Retry-After on refusal. */
export function rateLimitHeaders(v: RateVerdict): Record<string, string> {
  const h: Record<string, string> = {
    'ratelimit-limit': String(v.limit),
    'ratelimit-remaining': String(v.remaining),
    'ratelimit-reset': String(v.resetS),
  };
  if (!v.allowed) h['retry-after'] = String(v.retryAfterS);
  return h;
}

export interface ApiRateLimits {
  user(id: string): RateVerdict | null;
  apiKey(id: string): RateVerdict | null;
  anonymous(ip: string): RateVerdict | null;
}

export function createApiRateLimits(c: RateLimitConfig, now: () => number = Date.now): ApiRateLimits {
  const make = (perMin: number) => (perMin > 0 ? createRateLimiter(perMin, now) : null);
  const users = make(c.userPerMin);
  const keys = make(c.apiKeyPerMin);
  const anon = make(c.anonymousPerMin);
  return {
    user: (id) => users?.take(id) ?? null,
    apiKey: (id) => keys?.take(id) ?? null,
    anonymous: (ip) => anon?.take(ip) ?? null,
  };
}
