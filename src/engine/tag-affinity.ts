import { decay } from '../core/event-weight.js';
import type { EngineConfig } from './config.js';
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
  /** The same weights by tag number, in {@link ItemTagIds}' shared scratch while it carries this stamp. */
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
  const ids = tagIdsOf(state);
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
  const ids = tagIdsOf(state);
  if (ids.weightsStamp === affinity.stamp) return ids.bestWeight(state, item) / affinity.max;
  let best = 0;
  for (const tag of state.records[item]?.tags ?? [])
    best = Math.max(best, affinity.tags.get(tag)?.weight ?? 0);
  return best / affinity.max;
}

/**
 * Every item's tags as small integers, read once from its record (and again when the record is
 * replaced), and one affinity's weights by tag number: a feed scores about a thousand candidates by
 * their tags, and reading numbers from typed arrays spares it a record, an array and a string hash
 * per tag, scattered over the heap.
 */
class ItemTagIds {
  private readonly ids = new Map<string, number>();
  /** Per item: where its tag numbers start in `pool` (-1: not read yet), how many, and from which record. */
  private starts = new Int32Array(0);
  private counts = new Int32Array(0);
  private readFrom: unknown[] = [];
  private pool = new Int32Array(4_096);
  private poolSize = 0;
  /** Pool entries of records since replaced: once they are half the pool, it is rebuilt. */
  private stale = 0;
  private weights = new Float64Array(0);
  private weightStamps = new Int32Array(0);
  weightsStamp = 0;

  /** Starts a new set of tag weights; the previous set is gone. */
  beginWeights(): number {
    if (this.weightsStamp === 0x7fffffff) {
      this.weightStamps.fill(0);
      this.weightsStamp = 0;
    }
    return ++this.weightsStamp;
  }

  setWeight(tag: string, weight: number): void {
    const id = this.idOf(tag);
    if (id >= this.weights.length) {
      const capacity = Math.max(1_024, 2 * id);
      const weights = new Float64Array(capacity);
      const stamps = new Int32Array(capacity);
      weights.set(this.weights);
      stamps.set(this.weightStamps);
      this.weights = weights;
      this.weightStamps = stamps;
    }
    this.weights[id] = weight;
    this.weightStamps[id] = this.weightsStamp;
  }

  /** The largest current weight among the item's tags (0 when none has one). */
  bestWeight(state: OnlineState, item: number): number {
    const start = this.startOf(state, item);
    const end = start + this.counts[item]!;
    const pool = this.pool;
    const weights = this.weights;
    const stamps = this.weightStamps;
    const stamp = this.weightsStamp;
    let best = 0;
    for (let k = start; k < end; k++) {
      const id = pool[k]!;
      if (id < stamps.length && stamps[id] === stamp && weights[id]! > best) best = weights[id]!;
    }
    return best;
  }

  private idOf(tag: string): number {
    let id = this.ids.get(tag);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(tag, id);
    }
    return id;
  }

  private startOf(state: OnlineState, item: number): number {
    const record = state.records[item];
    if (item < this.starts.length && this.starts[item]! >= 0 && this.readFrom[item] === record)
      return this.starts[item]!;
    if (item >= this.starts.length) {
      const capacity = Math.max(1_024, 2 * item);
      const starts = new Int32Array(capacity).fill(-1);
      const counts = new Int32Array(capacity);
      starts.set(this.starts);
      counts.set(this.counts);
      this.starts = starts;
      this.counts = counts;
    }
    if (this.starts[item]! >= 0) this.stale += this.counts[item]!;
    if (this.stale > this.poolSize / 2 && this.stale > 4_096) this.clear();
    const tags = record?.tags ?? [];
    if (this.poolSize + tags.length > this.pool.length) {
      const pool = new Int32Array(Math.max(2 * this.pool.length, this.poolSize + tags.length));
      pool.set(this.pool.subarray(0, this.poolSize));
      this.pool = pool;
    }
    const start = this.poolSize;
    for (const tag of tags) this.pool[this.poolSize++] = this.idOf(tag);
    this.starts[item] = start;
    this.counts[item] = tags.length;
    // Filled in order: an array written far past its end turns into a slow dictionary.
    while (this.readFrom.length < item) this.readFrom.push(undefined);
    this.readFrom[item] = record;
    return start;
  }

  private clear(): void {
    this.starts.fill(-1);
    this.poolSize = 0;
    this.stale = 0;
  }
}

const tagIdsByState = new WeakMap<OnlineState, ItemTagIds>();

function tagIdsOf(state: OnlineState): ItemTagIds {
  let ids = tagIdsByState.get(state);
  if (ids === undefined) {
    ids = new ItemTagIds();
    tagIdsByState.set(state, ids);
  }
  return ids;
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
