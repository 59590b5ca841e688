import { decay } from '../core/event-weight.js';
import { pickExploration, spreadPositions } from '../core/exploration.js';
import { Growable } from '../core/growable.js';
import type { Random } from '../core/random.js';
import type { EventType, ItemRecord } from '../types.js';
import type { EngineConfig } from './config.js';
import { IdIndex } from './id-index.js';
import type { OnlineState, UserState } from './online-state.js';
import { PerFeedItems } from './per-feed-items.js';

const SUCCESS_TYPES: ReadonlySet<EventType> = new Set(['like', 'share', 'comment', 'follow']);
const FAILURE_TYPES: ReadonlySet<EventType> = new Set(['skip', 'not_interested', 'report']);
/** An item's category group before its record was read (-1 is "no category"). */
const NOT_READ = -2;
/** An item's row in `ExplorationStats#itemRows`: its groups and outcomes, at these offsets. */
const ITEM_ROW = 4;
const ITEM_CATEGORY = 0;
const ITEM_CREATOR = 1;
const ITEM_SUCCESSES = 2;
const ITEM_FAILURES = 3;
/** A group's row in `ExplorationStats#groupStats`, at these offsets. */
const GROUP_ROW = 3;
const GROUP_SUCCESSES = 0;
const GROUP_JUDGED = 1;
const GROUP_IMPRESSIONS = 2;
/** Pseudo-count of the global mean inside a category's or creator's prior. */
const GROUP_PRIOR = 10;
/** Recent positive items whose tags define where a user with history is explored. */
const INTEREST_ITEMS = 20;
/** Open exploration (no history, or the open share) draws from this many fresh items ... */
const OPEN_FRESH = 200;
/** ... and about this many random little-exposed items of the catalogue. */
const OPEN_SAMPLE = 150;
/** Never-shown, non-fresh items beyond this many are subsampled out of the pool (for speed). */
const MAX_POOL = 300;
/**
 * Items sampled at most per pool, even when more are fresh or have outcomes: each costs a prior and a
 * Beta draw (600 until session 18; 300 keeps the simulator's floors, see the benchmarks guide).
 */
const MAX_KEPT = MAX_POOL;
/** Items read over all tags of interest; a tag with more than its share is sampled in a random window. */
const TAG_SCAN_BUDGET = 600;
const MIN_TAG_SCAN = 30;
const HOUR_MS = 3600 * 1000;
/** A user is judged discovering only after this many events, so a new account is not. */
const DISCOVERY_MIN_EVENTS = 10;
/** ... or when their recent engagement rate falls this far below their own longer-run rate. */
const DISCOVERY_DROP = 0.15;
/** Discovery samples this many categories per feed and offers this many of each one's most popular items. */
const DISCOVERY_CATEGORIES = 24;
const DISCOVERY_PER_CATEGORY = 6;
/** Categories of the user's this many newest items are not swept again while others are left. */
const DISCOVERY_SHOWN = 150;
/** Random items drawn per feed to find the categories to sweep (larger categories come first). */
const DISCOVERY_DRAWS = 400;
const NO_RATES: ReadonlyMap<number, { successes: number; trials: number }> = new Map();
/** A category among a user's this many newest positives, and none older, is an emerging interest. */
const EMERGING_ITEMS = 5;
/** A user's own success rate on a category is read from their latest judged items, halving in weight every this many ... */
const USER_RATE_HALF_LIFE = 50;
const USER_RATE_ITEMS = 4 * USER_RATE_HALF_LIFE;
/** ... and shrunk toward the item's prior mean with this pseudo-count. */
const USER_RATE_PRIOR = 4;

/** Each item's place in the exploration pool being filled (feeds are planned one at a time). */
const poolPlaces = new PerFeedItems();

/**
 * Per-item outcomes for Thompson sampling, their category and creator means for the prior, each
 * user's recent exploration (for the per-user bound), and the audit of explored impressions.
 */
export class ExplorationStats {
  /** Audit: explored impressions served, per item. */
  readonly explored = new Growable(Float64Array);
  exploredTotal = 0;
  private readonly groups = new IdIndex();
  /**
   * Per group, side by side (one cache line read per group): successes, judged items and impressions
   * ({@link GROUP_SUCCESSES} and on). A pool's items mostly have creators of their own, so each
   * prior reads a creator group no other item of the feed reads.
   */
  private groupStats = new Float64Array(3 * 1_024);
  /** Category name -> its group; creator -> its group (-1: none yet): a group's key is built once. */
  private readonly categoryGroups = new Map<string, number>();
  private creatorGroups = new Int32Array(0);
  private globalSuccesses = 0;
  private globalJudged = 0;
  private globalImpressions = 0;
  /** User -> explored impressions, decayed with a one-hour half-life, and when. */
  private readonly recentExplored = new Map<number, { count: number; atMs: number }>();
  private readonly successWatchRatio: number;
  /**
   * Per item, side by side (one cache line read per item, where four columns were four misses): its
   * category group (NOT_READ until read from its record, and again once the record is set), its
   * creator group (-1: none), its successes and its explicit failures (skips, short views,
   * not_interested; unengaged impressions add to these), at {@link ITEM_CATEGORY} and on.
   */
  private itemRows = new Int32Array(0);

  constructor(config: EngineConfig['exploration']) {
    this.successWatchRatio = config.successWatchRatio;
  }

  /**
   * Reads item `i`'s category group (its category, else its first tag) and creator group (-1: none)
   * into its row, unless read since its record was set.
   */
  private readGroups(state: OnlineState, i: number): void {
    const at = ITEM_ROW * i;
    if (at < this.itemRows.length && this.itemRows[at + ITEM_CATEGORY] !== NOT_READ) return;
    const category = categoryName(state.records[i]);
    const creator = state.creatorOf.get(i);
    const categoryGroup = category === undefined ? -1 : this.categoryGroup(category);
    const creatorGroup = creator < 0 ? -1 : this.creatorGroup(creator);
    this.ensureItem(i);
    this.itemRows[at + ITEM_CATEGORY] = categoryGroup;
    this.itemRows[at + ITEM_CREATOR] = creatorGroup;
  }

  /** The group of a category (or first tag), without building its key once it has one. */
  private categoryGroup(category: string): number {
    let g = this.categoryGroups.get(category);
    if (g === undefined) {
      g = this.groups.intern(`category:${category}`);
      this.categoryGroups.set(category, g);
    }
    return g;
  }

  /** The group of creator `c`, without building its key once it has one. */
  private creatorGroup(c: number): number {
    if (c >= this.creatorGroups.length) {
      const grown = new Int32Array(Math.max(1_024, 2 * (c + 1))).fill(-1);
      grown.set(this.creatorGroups);
      this.creatorGroups = grown;
    }
    let g = this.creatorGroups[c]!;
    if (g < 0) {
      g = this.groups.intern(`creator:${c}`);
      this.creatorGroups[c] = g;
    }
    return g;
  }

  /** Makes room for item `i`'s row: new rows are unread, without outcomes. */
  private ensureItem(i: number): void {
    if (ITEM_ROW * (i + 1) <= this.itemRows.length) return;
    // Doubled, as the columns it replaces were: 16 bytes per item at a million items.
    let rows = Math.max(1_024, this.itemRows.length / ITEM_ROW);
    while (rows < i + 1) rows *= 2;
    const grown = new Int32Array(ITEM_ROW * rows);
    grown.set(this.itemRows);
    for (let at = this.itemRows.length; at < grown.length; at += ITEM_ROW)
      grown[at + ITEM_CATEGORY] = NOT_READ;
    this.itemRows = grown;
  }

  /** Item `i`'s successes so far. */
  successesOf(i: number): number {
    const at = ITEM_ROW * i;
    return at < this.itemRows.length ? this.itemRows[at + ITEM_SUCCESSES]! : 0;
  }

  /** Item `i`'s explicit failures so far. */
  failuresOf(i: number): number {
    const at = ITEM_ROW * i;
    return at < this.itemRows.length ? this.itemRows[at + ITEM_FAILURES]! : 0;
  }

  /** Reads the groups' counts that {@link itemPriorMean} reads for item `i` (after its row); returns a value to discard. */
  touchPrior(i: number): number {
    const g = this.itemRows[ITEM_ROW * i + ITEM_CREATOR]!;
    const at = GROUP_ROW * g;
    return g >= 0 && at < this.groupStats.length ? this.groupStats[at]! : 0;
  }

  /** Reads what {@link observe} reads of item `i`, so that it finds it in cache; returns a value to discard. */
  touch(i: number): number {
    const at = ITEM_ROW * i;
    return at < this.itemRows.length ? this.itemRows[at]! : 0;
  }

  /**
   * Reads item `i`'s groups again from its record, just set and at hand: a feed reading a record
   * first would wait on memory for it, and at a million items most items a feed explores are met
   * there first.
   */
  recordSet(state: OnlineState, i: number): void {
    const at = ITEM_ROW * i;
    if (at < this.itemRows.length) this.itemRows[at + ITEM_CATEGORY] = NOT_READ;
    this.readGroups(state, i);
  }

  /**
   * Counts one event on item `i` for it and its groups. `before` is the user's judgement of the item
   * so far (1 success, -1 failure, 0 none): one judgement per user and item. Returns the judgement
   * after the event, for the caller to keep.
   */
  observe(
    state: OnlineState,
    i: number,
    type: EventType,
    watchRatio: number | undefined,
    before = 0,
  ): number {
    this.readGroups(state, i);
    if (type === 'impression') {
      this.addToGroups(GROUP_IMPRESSIONS, i, 1);
      this.globalImpressions++;
      return before;
    }
    let outcome = 0;
    if (SUCCESS_TYPES.has(type)) outcome = 1;
    else if (FAILURE_TYPES.has(type)) outcome = -1;
    else if (type === 'view' && watchRatio !== undefined)
      outcome = watchRatio >= this.successWatchRatio ? 1 : -1;
    const at = ITEM_ROW * i;
    if (outcome === 1 && before !== 1) {
      if (before === -1) {
        this.itemRows[at + ITEM_FAILURES]!--;
        this.addToGroups(GROUP_JUDGED, i, -1);
        this.globalJudged--;
      }
      this.itemRows[at + ITEM_SUCCESSES]!++;
      this.addToGroups(GROUP_SUCCESSES, i, 1);
      this.addToGroups(GROUP_JUDGED, i, 1);
      this.globalSuccesses++;
      this.globalJudged++;
      return 1;
    }
    if (outcome === -1 && before === 0) {
      this.itemRows[at + ITEM_FAILURES]!++;
      this.addToGroups(GROUP_JUDGED, i, 1);
      this.globalJudged++;
      return -1;
    }
    return before;
  }

  /** Adds `delta` to field `field` of item `i`'s category and creator groups (read by {@link readGroups}). */
  private addToGroups(field: number, i: number, delta: number): void {
    const category = this.itemRows[ITEM_ROW * i + ITEM_CATEGORY]!;
    const creator = this.itemRows[ITEM_ROW * i + ITEM_CREATOR]!;
    if (category >= 0) this.addToGroup(category, field, delta);
    if (creator >= 0) this.addToGroup(creator, field, delta);
  }

  private addToGroup(g: number, field: number, delta: number): void {
    const at = GROUP_ROW * g + field;
    if (at >= this.groupStats.length) {
      const grown = new Float64Array(Math.max(2 * this.groupStats.length, GROUP_ROW * (g + 1)));
      grown.set(this.groupStats);
      this.groupStats = grown;
    }
    this.groupStats[at] = this.groupStats[at]! + delta;
  }

  /**
   * The user's successes and judged items per category, newer judgements weighing more: how well
   * each category has worked for them lately, so exploration can start from it.
   */
  userRates(
    state: OnlineState,
    user: UserState | undefined,
  ): Map<number, { successes: number; trials: number }> {
    const rates = new Map<number, { successes: number; trials: number }>();
    if (user === undefined) return rates;
    const table = user.items;
    for (let e = table.size - 1, read = 0; e >= 0 && read < USER_RATE_ITEMS; e--) {
      const judged = table.judged(e);
      if (judged === 0) continue;
      const w = 2 ** (-read++ / USER_RATE_HALF_LIFE);
      const key = this.categoryOf(state, table.item(e));
      if (key < 0) continue;
      let r = rates.get(key);
      if (r === undefined) {
        r = { successes: 0, trials: 0 };
        rates.set(key, r);
      }
      r.trials += w;
      if (judged === 1) r.successes += w;
    }
    return rates;
  }

  /** The interned category group of item `i`, or -1 when it has neither category nor tags. */
  categoryOf(state: OnlineState, i: number): number {
    this.readGroups(state, i);
    return this.itemRows[ITEM_ROW * i + ITEM_CATEGORY]!;
  }

  /** Trials of an item: its impressions, or its judgements when impressions are not reported. */
  trials(i: number, impressions: number): number {
    return Math.max(impressions, this.successesOf(i) + this.failuresOf(i));
  }

  /** The prior success rate of item `i`: its groups' pooled rate, shrunk to the global rate. */
  itemPriorMean(state: OnlineState, i: number): number {
    this.readGroups(state, i);
    const globalTrials = Math.max(this.globalImpressions, this.globalJudged);
    const globalMean = (this.globalSuccesses + 1) / (globalTrials + 2);
    let s = globalMean * GROUP_PRIOR;
    let t = GROUP_PRIOR;
    const stats = this.groupStats;
    for (let k = ITEM_ROW * i + ITEM_CATEGORY; k <= ITEM_ROW * i + ITEM_CREATOR; k++) {
      const g = this.itemRows[k]!;
      const at = GROUP_ROW * g;
      if (g < 0 || at >= stats.length) continue;
      s += stats[at + GROUP_SUCCESSES]!;
      t += Math.max(stats[at + GROUP_IMPRESSIONS]!, stats[at + GROUP_JUDGED]!);
    }
    return s / t;
  }

  /** Item `i`'s category group after {@link itemPriorMean} or {@link observe} read its record. */
  categoryGroupOf(i: number): number {
    return this.itemRows[ITEM_ROW * i + ITEM_CATEGORY]!;
  }

  /** Posterior mean success rate of item `i` with `impressions` (Beta prior of `strength` at its prior mean). */
  posteriorMean(state: OnlineState, i: number, strength: number): number {
    const s = this.successesOf(i);
    const trials = this.trials(i, state.impressions.get(i));
    return (s + this.itemPriorMean(state, i) * strength) / (trials + strength);
  }

  /** Explored impressions of user `u` in about the last hour. */
  recentExploredOf(u: number, nowMs: number): number {
    const r = this.recentExplored.get(u);
    return r === undefined ? 0 : r.count * decay(nowMs - r.atMs, HOUR_MS);
  }

  /** Records explored impressions served to user `u` (-1 when unknown): the audit and the bound. */
  recordServed(u: number, items: readonly number[], nowMs: number): void {
    if (items.length === 0) return;
    for (const i of items) this.explored.add(i, 1);
    this.exploredTotal += items.length;
    if (u < 0) return;
    this.recentExplored.set(u, { count: this.recentExploredOf(u, nowMs) + items.length, atMs: nowMs });
  }
}

/**
 * Whether a user (with some history) has stopped engaging with what they are shown: their recent
 * engagement rate is below `exploration.discoveryBelow`, or well below their own longer-run rate.
 */
export function engagementDropped(user: UserState, config: EngineConfig): boolean {
  return (
    user.eventCount >= DISCOVERY_MIN_EVENTS &&
    (user.engagement < config.exploration.discoveryBelow ||
      user.engagement < user.engagementBaseline - DISCOVERY_DROP)
  );
}

/**
 * Why an item was explored: the user's recent item and the tag it shares, or a tag the user
 * declared (`declared`), or a category interest discovery offers (`discovery`); none of these for
 * an open slot.
 */
export interface ExplorationPick {
  sample: number;
  because?: number;
  tag?: string;
  declared?: true;
  discovery?: true;
}

/** Why a candidate of the in-tag pool is there: one per tag, shared by its items. */
interface TagWhy {
  because?: number;
  tag: string;
  declared?: true;
}

/**
 * Reserves `floor(n * share)` slots of a feed (fewer when the user is at their hourly bound) for
 * little-exposed items chosen by Thompson sampling, and moves them into `order` at positions spread
 * through the first `n`. A user with history is explored within the tags of their recent positive
 * items and declared interests, except for a share `openShare` of slots (so a new interest can be
 * found); a user with only declared interests within those; a user with neither, and the open slots,
 * among fresh items and a random sample of the catalogue. Every item's prior reads the user's own
 * recent rate on its category. A discovering user (engagement well below their norm, or
 * `interestFading`: their heaviest facet turned down lately) gets `discoveryShare` of the slots, the
 * extra ones from {@link discover}.
 */
export function planExploration(
  state: OnlineState,
  config: EngineConfig,
  u: number,
  user: UserState | undefined,
  order: number[],
  n: number,
  nowMs: number,
  rng: Random,
  excluded: (i: number) => boolean,
  interestFading = false,
): Map<number, ExplorationPick> {
  const options = config.exploration;
  const stats = state.exploration;
  const baseSlots = Math.floor(n * options.share);
  // A user who has stopped engaging with what they are shown, or who turns down their main interest
  // lately, may have a new interest: look wider.
  const discovering =
    user !== undefined &&
    user.eventCount >= DISCOVERY_MIN_EVENTS &&
    (interestFading || engagementDropped(user, config));
  let slots = discovering ? Math.max(baseSlots, Math.floor(n * options.discoveryShare)) : baseSlots;
  if (u >= 0)
    slots = Math.min(slots, Math.floor(options.maxPerUserPerHour - stats.recentExploredOf(u, nowMs)));
  const picks = new Map<number, ExplorationPick>();
  if (slots <= 0) return picks;
  const discoverySlots = Math.max(0, slots - baseSlots);
  slots -= discoverySlots;
  const head = new Set(order.slice(0, n));
  const rates = stats.userRates(state, user);
  const impressions = state.impressions.data;
  const eligible = (i: number): boolean =>
    !head.has(i) && !excluded(i) && valueAt(impressions, i) < options.maxImpressions;

  const recent = user?.recent.slice(-INTEREST_ITEMS) ?? [];
  const tags = new Map<string, number>();
  for (let r = recent.length - 1; r >= 0; r--) {
    const h = recent[r]!;
    // Each tag's reason is its newest item the user can be shown (a hidden one is never cited).
    const citable = state.isServable(h);
    for (const tag of state.records[h]?.tags ?? []) {
      const had = tags.get(tag);
      if (had === undefined || (citable && !state.isServable(had))) tags.set(tag, h);
    }
  }
  const declared = (u < 0 ? undefined : state.userRecords.get(u))?.controls.declared ?? [];
  for (const d of declared) if (d.weight > 0 && !tags.has(d.tag)) tags.set(d.tag, -1);
  // Stated interests without history are the best signal there is: no open slots then.
  const openShare = recent.length === 0 ? (tags.size === 0 ? 1 : 0) : options.openShare;
  let openSlots = 0;
  for (let k = 0; k < slots; k++) if (rng.next() < openShare) openSlots++;
  const chosen: ({ item: number; sample: number } & Omit<ExplorationPick, 'sample'>)[] = [];
  if (openSlots < slots) {
    // The pool in order of entry, each item's reason beside it; `poolPlaces` finds an item's place.
    const pool: number[] = [];
    const whys: TagWhy[] = [];
    poolPlaces.begin();
    const inPool = (i: number): boolean => poolPlaces.get(i, -1) >= 0;
    const enter = (i: number, why: TagWhy): void => {
      poolPlaces.set(i, pool.length);
      pool.push(i);
      whys.push(why);
    };
    // One record per tag, shared by its items (read-only from here on).
    const whyOf = new Map<string, TagWhy>();
    for (const [tag, h] of tags) whyOf.set(tag, h < 0 ? { tag, declared: true } : { because: h, tag });
    const perTag = Math.max(MIN_TAG_SCAN, Math.floor(TAG_SCAN_BUDGET / tags.size));
    for (const [tag] of tags) {
      const why = whyOf.get(tag)!;
      const visit = (i: number): void => {
        if (!inPool(i) && eligible(i)) enter(i, why);
      };
      const holders = state.itemsByTag.get(tag);
      const list = state.tagItemLists.get(tag);
      if (holders === undefined || list === undefined) continue;
      if (list.length <= perTag) {
        for (const i of holders) visit(i);
        continue;
      }
      // A large tag: a random window of its items, so a feed never scans the whole tag. The list
      // only grows: while it is as long as the tag's set, no item left the tag, and none is asked.
      const start = rng.int(list.length);
      const current = list.length === holders.size;
      let touched = 0;
      for (let k = 0; k < perTag; k++) touched += touchEligibility(state, list[(start + k) % list.length]!);
      readAhead = touched;
      for (let k = 0; k < perTag; k++) {
        const i = list[(start + k) % list.length]!;
        if (current || holders.has(i)) visit(i);
      }
    }
    // New items in the user's tags: their first audience is people likely to enjoy them.
    for (const i of state.topFresh(
      OPEN_FRESH,
      nowMs - config.freshWindowMs,
      (j) => inPool(j) || !eligible(j),
    )) {
      const tag = state.records[i]?.tags.find((t) => tags.has(t));
      if (tag === undefined) continue;
      enter(i, whyOf.get(tag)!);
    }
    // thompson reads the pool without changing it.
    for (const c of thompson(state, config, pool, slots - openSlots, nowMs, rng, rates)) {
      chosen.push({ ...c, ...whys[poolPlaces.get(c.item, 0)]! });
    }
  }
  if (openSlots > 0) {
    const taken = new Set(chosen.map((c) => c.item));
    // The pool in order of entry (items drawn twice enter once).
    const pool: number[] = [];
    poolPlaces.begin();
    const enter = (i: number): void => {
      if (poolPlaces.get(i, -1) >= 0) return;
      poolPlaces.set(i, pool.length);
      pool.push(i);
    };
    const fresh = state.topFresh(
      OPEN_FRESH,
      nowMs - config.freshWindowMs,
      (i) => taken.has(i) || !eligible(i),
    );
    for (const i of fresh) enter(i);
    // Drawn first (eligibility draws nothing), then read ahead, then tested.
    const draws = state.itemCount > 0 ? OPEN_SAMPLE * 2 : 0;
    for (let k = 0; k < draws; k++) drawn[k] = rng.int(state.itemCount);
    let touched = 0;
    for (let k = 0; k < draws; k++) touched += touchEligibility(state, drawn[k]!);
    readAhead = touched;
    for (let k = 0; k < draws; k++) {
      const i = drawn[k]!;
      if (!taken.has(i) && eligible(i)) enter(i);
    }
    chosen.push(...thompson(state, config, pool, openSlots, nowMs, rng, rates));
  }
  if (discoverySlots > 0)
    chosen.push(
      ...discover(state, config, user, tags, chosen, head, discoverySlots, nowMs, rng, excluded, rates),
    );
  const positions = spreadPositions(n, chosen.length);
  chosen.forEach((c, k) => {
    const at = order.indexOf(c.item);
    if (at >= 0) order.splice(at, 1);
    order.splice(Math.min(positions[k]!, order.length), 0, c.item);
    const pick: ExplorationPick = { sample: c.sample };
    if (c.because !== undefined) pick.because = c.because;
    if (c.tag !== undefined) pick.tag = c.tag;
    if (c.declared === true) pick.declared = true;
    if (c.discovery === true) pick.discovery = true;
    picks.set(c.item, pick);
  });
  return picks;
}

/**
 * Interest discovery. A category the user took up only lately (among their newest positives, none
 * of their older ones) is followed up with one slot, so a found interest is confirmed quickly; the
 * other slots sweep categories the user has neither engaged with nor been shown lately (sampled
 * through random items, so larger categories come first): well-liked items of each, by Thompson
 * sampling on their outcomes, without the fresh boost or the user's past rate, one per category.
 */
function discover(
  state: OnlineState,
  config: EngineConfig,
  user: UserState | undefined,
  known: ReadonlyMap<string, number>,
  chosen: readonly { item: number }[],
  head: ReadonlySet<number>,
  slots: number,
  nowMs: number,
  rng: Random,
  excluded: (i: number) => boolean,
  rates: ReadonlyMap<number, { successes: number; trials: number }>,
): { item: number; sample: number; tag: string; discovery: true }[] {
  const taken = new Set(chosen.map((c) => c.item));
  const usable = (i: number): boolean => !taken.has(i) && !head.has(i) && !excluded(i);
  const out: { item: number; sample: number; tag: string; discovery: true }[] = [];
  const emerging = user === undefined ? undefined : emergingCategory(state, user);
  if (emerging !== undefined && slots > 1) {
    const pool = categoryItems(state, emerging, usable);
    for (const c of thompson(state, config, pool, 1, nowMs, rng, rates, false)) {
      out.push({ ...c, tag: emerging, discovery: true });
      taken.add(c.item);
    }
  }
  // Categories shown to the user lately, taken up or not, wait: the sweep moves on to others.
  const shown = new Set<string>();
  if (user !== undefined) {
    const table = user.items;
    for (let e = table.size - 1; e >= Math.max(0, table.size - DISCOVERY_SHOWN); e--) {
      const name = categoryName(state.records[table.item(e)]);
      if (name !== undefined) shown.add(name);
    }
  }
  const pool = new Map<number, string>();
  const categories = new Set<string>();
  // Unshown categories first; only when too few are left do recently shown ones come back.
  for (const allowShown of [false, true]) {
    for (
      let k = 0;
      k < DISCOVERY_DRAWS && categories.size < DISCOVERY_CATEGORIES && state.itemCount > 0;
      k++
    ) {
      const sampled = rng.int(state.itemCount);
      const name = categoryName(state.records[sampled]);
      if (name === undefined || name === emerging || known.has(name) || categories.has(name)) continue;
      if (!allowShown && shown.has(name)) continue;
      categories.add(name);
      const popular = categoryItems(state, name, (i) => usable(i) && !pool.has(i));
      // A category that is no tag has no popular list: the sampled item stands for it.
      if (popular.length === 0 && usable(sampled) && !pool.has(sampled)) popular.push(sampled);
      for (const i of popular) pool.set(i, name);
    }
    if (categories.size >= slots) break;
  }
  const used = new Set<string>();
  // The user's past rate on a category does not hold discovery back: tastes change.
  for (const c of thompson(state, config, [...pool.keys()], slots * 3, nowMs, rng, NO_RATES, false)) {
    if (out.length >= slots) break;
    const name = pool.get(c.item)!;
    if (used.has(name)) continue;
    used.add(name);
    out.push({ ...c, tag: name, discovery: true });
  }
  return out;
}

/** An item's category, or its first tag when it has none. */
function categoryName(record: ItemRecord | undefined): string | undefined {
  return record?.category ?? record?.tags[0];
}

/** A category's most popular items (through the tag of the same name), at most DISCOVERY_PER_CATEGORY. */
function categoryItems(state: OnlineState, name: string, usable: (i: number) => boolean): number[] {
  return state.firstPopularOfTag(name, DISCOVERY_PER_CATEGORY, (i) => !usable(i));
}

/**
 * The category of the user's newest positive items that none of their older positives share: an
 * interest they have just taken up.
 */
function emergingCategory(state: OnlineState, user: UserState): string | undefined {
  const recent = user.recent;
  if (recent.length <= EMERGING_ITEMS) return undefined;
  const older = new Set<string>();
  for (let r = 0; r < recent.length - EMERGING_ITEMS; r++) {
    const name = categoryName(state.records[recent[r]!]);
    if (name !== undefined) older.add(name);
  }
  for (let r = recent.length - 1; r >= recent.length - EMERGING_ITEMS; r--) {
    const name = categoryName(state.records[recent[r]!]);
    if (name !== undefined && !older.has(name)) return name;
  }
  return undefined;
}

/** Thompson sampling over a pool: each item's outcomes, its groups' prior, a boost while fresh. */
function thompson(
  state: OnlineState,
  config: EngineConfig,
  all: number[],
  slots: number,
  nowMs: number,
  rng: Random,
  rates: ReadonlyMap<number, { successes: number; trials: number }>,
  boostFresh = true,
): { item: number; sample: number }[] {
  if (all.length === 0 || slots <= 0) return [];
  const options = config.exploration;
  const stats = state.exploration;
  // Fresh items and items with outcomes always stay; untried old items are subsampled for speed.
  const created = state.createdAt.data;
  const shown = state.impressions.data;
  const trials = (i: number): number =>
    Math.max(valueAt(shown, i), stats.successesOf(i) + stats.failuresOf(i));
  // The pool's columns read in one pass first, so their misses overlap rather than come one by one.
  let touched = 0;
  for (let k = 0; k < all.length; k++) {
    const i = all[k]!;
    touched += valueAt(created, i) + valueAt(shown, i) + stats.touch(i);
  }
  const keep = (i: number): boolean => nowMs - valueAt(created, i) <= config.freshWindowMs || trials(i) > 0;
  let items = all.length <= MAX_POOL ? all : all.filter((i) => keep(i) || rng.next() * all.length < MAX_POOL);
  if (items.length > MAX_KEPT) {
    // A large catalogue where most items have outcomes: a uniform sample bounds the work per feed.
    for (let k = 0; k < MAX_KEPT; k++) {
      const j = k + rng.int(items.length - k);
      const swap = items[k]!;
      items[k] = items[j]!;
      items[j] = swap;
    }
    items = items.slice(0, MAX_KEPT);
  }
  for (let k = 0; k < items.length; k++) touched += stats.touchPrior(items[k]!);
  readAhead = touched;
  const successes = new Float64Array(items.length);
  const failures = new Float64Array(items.length);
  const priorMean = new Float64Array(items.length);
  const boost = new Float64Array(items.length);
  for (let k = 0; k < items.length; k++) {
    const i = items[k]!;
    successes[k] = stats.successesOf(i);
    failures[k] = trials(i) - successes[k]!;
    const itemMean = stats.itemPriorMean(state, i);
    const own = rates.size === 0 ? undefined : rates.get(stats.categoryGroupOf(i));
    const userMean =
      own === undefined
        ? itemMean
        : (own.successes + itemMean * USER_RATE_PRIOR) / (own.trials + USER_RATE_PRIOR);
    // A new item goes first to users who have taken to its category, so its first audience judges it
    // fairly (and still reaches everyone else as before); for other items a category the user has
    // lately turned down lowers the prior, one they like leaves exploration open.
    const ageMs = nowMs - valueAt(created, i);
    const fresh = ageMs <= config.freshWindowMs;
    priorMean[k] = boostFresh && fresh ? Math.max(itemMean, userMean) : Math.min(itemMean, userMean);
    boost[k] = !boostFresh ? 1 : 1 + options.freshBoost * decay(ageMs, options.freshHalfLifeMs);
  }
  const picked = pickExploration(
    { items, successes, failures, priorMean, boost },
    slots,
    options.priorStrength,
    rng,
  );
  return picked.items.map((item, k) => ({ item, sample: picked.samples[k]! }));
}

// biome-ignore lint/correctness/noUnusedVariables: written, never read, so that the reads are kept.
let readAhead = 0;
/** The open pool's random draws of the feed being planned. */
const drawn = new Int32Array(OPEN_SAMPLE * 2);

/**
 * Reads what an eligibility test reads of item `i` (whether it is servable, its impressions), so that a
 * loop reading many items first overlaps their misses; returns a value to discard.
 */
function touchEligibility(state: OnlineState, i: number): number {
  const servable = state.servable.data;
  const impressions = state.impressions.data;
  return (i < servable.length ? servable[i]! : 0) + valueAt(impressions, i);
}

/** `data[i]`, or 0 past its end (a Growable's fill). */
function valueAt(data: Float64Array, i: number): number {
  return i < data.length ? data[i]! : 0;
}
