import { diversify } from '../core/diversify.js';
import type { Retrieval } from './ann-search-thread.js';
import type { EngineConfig } from './config.js';
import type { FeedItem } from './feed.js';
import type { OnlineState } from './online-state.js';
import { buildReason, type ReasonLanguage, type ReasonSource } from './reasons.js';
import type { ServingModel } from './serving-model.js';

/**
 * The trained model's neighbours of the item: at most this many, only those it scores above 0 (see
 * `ServingModel#recommend`), scored from 1 down to 0.5 by rank.
 */
export const MODEL_NEIGHBOURS = 100;
/**
 * A co-watched item scores (1 + its shrunk cosine) · n / (n + CO_SUPPORT_SHRINK), n the pair's count
 * of co-viewers: one co-viewer counts a sixth (at most 0.33, below an item sharing all its tags, 0.5),
 * five about half (level with it), and many nearly all (above the model's first neighbour, 1, once
 * n · cosine > 5): weak co-occurrence counts weakly, strong co-occurrence still ranks first.
 */
export const CO_SUPPORT_SHRINK = 5;

/**
 * Items like `item`, each by its strongest evidence: co-occurrence neighbours (weighed by how many
 * viewers they share, see {@link CO_SUPPORT_SHRINK}), the trained model's neighbours (what the model
 * recommends to a viewer of this one item; through the ANN index on a large catalogue), items sharing
 * its tags (Jaccard), the same creator's items; ties go to the more co-watched. Each has its reason.
 * When these are fewer than `n`, popular items fill the list with theirs.
 * Like feeds, at most `maxPerCreator` items of a creator in any window: when too few other items are
 * alike, popular ones fill in before the rule bends. Hidden items are never returned. A model searched
 * on a thread of its own ranks `retrieved` (see `ServingModel#recommend`, which throws what is to be
 * retrieved first).
 */
export function buildSimilar(
  state: OnlineState,
  config: EngineConfig,
  item: number,
  n: number,
  serving?: Pick<ServingModel, 'recommend'>,
  retrieved?: Retrieval,
  lang?: ReasonLanguage,
): FeedItem[] {
  const record = state.records[item];
  const source = new Map<number, { score: number; source: ReasonSource; tag?: string }>();
  const offer = (j: number, s: ReasonSource, score: number, tag?: string): void => {
    if (j === item || !state.isServable(j) || !(score > 0)) return;
    const prev = source.get(j);
    if (prev === undefined || score > prev.score)
      source.set(j, { score, source: s, ...(tag === undefined ? {} : { tag }) });
  };
  const coScores = new Map<number, number>();
  state.cooccurrence.forEachNeighbour(item, (j, sim, count) => {
    const score = ((1 + sim) * count) / (count + CO_SUPPORT_SHRINK);
    coScores.set(j, score);
    offer(j, 'co-occurrence', score);
  });
  if (serving !== undefined) {
    const skip = (j: number): boolean => j === item || !state.isServable(j);
    const neighbours = serving.recommend([{ item, weight: 1 }], MODEL_NEIGHBOURS, skip, [], retrieved);
    // By rank: the model's scores are not on the other sources' scale.
    for (let r = 0; r < neighbours.length; r++)
      offer(neighbours[r]!, 'model', 1 - (0.5 * r) / neighbours.length);
  }
  const tags = record?.tags ?? [];
  if (tags.length > 0) {
    const shared = new Map<number, { count: number; tag: string }>();
    for (const tag of tags) {
      const holders = state.itemsByTag.get(tag);
      if (holders === undefined || holders.size > 50_000) continue;
      for (const j of holders) {
        const s = shared.get(j);
        if (s === undefined) shared.set(j, { count: 1, tag });
        else s.count++;
      }
    }
    for (const [j, s] of shared) {
      const other = state.records[j]?.tags.length ?? 1;
      offer(j, 'similar-tags', (0.5 * s.count) / (tags.length + other - s.count), s.tag);
    }
  }
  const creator = state.creatorOf.get(item);
  if (creator >= 0) for (const j of state.itemsByCreator.get(creator) ?? []) offer(j, 'same-creator', 0.2);

  const coScore = (j: number): number => coScores.get(j) ?? 0;
  const ranked = [...source.entries()].sort(
    (a, b) => b[1].score - a[1].score || coScore(b[0]) - coScore(a[0]) || a[0] - b[0],
  );
  const order = ranked.map(([j]) => j);
  const creatorOf = (j: number): number => state.creatorOf.get(j);
  const diversity = {
    window: config.creatorDiversity.window,
    maxPerGroup: config.creatorDiversity.maxPerCreator,
  };
  let picked = diversify(order, creatorOf, Math.min(n, order.length), { ...diversity, relax: false });
  const popular = new Set<number>();
  if (picked.length < n) {
    // Too few alike items, or of other creators: popular items fill in (with their own reason)
    // before the creator rule bends, as in feeds.
    const inList = new Set(order);
    const skip = (j: number): boolean => j === item || inList.has(j) || !state.isServable(j);
    for (const j of state.topPopular((n - picked.length) * diversity.window, skip)) {
      popular.add(j);
      order.push(j);
    }
    picked = diversify(order, creatorOf, Math.min(n, order.length), diversity);
  }
  const info = new Map(ranked);
  const because = [{ id: state.items.id(item), record }];
  return picked.map((j) => {
    if (popular.has(j)) {
      return {
        itemId: state.items.id(j),
        score: 0,
        reason: buildReason({
          source: 'popular',
          record: state.records[j],
          ...(lang === undefined ? {} : { lang }),
        }),
      };
    }
    const c = info.get(j)!;
    return {
      itemId: state.items.id(j),
      score: Math.round(c.score * 1e6) / 1e6,
      reason: buildReason({
        source: c.source,
        record: state.records[j],
        because,
        forItem: true,
        ...(lang === undefined ? {} : { lang }),
        ...(c.tag === undefined ? {} : { tag: c.tag }),
      }),
    };
  });
}
