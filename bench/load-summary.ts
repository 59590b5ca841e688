// What a load run's result means, apart from how it was produced: autocannon's counters turned into
// answers by status code, connection errors and timeouts, each failed request counted once. Pure, so
// bench/load-client.ts (which runs autocannon) and its test share it.

/** The part of autocannon's result (v8) the bench reads. */
export interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  /** Every failed request without an answer; autocannon counts a timeout here too. */
  errors: number;
  timeouts: number;
  /** Answers by status code, e.g. `{ '200': { count: 1180 }, '503': { count: 2 } }`. */
  statusCodeStats?: Record<string, { count: number }>;
}

/** What the load client sends back to bench/run.ts. */
export interface LoadResult {
  readonly requestsPerS: number;
  /** Latency of answered requests only: a request that timed out has none (see `timeouts`). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  /** Requests that did not get a 2xx answer: the sum of the three counts below, each request once. */
  readonly failed: number;
  /** Answers other than 2xx, by status code: the server's own errors (or redirects). */
  readonly non2xx: Readonly<Record<string, number>>;
  /** Connections that failed without an answer and not by the client's timeout (refused, reset). */
  readonly errors: number;
  /** Requests the client gave up on after `timeoutS` without an answer: slowness, not a server error. */
  readonly timeouts: number;
  readonly timeoutS: number;
  readonly durationS: number;
}

/**
 * The load client's result from autocannon's: timeouts taken out of its error count (autocannon
 * counts a timeout as an error as well, so adding the two counted each timeout twice) and non-2xx
 * answers split by status code.
 *
 * @example
 * summarizeLoad(await autocannon(options), wallS, 10).timeouts;
 */
export function summarizeLoad(result: AutocannonResult, durationS: number, timeoutS: number): LoadResult {
  const non2xx: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith('2') && count > 0) non2xx[code] = count;
  }
  const answered = Object.values(non2xx).reduce((sum, n) => sum + n, 0);
  // Without per-code counts the total still says how many answers were not 2xx.
  if (answered < result.non2xx) non2xx.other = result.non2xx - answered;
  const errors = Math.max(0, result.errors - result.timeouts);
  return {
    requestsPerS: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + errors + result.timeouts,
    non2xx,
    errors,
    timeouts: result.timeouts,
    timeoutS,
    durationS,
  };
}

/**
 * The p99 latency of every request sent, as far as it is known: answered requests' p99, unless more
 * than 1% of requests timed out, when the p99 is at least the timeout (unanswered requests have no
 * latency in autocannon's histogram, so its p99 alone would understate the tail).
 *
 * @example
 * p99OfAll(feed64); // { ms: 10_000, atLeast: true } when 2% timed out after 10 s
 */
export function p99OfAll(result: LoadResult): { ms: number; atLeast: boolean } {
  const answered = result.ok + Object.values(result.non2xx).reduce((sum, n) => sum + n, 0);
  const sent = answered + result.errors + result.timeouts;
  if (sent > 0 && result.timeouts / sent > 0.01) return { ms: result.timeoutS * 1000, atLeast: true };
  return { ms: result.p99Ms, atLeast: false };
}

/** "none", or e.g. "503 × 2, timeouts 14 (> 10 s), errors 1": a result's failures, apart. */
export function formatFailures(result: LoadResult): string {
  const parts = Object.entries(result.non2xx).map(([code, n]) => `${code} × ${n}`);
  if (result.timeouts > 0) parts.push(`timeouts ${result.timeouts} (> ${result.timeoutS} s)`);
  if (result.errors > 0) parts.push(`errors ${result.errors}`);
  return parts.join(', ') || 'none';
}
