import { decay } from '../core/event-weight.js';
import { PairTimes } from '../core/pair-times.js';
import { DecayedCounters, rankTrends, type TrendRule } from '../core/trends.js';
import type { ItemRecord } from '../types.js';
import type { EngineConfig } from './config.js';
import { IdIndex } from './id-index.js';
import { prefersChinese, type ReasonLanguage } from './reasons.js';

export interface TrendingItem {
  itemId: string;
  /** Distinct engaged users (decayed) above what the item's own baseline predicts. */
  score: number;
  /** Short-horizon rate over the item's baseline rate: 1 is steady, larger is rising. */
  velocity: number;
  reason: string;
}

export interface TrendingTag {
  tag: string;
  score: number;
  velocity: number;
}

export interface Trending {
  items: TrendingItem[];
  tags: TrendingTag[];
}

/** What the tracker needs of the catalogue; OnlineState provides it. */
export interface TrendCatalogue {
  readonly items: { id(index: number): string };
  readonly records: readonly (ItemRecord | undefined)[];
  readonly itemsByTag: ReadonlyMap<string, ReadonlySet<number>>;
  isServable(i: number): boolean;
}

/** An item raises its tags while its short-horizon count is at least this (half a vote). */
const RAISING_SHORT = 0.5;
/** Items of a tag looked at to tell whether only hidden ones raise it. */
const TAG_SCAN_LIMIT = 10_000;
/** Below this engagement weight (a view under half watched) an event is not a vote for a trend. */
const MIN_ENGAGEMENT = 0.5;

/**
 * Rising items and tags. Engagement is counted at two half-lives per item and per tag; a user counts
 * at most once per item and per tag within `userCooldownMs`, and only in proportion to the history
 * they had before (an account's first `trustItems` items earn it its vote), so neither one account
 * repeating events nor a burst of brand-new accounts makes a trend.
 *
 * @example
 * const trends = new TrendTracker(config.trends);
 * trends.observe(user, item, ['cats'], 1, 12, at);
 * trends.trending(state, 20, now);
 */
export class TrendTracker {
  readonly items: DecayedCounters;
  readonly tagCounters: DecayedCounters;
  readonly tags = new IdIndex();
  private readonly rule: TrendRule;
  private readonly cooldownMs: number;
  private readonly trustItems: number;
  private readonly newItemBoost: number;
  private readonly newItemHalfLifeMs: number;
  /** (user, tag) -> when the user last counted for it (items: kept by the caller, see `observe`). */
  private readonly credited = new PairTimes();
  /** The latest event time counted: credits older than a cooldown before it can be dropped. */
  private latestMs = Number.NEGATIVE_INFINITY;

  constructor(config: EngineConfig['trends']) {
    const horizons = { shortHalfLifeMs: config.shortHalfLifeMs, longHalfLifeMs: config.longHalfLifeMs };
    this.items = new DecayedCounters(horizons);
    this.tagCounters = new DecayedCounters(horizons);
    this.rule = {
      ...horizons,
      minSupport: config.minSupport,
      minVelocity: config.minVelocity,
      pseudoCount: 1,
      youngMs: config.youngMs,
    };
    this.cooldownMs = config.userCooldownMs;
    this.trustItems = config.trustItems;
    this.newItemBoost = config.newItemBoost;
    this.newItemHalfLifeMs = config.newItemHalfLifeMs;
  }

  /**
   * Counts one event of user `u` on item `i`. `weight` is the event's engagement weight and
   * `priorItems` how many distinct items the user had engaged with before this event;
   * `itemCreditedAtMs` is when the user last counted toward this item (-Infinity: never). Returns
   * that time after the event, for the caller to keep.
   */
  observe(
    u: number,
    i: number,
    tags: readonly string[],
    weight: number,
    priorItems: number,
    atMs: number,
    itemCreditedAtMs = Number.NEGATIVE_INFINITY,
  ): number {
    if (weight < MIN_ENGAGEMENT) return itemCreditedAtMs;
    const trust = this.trustItems <= 0 ? 1 : Math.min(1, priorItems / this.trustItems);
    if (trust <= 0) return itemCreditedAtMs;
    let creditedAt = itemCreditedAtMs;
    if (!(atMs - creditedAt < this.cooldownMs)) {
      this.items.add(i, trust, atMs);
      creditedAt = atMs;
    }
    if (atMs > this.latestMs) this.latestMs = atMs;
    // Indexed: for-of here allocated an iterator result per tag, per event.
    for (let k = 0; k < tags.length; k++) {
      const t = this.tags.intern(tags[k]!);
      if (atMs - this.credited.get(u, t) < this.cooldownMs) continue;
      this.credited.set(u, t, atMs, this.latestMs - this.cooldownMs);
      this.tagCounters.add(t, trust, atMs);
    }
    return creditedAt;
  }

  /** The `n` items and tags rising the most at `nowMs`; hidden items, and tags only they raise, are left out. */
  trending(catalogue: TrendCatalogue, n: number, nowMs: number, lang?: ReasonLanguage): Trending {
    // New items rank ahead of old ones rising as much: a new trend is what this list is for.
    const freshness = (i: number): number =>
      1 + this.newItemBoost * decay(nowMs - (catalogue.records[i]?.createdAt ?? 0), this.newItemHalfLifeMs);
    const skip = (i: number): boolean => !catalogue.isServable(i);
    const items = rankTrends(this.items, n, nowMs, this.rule, skip, freshness).map((t) => {
      const record = catalogue.records[t.key];
      return {
        itemId: catalogue.items.id(t.key),
        score: round(t.score),
        velocity: round(t.velocity),
        reason: trendText(
          t.score / freshness(t.key),
          t.velocity,
          lang === undefined ? prefersChinese(record) : lang === 'zh',
        ),
      };
    });
    // A tag rises on its items' engagement: when every item engaged lately is hidden, it is left out
    // too, or a takedown would stay on the list under its tags.
    // (A large tag is kept after TAG_SCAN_LIMIT of its items without a verdict.)
    const onlyHidden = (t: number): boolean => {
      let hidden = false;
      let scanned = 0;
      for (const i of catalogue.itemsByTag.get(this.tags.id(t)) ?? []) {
        if (++scanned > TAG_SCAN_LIMIT) return false;
        if (!(this.items.shortAt(i, nowMs) >= RAISING_SHORT)) continue;
        if (catalogue.isServable(i)) return false;
        hidden = true;
      }
      return hidden;
    };
    const tags = rankTrends(this.tagCounters, n, nowMs, this.rule, onlyHidden).map((t) => ({
      tag: this.tags.id(t.key),
      score: round(t.score),
      velocity: round(t.velocity),
    }));
    return { items, tags };
  }
}

function trendText(score: number, velocity: number, zh: boolean): string {
  const people = Math.max(1, Math.round(score));
  const times = velocity >= 10 ? Math.round(velocity).toString() : velocity.toFixed(1);
  return zh
    ? `最近多了约${people}位观众，是平时的${times}倍`
    : `About ${people} more viewers than usual lately, ${times}× its usual rate`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
