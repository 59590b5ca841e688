import { Growable } from './growable.js';
import { topKOf } from './top-k.js';

/** Counters are stored relative to a reference time and rebased before 2^x could overflow. */
const REBASE_HALF_LIVES = 200;

export interface TrendHorizons {
  /** Half-life of the short ("now") counter. */
  shortHalfLifeMs: number;
  /** Half-life of the long ("usual") counter: the key's own baseline. */
  longHalfLifeMs: number;
}

/**
 * Exponentially decayed counts per dense key at two half-lives, updated online. Values are kept
 * relative to a reference time so an update costs O(1) and nothing decays in the background.
 *
 * @example
 * const c = new DecayedCounters({ shortHalfLifeMs: 3_600_000, longHalfLifeMs: 86_400_000 });
 * c.add(0, 1, t);
 * c.shortAt(0, t + 3_600_000); // 0.5
 */
export class DecayedCounters {
  readonly horizons: Readonly<TrendHorizons>;
  private readonly short = new Growable(Float64Array);
  private readonly long = new Growable(Float64Array);
  private readonly firstAt = new Growable(Float64Array, Number.NaN);
  private refMs = Number.NaN;
  private size = 0;

  constructor(horizons: TrendHorizons) {
    this.horizons = { ...horizons };
  }

  /** One more than the largest key ever added. */
  get keyCount(): number {
    return this.size;
  }

  add(key: number, amount: number, atMs: number): void {
    if (Number.isNaN(this.refMs)) this.refMs = atMs;
    const { shortHalfLifeMs: hs, longHalfLifeMs: hl } = this.horizons;
    if ((atMs - this.refMs) / Math.min(hs, hl) > REBASE_HALF_LIVES) this.rebase(atMs);
    this.short.add(key, amount * 2 ** ((atMs - this.refMs) / hs));
    this.long.add(key, amount * 2 ** ((atMs - this.refMs) / hl));
    if (key >= this.size) this.size = key + 1;
    if (Number.isNaN(this.firstAt.get(key))) this.firstAt.set(key, atMs);
  }

  /** How long `key` has been counted at `nowMs`: Infinity if never. */
  ageAt(key: number, nowMs: number): number {
    const first = this.firstAt.get(key);
    return Number.isNaN(first) ? Number.POSITIVE_INFINITY : nowMs - first;
  }

  /** The short-horizon count of `key` at `nowMs`. */
  shortAt(key: number, nowMs: number): number {
    if (Number.isNaN(this.refMs)) return 0;
    return this.short.get(key) * 2 ** ((this.refMs - nowMs) / this.horizons.shortHalfLifeMs);
  }

  /**
   * Calls `visit(key, shortAt(key, nowMs))` for every key whose short-horizon count at `nowMs` is at
   * least `min`, in key order: one multiplication per key (the decay to `nowMs` is the same factor for
   * all), where calling {@link shortAt} per key takes a power each.
   */
  forEachShortAtLeast(min: number, nowMs: number, visit: (key: number, short: number) => void): void {
    const size = this.size;
    if (Number.isNaN(this.refMs)) {
      if (0 >= min) for (let key = 0; key < size; key++) visit(key, 0);
      return;
    }
    const factor = 2 ** ((this.refMs - nowMs) / this.horizons.shortHalfLifeMs);
    const data = this.short.data;
    const stored = Math.min(size, data.length);
    for (let key = 0; key < stored; key++) {
      const s = data[key]! * factor;
      if (s >= min) visit(key, s);
    }
    // Keys past the stored values count 0 (the Growable's fill).
    if (0 >= min) for (let key = stored; key < size; key++) visit(key, 0);
  }

  /** The long-horizon count of `key` at `nowMs`. */
  longAt(key: number, nowMs: number): number {
    if (Number.isNaN(this.refMs)) return 0;
    return this.long.get(key) * 2 ** ((this.refMs - nowMs) / this.horizons.longHalfLifeMs);
  }

  private rebase(atMs: number): void {
    const fs = 2 ** ((this.refMs - atMs) / this.horizons.shortHalfLifeMs);
    const fl = 2 ** ((this.refMs - atMs) / this.horizons.longHalfLifeMs);
    const s = this.short.data;
    const l = this.long.data;
    for (let k = 0; k < s.length; k++) s[k] = s[k]! * fs;
    for (let k = 0; k < l.length; k++) l[k] = l[k]! * fl;
    this.refMs = atMs;
  }
}

export interface TrendRule extends TrendHorizons {
  /** A key trends only with at least this much short-horizon support (distinct users, decayed). */
  minSupport: number;
  /** ... and when its short-horizon rate is at least this many times its own baseline rate. */
  minVelocity: number;
  /** Pseudo-count added to both rates so a key with almost no history cannot divide by zero. */
  pseudoCount: number;
  /** A key counted for less than this has no baseline yet: all its support counts as rising. */
  youngMs: number;
}

export interface Trend {
  key: number;
  /** Short-horizon support above what the key's own baseline predicts. */
  score: number;
  /** Short-horizon rate over the baseline rate; 1 is steady, larger is rising. */
  velocity: number;
}

/**
 * How a key's short and long counts compare. At a steady rate r, after counting for a time t, a
 * count with half-life h holds r·h/ln 2·(1 − 2^(−t/h)); so the key's own history predicts the short
 * count from the long one, also while the long counter is still filling up (a young platform). A key
 * younger than `youngMs` has no baseline: it is predicted at the fully-filled ratio, so a new item's
 * first audience counts as a rise. Velocity is observed over predicted (smoothed); score the excess.
 *
 * @example
 * trendOf(10, 10, { shortHalfLifeMs: 1, longHalfLifeMs: 24, minSupport: 3, minVelocity: 1.5, pseudoCount: 1, youngMs: 2 });
 * // { score: 9.58…, velocity: 7.8 }: ten users just arrived, the item had no history before.
 */
export function trendOf(
  shortCount: number,
  longCount: number,
  rule: TrendRule,
  ageMs = Number.POSITIVE_INFINITY,
): Omit<Trend, 'key'> {
  const hs = rule.shortHalfLifeMs;
  const hl = rule.longHalfLifeMs;
  const ratio =
    ageMs < rule.youngMs ? hs / hl : (hs * (1 - 2 ** (-ageMs / hs))) / (hl * (1 - 2 ** (-ageMs / hl)));
  const expected = longCount * ratio;
  const velocity = (shortCount + rule.pseudoCount) / (expected + rule.pseudoCount);
  return { score: shortCount - expected, velocity };
}

/**
 * The `n` keys rising the most at `nowMs`: enough support, velocity at least `minVelocity`, ranked by
 * how surprising the rise is against the key's own baseline (excess over the square root of the
 * expected count, as for a Poisson count; times `weightOf(key)` when given), so a key with little
 * baseline and a strong start (a new item) is not outranked by a big one merely rising in bulk.
 * Each trend reports the plain excess as its score. Keys for which `skip(key)` is true are left out.
 *
 * @example
 * rankTrends(counters, 20, Date.now(), rule, (item) => hidden(item));
 */
export function rankTrends(
  counters: DecayedCounters,
  n: number,
  nowMs: number,
  rule: TrendRule,
  skip?: (key: number) => boolean,
  weightOf?: (key: number) => number,
): Trend[] {
  const eligible: number[] = [];
  const scores = new Map<number, Omit<Trend, 'key'>>();
  const rank = new Map<number, number>();
  counters.forEachShortAtLeast(rule.minSupport, nowMs, (key, s) => {
    if (skip?.(key)) return;
    const t = trendOf(s, counters.longAt(key, nowMs), rule, counters.ageAt(key, nowMs));
    if (t.velocity < rule.minVelocity || !(t.score > 0)) return;
    eligible.push(key);
    const weight = weightOf === undefined ? 1 : weightOf(key);
    scores.set(key, { ...t, score: t.score * weight });
    const expected = s - t.score;
    rank.set(key, (t.score * weight) / Math.sqrt(expected + rule.pseudoCount));
  });
  const top = topKOf(eligible, n, (key) => rank.get(key)!);
  return Array.from(top, (key) => ({ key, ...scores.get(key)! }));
}
