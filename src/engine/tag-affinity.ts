import { decay } from '../core/event-weight.js';
import type { EngineConfig } from './config.js';
import { itemTagIds } from './item-tag-ids.js';
import type { OnlineState, UserState } from './online-state.js';

/** How many of the user's strongest tags are searched, and how many items each contributes. */
const TOP_TAGS = 4;
const PER_TAG = 30;
/** Only the part of an item's weight above this counts: a half-watched view is no interest yet. */
const MIN_WEIGHT = 0.5;
/** An engagement's weight halves with every this many newer ones (recency as in PinnerSage). */
const RECENCY_ITEMS = 30;
/** How many of the user's latest engagements are read. */
const MAX_HISTORY = 200;

export type Offer = (item: number, strength: number, because: number, tag: string) => void;

export interface TagAffinity {
  /** Tag -> net recent engagement (positive only), and the user's best recent item carrying it. */
  tags: Map<string, { weight: number; because: number }>;
  max: number;
  /** The same weights by tag number, in the state's `ItemTagIds` scratch while it carries this stamp. */
  stamp: number;
}

/**
 * What a user is into right now, by tag: each tag sums the user's weights above "half watched" on
 * its items (so skips and short views count against it), newer engagements weighing more, so a new
 * interest takes over as soon as the user's latest engagements move to it.
 */
export function userTagAffinity(
  state: OnlineState,
  config: EngineConfig,
  user: UserState,
  nowMs: number,
): TagAffinity {
  const affinity = new Map<string, { weight: number; because: number; best: number }>();
  const history = [...user.lastAt.entries()].sort((x, y) => y[1] - x[1]).slice(0, MAX_HISTORY);
  for (let r = 0; r < history.length; r++) {
    const [h, at] = history[r]!;
    const w =
      ((user.weights.get(h) ?? 0) - MIN_WEIGHT) *
      decay(nowMs - at, config.signalHalfLifeMs) *
      2 ** (-r / RECENCY_ITEMS);
    if (w === 0) continue;
    for (const tag of state.records[h]?.tags ?? []) {
      const a = affinity.get(tag);
      if (a === undefined) affinity.set(tag, { weight: w, because: h, best: w });
      else {
        a.weight += w;
        if (w > a.best) {
          a.best = w;
          a.because = h;
        }
      }
    }
  }
  const tags = new Map<string, { weight: number; because: number }>();
  let max = 0;
  const ids = itemTagIds(state);
  const stamp = ids.beginWeights();
  for (const [tag, a] of affinity) {
    if (a.weight <= 0 || a.best <= 0) continue;
    tags.set(tag, { weight: a.weight, because: a.because });
    ids.setWeight(tag, a.weight);
    max = Math.max(max, a.weight);
  }
  return { tags, max, stamp };
}

/** How well an item matches the user's current interests: its best tag's share of the top affinity, 0..1. */
export function interestMatch(state: OnlineState, affinity: TagAffinity, item: number): number {
  if (affinity.max <= 0) return 0;
  const ids = itemTagIds(state);
  if (ids.weightsStamp === affinity.stamp) return ids.bestWeight(state, item) / affinity.max;
  let best = 0;
  for (const tag of state.records[item]?.tags ?? [])
    best = Math.max(best, affinity.tags.get(tag)?.weight ?? 0);
  return best / affinity.max;
}

/**
 * Offers items carrying the user's strongest tags; within a tag items rank by their posterior success
 * rate (outcomes so far, with a prior at their category's and creator's mean): `bestOfTag` visits a
 * tag's best items the feed may show, with that rate.
 */
export function offerTagAffinity(
  affinity: TagAffinity,
  offer: Offer,
  bestOfTag: (tag: string, limit: number, visit: (item: number, quality: number) => void) => void,
): void {
  const tags = [...affinity.tags.entries()].sort((x, y) => y[1].weight - x[1].weight).slice(0, TOP_TAGS);
  for (const [tag, a] of tags) bestOfTag(tag, PER_TAG, (i, q) => offer(i, a.weight * q, a.because, tag));
}
