import { LruMap } from '../core/lru-map.js';
import { topKOf } from '../core/top-k.js';
import type { OnlineState } from './online-state.js';

/** Tags with more items than this are ranked from their most popular items only. */
const TAG_SCAN = 600;
/** Items kept per tag: well above what a feed reads from one (60 per facet tag, 30 per affinity tag). */
const DEPTH = 128;
const DEFAULT_MAX_TAGS = 20_000;
/**
 * A ranking is reused while fewer events than this share of all applied so far came after it: the
 * quality of a tag's items moves with the whole platform's outcomes, not with one user's swipe.
 */
const STALE_SHARE = 0.001;

interface Ranking {
  /** `state.eventsApplied` and the tag's item count when ranked. */
  events: number;
  holders: number;
  items: Int32Array;
  quality: Float64Array;
  /** True when every item of the tag's scan is in `items`. */
  complete: boolean;
  /** The state's count of records set when ranked: while it holds, every item still carries the tag. */
  recordsSet: number;
}

/**
 * Each tag's items ranked by quality (their posterior success rate), shared by every user's feed:
 * a feed filters the ranking with its own exclusions instead of ranking the tag again. A ranking is
 * redone once the platform has applied {@link STALE_SHARE} more events, or the tag gained or lost items;
 * at most `maxTags` are kept (least recently read dropped first), about 1.6 KB each.
 *
 * @example
 * const ranking = new TagRanking();
 * ranking.best(state, 'cats', 30, excluded, quality, (item, q) => offer(item, q));
 */
export class TagRanking {
  private readonly entries: LruMap<string, Ranking>;

  constructor(maxTags = DEFAULT_MAX_TAGS) {
    this.entries = new LruMap(maxTags);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Visits the tag's `limit` best items by `quality` that `skip` does not reject, best first, with
   * their quality. A tag larger than {@link TAG_SCAN} is ranked from its most popular items only.
   */
  best(
    state: OnlineState,
    tag: string,
    limit: number,
    skip: (i: number) => boolean,
    quality: (i: number) => number,
    visit: (item: number, quality: number) => void,
  ): void {
    const holders = state.itemsByTag.get(tag);
    if (holders === undefined || limit <= 0) return;
    let ranking = this.entries.get(tag);
    const stale =
      ranking === undefined ||
      ranking.holders !== holders.size ||
      state.eventsApplied - ranking.events > Math.floor(ranking.events * STALE_SHARE);
    if (stale) {
      ranking = rank(state, tag, holders, quality);
      this.entries.set(tag, ranking);
    }
    const { items, quality: q } = ranking!;
    // Only a record set since the ranking can have taken the tag off one of its items.
    const check = ranking!.recordsSet !== state.recordsSet;
    const kept: number[] = [];
    for (let r = 0; r < items.length && kept.length < limit; r++) {
      if (!skip(items[r]!) && (!check || holders.has(items[r]!))) kept.push(r);
    }
    if (kept.length === limit || ranking!.complete) {
      for (const r of kept) visit(items[r]!, q[r]!);
      return;
    }
    // The feed excluded most of the kept head: rank the whole scan for it alone.
    const pool: number[] = [];
    for (const i of scan(state, tag, holders)) if (!skip(i)) pool.push(i);
    for (const i of topKOf(pool, limit, quality)) visit(i, quality(i));
  }
}

function scan(state: OnlineState, tag: string, holders: ReadonlySet<number>): Iterable<number> {
  return holders.size > TAG_SCAN ? state.popularOfTag(tag) : holders;
}

function rank(
  state: OnlineState,
  tag: string,
  holders: ReadonlySet<number>,
  quality: (i: number) => number,
): Ranking {
  const pool = Array.from(scan(state, tag, holders));
  const items = topKOf(pool, DEPTH, quality);
  return {
    events: state.eventsApplied,
    holders: holders.size,
    items,
    quality: Float64Array.from(items, quality),
    complete: items.length === pool.length,
    recordsSet: state.recordsSet,
  };
}
