import { LruMap } from '../core/lru-map.js';
import type { UserState } from './online-state.js';
import type { ServingModel } from './serving-model.js';

/** Users whose model candidates are kept; the least recently served is dropped first. */
const DEFAULT_MAX_USERS = 20_000;
/** A user's candidates are recomputed after this many of their events (impressions included)... */
const REFRESH_EVENTS = 10;
/** ... and kept this many times the number a feed reads, so what the user consumes meanwhile is covered. */
const SLACK = 1.25;

interface Entry {
  /** The user's event count when the list was computed. */
  events: number;
  /** The model's top items for the user then, best first; `full` when the model had more. */
  items: Int32Array;
  full: boolean;
}

/**
 * Each user's candidates from the trained model, kept between their feeds: the fold-in and the index
 * search are the dearest part of a feed and move little with one event, while what moves at once
 * (seen, hidden, blocked) is filtered on every read. A list is recomputed for a new model, after
 * {@link REFRESH_EVENTS} events of the user, or when the filter has left fewer than a feed reads.
 * Costs about 4 bytes per kept item (1.25 × the feed's model candidates) plus ~100 bytes per user.
 *
 * @example
 * const cache = new ModelCandidateCache();
 * const top = cache.get(u, user, serving, 200, excluded, (k) => serving.recommend(history(), k, excluded));
 */
export class ModelCandidateCache {
  private readonly entries: LruMap<number, Entry>;
  /** The model the lists come from: a new one empties the cache (and the old one can be collected). */
  private model: ServingModel | undefined;
  hits = 0;
  misses = 0;

  constructor(maxUsers = DEFAULT_MAX_USERS) {
    this.entries = new LruMap(maxUsers);
  }

  get size(): number {
    return this.entries.size;
  }

  /** How many items {@link get} computes when it computes a list for `k`. */
  static computed(k: number): number {
    return Math.ceil(k * SLACK);
  }

  /**
   * Whether user `u` has a list from `model` that is still current by their events, so that
   * {@link get} reads it rather than computing one (unless too few of its items are left allowed).
   */
  isCurrent(u: number, user: UserState, model: ServingModel): boolean {
    if (model !== this.model) return false;
    const entry = this.entries.get(u);
    return entry !== undefined && user.eventCount - entry.events < REFRESH_EVENTS;
  }

  /**
   * The model's top `k` items for user `u` that `excluded` does not reject, best first: from the kept
   * list while it is current, else from `compute(ask)` (the model's top `ask` items, none excluded).
   */
  get(
    u: number,
    user: UserState,
    model: ServingModel,
    k: number,
    excluded: (i: number) => boolean,
    compute: (ask: number) => Int32Array,
  ): Int32Array {
    if (model !== this.model) {
      this.entries.clear();
      this.model = model;
    }
    const entry = this.entries.get(u);
    if (entry !== undefined && user.eventCount - entry.events < REFRESH_EVENTS) {
      const kept = firstAllowed(entry.items, k, excluded);
      if (kept.length === k || !entry.full) {
        this.hits++;
        return kept;
      }
    }
    const ask = ModelCandidateCache.computed(k);
    const items = compute(ask);
    this.misses++;
    this.entries.set(u, { events: user.eventCount, items, full: items.length === ask });
    return items.subarray(0, k);
  }
}

function firstAllowed(items: Int32Array, k: number, excluded: (i: number) => boolean): Int32Array {
  const out = new Int32Array(Math.min(k, items.length));
  let n = 0;
  for (let r = 0; r < items.length && n < k; r++) if (!excluded(items[r]!)) out[n++] = items[r]!;
  return n === out.length ? out : out.subarray(0, n);
}
