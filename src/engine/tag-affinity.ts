import { decay } from '../core/event-weight.js';
import { topKOf } from '../core/top-k.js';
import type { EngineConfig } from './config.js';
import type { OnlineState, UserState } from './online-state.js';

/** How many of the user's strongest tags are searched, and how many items each contributes. */
const TOP_TAGS = 6;
const PER_TAG = 30;
/** Only the part of an item's weight above this counts: a half-watched view is no interest yet. */
const MIN_WEIGHT = 0.5;
/** The weight of a recent item halves with every this many newer positive items (PinnerSage-style recency). */
const RECENCY_ITEMS = 10;

export type Offer = (item: number, strength: number, because: number, tag: string) => void;

/**
 * Offers items that share tags with the user's recent positive items: each tag weighs the decayed
 * weights of the recent items carrying it, and within a tag items rank by their posterior success
 * rate (outcomes so far, with a prior at their category's and creator's mean). Newer positives weigh
 * more, so a new interest takes over as soon as the user's recent positives move to it.
 */
export function offerTagAffinity(
  state: OnlineState,
  config: EngineConfig,
  user: UserState,
  nowMs: number,
  excluded: (i: number) => boolean,
  offer: Offer,
): void {
  const affinity = new Map<string, { weight: number; because: number; best: number }>();
  const recent = user.recent;
  for (let r = 0; r < recent.length; r++) {
    const h = recent[r]!;
    const w =
      ((user.weights.get(h) ?? 0) - MIN_WEIGHT) *
      decay(nowMs - (user.lastAt.get(h) ?? nowMs), config.signalHalfLifeMs) *
      2 ** ((r + 1 - recent.length) / RECENCY_ITEMS);
    if (w <= 0) continue;
    for (const tag of state.records[h]?.tags ?? []) {
      const a = affinity.get(tag);
      if (a === undefined) affinity.set(tag, { weight: w, because: h, best: w });
      else {
        a.weight += w;
        if (w >= a.best) {
          a.best = w;
          a.because = h;
        }
      }
    }
  }
  const tags = [...affinity.entries()].sort((x, y) => y[1].weight - x[1].weight).slice(0, TOP_TAGS);
  const strength = config.exploration.priorStrength;
  const stats = state.exploration;
  for (const [tag, a] of tags) {
    const pool: number[] = [];
    const quality = new Map<number, number>();
    for (const i of state.itemsByTag.get(tag) ?? []) {
      if (excluded(i)) continue;
      pool.push(i);
      quality.set(i, stats.posteriorMean(state, i, strength));
    }
    for (const i of topKOf(pool, PER_TAG, (i) => quality.get(i)!)) {
      offer(i, a.weight * quality.get(i)!, a.because, tag);
    }
  }
}
