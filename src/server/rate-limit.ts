import type { FastifyInstance } from 'fastify';
import { SetlistError } from '../errors.js';

export interface RateLimitOptions {
  /** Sustained requests per second for one key (or one IP address without a key). */
  requestsPerSecond: number;
  /** Requests that may arrive at once after a quiet period: the bucket's size. */
  burst: number;
  /** Most buckets kept; full (idle) buckets are dropped first when it is reached. */
  maxBuckets?: number;
  /** The clock, in epoch milliseconds; injectable for tests. */
  now?: () => number;
}

export interface TokenBuckets {
  /** Takes one token from `key`'s bucket: 0 if allowed, else the milliseconds until one is free. */
  take(key: string): number;
  readonly size: number;
}

/**
 * Token buckets, refilled lazily on each take: at most `burst` requests at once and
 * `requestsPerSecond` sustained, per key.
 *
 * @example
 * const buckets = createTokenBuckets({ requestsPerSecond: 10, burst: 20 });
 * if (buckets.take('key:feeds') > 0) reply429();
 */
export function createTokenBuckets(options: RateLimitOptions): TokenBuckets {
  const { requestsPerSecond: rate, burst } = options;
  if (!(rate > 0) || !(burst >= 1)) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: 'rate limits need requestsPerSecond > 0 and burst >= 1',
      path: 'rateLimit',
    });
  }
  const now = options.now ?? Date.now;
  const maxBuckets = options.maxBuckets ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (b: { tokens: number; at: number }, t: number): void => {
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
  };
  const evict = (t: number): void => {
    for (const [k, b] of buckets) {
      refill(b, t);
      if (b.tokens >= burst) buckets.delete(k);
    }
    // Still full of active clients: drop the oldest entries rather than grow without bound.
    for (const k of buckets.keys()) {
      if (buckets.size < maxBuckets) break;
      buckets.delete(k);
    }
  };
  return {
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (b === undefined) {
        if (buckets.size >= maxBuckets) evict(t);
        b = { tokens: burst, at: t };
        buckets.set(key, b);
      } else {
        refill(b, t);
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil(((1 - b.tokens) / rate) * 1000);
    },
    get size() {
      return buckets.size;
    },
  };
}

/**
 * Answers 429 SETLIST_ERR_RATE_LIMITED with Retry-After (whole seconds) once a key's (or, without
 * a key, an IP address's) bucket is empty. `/healthz` and `/readyz` are never limited. Install after auth.
 */
export function installRateLimit(app: FastifyInstance, options: RateLimitOptions): TokenBuckets {
  const buckets = createTokenBuckets(options);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === '/healthz' || request.routeOptions.url === '/readyz') return;
    const key = request.apiKey === undefined ? `ip:${request.ip}` : `key:${request.apiKey.name}`;
    const waitMs = buckets.take(key);
    if (waitMs > 0) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
      throw new SetlistError('SETLIST_ERR_RATE_LIMITED', {
        message: `Too many requests ${request.apiKey === undefined ? 'from this address' : 'for this key'}: wait for the number of seconds in Retry-After.`,
      });
    }
  });
  return buckets;
}
