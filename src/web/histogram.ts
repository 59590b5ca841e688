/** Reading latency quantiles out of a Prometheus histogram in the text exposition format. */

export interface Buckets {
  /** Upper bounds in seconds, ascending; the last is Infinity. */
  le: number[];
  /** Cumulative counts per bound. */
  counts: number[];
}

/**
 * The cumulative buckets of one histogram series whose labels include all of `match`, summed over
 * series that match (for example every method of a route). Undefined when no series matches.
 *
 * @example
 * const b = parseHistogram(text, 'setlist_http_request_duration_seconds', { route: '/v1/users/:userId/feed' });
 */
export function parseHistogram(
  text: string,
  name: string,
  match: Record<string, string>,
): Buckets | undefined {
  const byLe = new Map<number, number>();
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const close = line.lastIndexOf('}');
    if (close < 0) continue;
    const labels = parseLabels(line.slice(prefix.length, close));
    if (!Object.entries(match).every(([k, v]) => labels.get(k) === v)) continue;
    const leText = labels.get('le');
    if (leText === undefined) continue;
    const le = leText === '+Inf' ? Number.POSITIVE_INFINITY : Number(leText);
    const value = Number(
      line
        .slice(close + 1)
        .trim()
        .split(/\s+/)[0],
    );
    if (!Number.isFinite(value) || Number.isNaN(le)) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + value);
  }
  if (byLe.size === 0) return undefined;
  const le = [...byLe.keys()].sort((a, b) => a - b);
  return { le, counts: le.map((b) => byLe.get(b) ?? 0) };
}

function parseLabels(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    labels.set(
      m[1]!,
      m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)),
    );
  }
  return labels;
}

/** The observations added between two readings of the same histogram. */
export function subtractBuckets(later: Buckets, earlier: Buckets | undefined): Buckets {
  if (earlier === undefined || earlier.le.length !== later.le.length) return later;
  return { le: later.le, counts: later.counts.map((c, k) => Math.max(0, c - (earlier.counts[k] ?? 0))) };
}

/**
 * The q-quantile in seconds, interpolated linearly inside the bucket that holds it (as Prometheus'
 * histogram_quantile does); undefined when the histogram is empty. Above the last finite bound the
 * answer is that bound.
 */
export function quantile(buckets: Buckets, q: number): number | undefined {
  const total = buckets.counts[buckets.counts.length - 1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  for (let k = 0; k < buckets.le.length; k++) {
    const count = buckets.counts[k]!;
    if (count < rank) continue;
    const upper = buckets.le[k]!;
    const lower = k === 0 ? 0 : buckets.le[k - 1]!;
    if (upper === Number.POSITIVE_INFINITY) return lower;
    const below = k === 0 ? 0 : buckets.counts[k - 1]!;
    const inBucket = count - below;
    return inBucket <= 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
  }
  return undefined;
}
