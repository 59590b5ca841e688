import { eventWeight } from '../core/event-weight.js';
import { Growable } from '../core/growable.js';
import { type Cooccurrence, createCooccurrence } from '../core/online-cooccurrence.js';
import { topK, topKOf } from '../core/top-k.js';
import { TopPool } from '../core/top-pool.js';
import { UserItemPages, UserItems, UserItemsColumn, UserItemTables } from '../core/user-items.js';
import type { CreatorId, EventRecord, ItemId, ItemRecord, UserRecord } from '../types.js';
import type { EngineConfig } from './config.js';
import { createThreadedCooccurrence, type ThreadedCooccurrence } from './cooccurrence-thread.js';
import { ExplorationStats } from './exploration.js';
import { IdIndex, idHash } from './id-index.js';
import { TrendTracker } from './trends.js';

/**
 * What the engine knows of one user from their events, updated on every event: a view of row `index`
 * of the state's {@link UserColumns} (a user costs no object of their own; views are made on demand).
 * Per-item signals live in one compact {@link UserItems} table; `weights`, `lastAt` and `seen` are
 * Map-like views of it.
 */
export class UserState {
  /** Per item the user engaged with (viewed, skipped, ...): signed weight, last event time, credit. */
  readonly items: UserItems;
  private readonly columns: UserColumns;
  private readonly index: number;
  private weightsView: UserItemsColumn | undefined;
  private lastAtView: UserItemsColumn | undefined;

  /** Row `index` of `columns`; by default a user of their own. */
  constructor(columns: UserColumns = new UserColumns(new UserItemPages(64)), index = 0) {
    this.columns = columns;
    this.index = index;
    this.items = new UserItems(columns.tables, index);
  }

  /** Creator index -> how many of their items the user marked not_interested; undefined before the first. */
  get creatorStrikes(): ReadonlyMap<number, number> | undefined {
    return this.columns.creatorStrikes.get(this.index);
  }
  /** Creators the user follows, in order, without repeats (a fresh array; undefined before the first). */
  get followed(): readonly number[] | undefined {
    const tables = this.columns.tables;
    return tables.followCount(this.index) === 0 ? undefined : tables.followed(this.index);
  }
  get eventCount(): number {
    return this.columns.number(this.index, EVENT_COUNT);
  }
  set eventCount(count: number) {
    this.columns.setNumber(this.index, EVENT_COUNT, count);
  }
  get lastEventAt(): number {
    return this.columns.number(this.index, LAST_EVENT_AT);
  }
  set lastEventAt(atMs: number) {
    this.columns.setNumber(this.index, LAST_EVENT_AT, atMs);
  }
  /** Time of the user's earliest event: an account's age for burst damping. */
  get firstEventAt(): number {
    return this.columns.number(this.index, FIRST_EVENT_AT);
  }
  set firstEventAt(atMs: number) {
    this.columns.setNumber(this.index, FIRST_EVENT_AT, atMs);
  }
  /** Moving share of the user's recent events that showed interest (watched at least half, liked). */
  get engagement(): number {
    return this.columns.number(this.index, ENGAGEMENT);
  }
  set engagement(share: number) {
    this.columns.setNumber(this.index, ENGAGEMENT, share);
  }
  /** The same share over a longer horizon (about the last fifty events): the user's own norm. */
  get engagementBaseline(): number {
    return this.columns.number(this.index, ENGAGEMENT_BASELINE);
  }
  set engagementBaseline(share: number) {
    this.columns.setNumber(this.index, ENGAGEMENT_BASELINE, share);
  }

  /** Item index -> accumulated signed weight, capped at ±maxUserItemWeight. */
  get weights(): ReadonlyMap<number, number> {
    this.weightsView ??= new UserItemsColumn(this.items, 'weight');
    return this.weightsView;
  }
  /** Item index -> time of the user's last event on it. */
  get lastAt(): ReadonlyMap<number, number> {
    this.lastAtView ??= new UserItemsColumn(this.items, 'lastAt');
    return this.lastAtView;
  }
  /** Items with positive weight, oldest first, at most `recentItems` (a fresh array: kept in the item table's pages). */
  get recent(): number[] {
    return this.items.recent();
  }
  /** Items the user has engaged with: never served to them again. */
  get seen(): { has(item: number): boolean; readonly size: number } {
    return this.weights;
  }
  /** Whether the user engaged with item `i` (any event but an impression). */
  hasSeen(i: number): boolean {
    return this.items.find(i) >= 0;
  }
  strikesOf(creator: number): number {
    return this.creatorStrikes?.get(creator) ?? 0;
  }
}

/** A user's numbers, side by side in `UserColumns#numbers`: the fields' offsets in a row. */
const EVENT_COUNT = 0;
const LAST_EVENT_AT = 1;
/** NaN in the row of a user without state: the row's presence flag. */
const FIRST_EVENT_AT = 2;
const ENGAGEMENT = 3;
const ENGAGEMENT_BASELINE = 4;
const USER_FIELDS = 5;
/** The row of a user with state and no events yet. */
const NEW_USER_ROW: readonly number[] = [0, 0, Number.POSITIVE_INFINITY, 0.5, 0.5];

/**
 * Every user's state by user index: numbers in one typed array, a row of {@link USER_FIELDS} per user
 * (fields of an object per user would each hold a boxed number and cost the garbage collector; a
 * column per field would cost an event a cache miss per field), item tables in shared pages (with
 * each user's recent positives and followed creators), and the rarer creator strikes in a map by user.
 */
export class UserColumns {
  readonly tables: UserItemTables;
  /** Row u at [USER_FIELDS * u]; a user without state has NaN as their first event's time. */
  numbers = newUserRows(1024);
  readonly creatorStrikes = new Map<number, Map<number, number>>();

  constructor(pages: UserItemPages) {
    this.tables = new UserItemTables(pages);
  }

  /** Whether user `u` has state (an event applied, or made by `OnlineState#userState`). */
  has(u: number): boolean {
    const k = USER_FIELDS * u + FIRST_EVENT_AT;
    return k < this.numbers.length && !Number.isNaN(this.numbers[k]!);
  }

  /** Field `field` of user `u`'s row; a new user's value for a user without state. */
  number(u: number, field: number): number {
    return this.has(u) ? this.numbers[USER_FIELDS * u + field]! : NEW_USER_ROW[field]!;
  }

  setNumber(u: number, field: number, value: number): void {
    this.make(u);
    this.numbers[USER_FIELDS * u + field] = value;
  }

  /** Gives user `u` state (a new user's row) if they have none. */
  make(u: number): void {
    if (this.has(u)) return;
    if (USER_FIELDS * u >= this.numbers.length) {
      let rows = this.numbers.length / USER_FIELDS;
      while (rows <= u) rows *= 2;
      const grown = newUserRows(rows);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers.set(NEW_USER_ROW, USER_FIELDS * u);
    this.tables.ensure(u);
  }
}

/** `rows` rows of users without state. */
function newUserRows(rows: number): Float64Array {
  const numbers = new Float64Array(USER_FIELDS * rows);
  for (let k = FIRST_EVENT_AT; k < numbers.length; k += USER_FIELDS) numbers[k] = Number.NaN;
  return numbers;
}

/**
 * The users with state, as views made on demand: `get(u)` is undefined for a user without events,
 * and iterating yields every index below `length` in order (undefined where a user has none).
 */
export class UserStates implements Iterable<UserState | undefined> {
  private readonly columns: UserColumns;

  constructor(columns: UserColumns) {
    this.columns = columns;
  }

  /** One more than the highest user index with state. */
  get length(): number {
    return this.columns.tables.length;
  }

  get(u: number): UserState | undefined {
    return this.columns.has(u) ? new UserState(this.columns, u) : undefined;
  }

  /** How many items user `u` has engaged with (0 without state), without making a view. */
  itemCount(u: number): number {
    return u < this.columns.tables.length ? this.columns.tables.size(u) : 0;
  }

  /** Entry `e` (below `itemCount(u)`) of user `u`'s items: the item and its weight, without a view. */
  item(u: number, e: number): number {
    return this.columns.tables.item(u, e);
  }
  weight(u: number, e: number): number {
    return this.columns.tables.weight(u, e);
  }

  *[Symbol.iterator](): Iterator<UserState | undefined> {
    for (let u = 0; u < this.length; u++) yield this.get(u);
  }
}

/** An item joins the user's recent positives (and co-occurrence) once watched at least half, or liked. */
const INTEREST_WEIGHT = 0.5;

/** Each event moves a user's engagement rate this far toward its outcome: about the last ten count. */
const ENGAGEMENT_RATE = 0.1;
const ENGAGEMENT_BASELINE_RATE = 0.02;

/** Popularity is stored relative to a reference time and rebased before 2^x could overflow. */
const REBASE_HALF_LIVES = 200;
const NO_TAGS: readonly string[] = Object.freeze([]);
/** Neighbours kept per item, and how many of a user's latest positive items a new one co-occurs with. */
const COOCCURRENCE_NEIGHBOURS = 64;
const COOCCURRENCE_WINDOW = 20;
/** Events {@link OnlineState#applyAll} looks up and reads ahead of applying them: their lines stay in cache. */
const APPLY_CHUNK = 64;
/** Members kept per pool: well above what a feed reads from one (300 popular, 200 fresh, 60 per tag). */
const POOL_SIZE = 1_024;
const TAG_POOL_SIZE = 128;
/** {@link OnlineState.topPopular}'s shared ranking is redone once this share more events were applied (as tag rankings). */
const POPULAR_RANKING_STALE_SHARE = 0.001;

/**
 * The in-memory, online part of the engine: the catalogue in dense arrays, per-user state,
 * decayed popularity and co-occurrence. Every accepted event is applied here before the request
 * that carried it returns, so the next feed reflects it.
 */
export class OnlineState {
  readonly items = new IdIndex();
  readonly users = new IdIndex();
  readonly creators = new IdIndex();
  readonly records: (ItemRecord | undefined)[] = [];
  readonly userRecords = new Map<number, UserRecord>();
  readonly creatorOf = new Growable(Int32Array, -1);
  /** 1 when the item's metadata is known and it is visible. */
  readonly servable = new Growable(Uint8Array);
  readonly createdAt = new Growable(Float64Array);
  readonly popularity = new Growable(Float64Array);
  readonly impressions = new Growable(Float64Array);
  /**
   * Per item, side by side (one cache line an event, not three): at [3i] 1 + index of the current
   * damping window, at [3i + 1] the popularity new accounts added in it, at [3i + 2] established accounts'.
   */
  private readonly burst = new Growable(Float64Array, 0, 3 * 1_024);
  /** Where every user's item table lives. */
  readonly userItemPages = new UserItemPages();
  private readonly userColumns = new UserColumns(this.userItemPages);
  readonly userStates = new UserStates(this.userColumns);
  readonly itemsByCreator = new Map<number, Set<number>>();
  readonly itemsByTag = new Map<string, Set<number>>();
  /** Tag -> the items that ever carried it, in order: random windows of large tags, without a scan. */
  readonly tagItemLists = new Map<string, number[]>();
  /** Every tag seen, in order of first use: lets a feed sample tags without listing the map. */
  readonly tagNames: string[] = [];
  private readonly tagLists = new TagLists();
  /** Bounded supersets of the most popular items, of the newest, and of the most popular per tag. */
  private readonly popularPool = new TopPool(POOL_SIZE);
  /** The popular pool's positive members best first, and `eventsApplied` when ranked. */
  private popularRanking: { keys: Int32Array; complete: boolean; events: number } | undefined;
  private readonly freshPool = new TopPool(POOL_SIZE);
  /** The fresh pool's members newest first (ties: smaller index first), and `recordsSet` when ranked. */
  private freshRanking: { keys: Int32Array; records: number } | undefined;
  private readonly tagPools = new Map<string, TopPool>();
  readonly cooccurrence: Cooccurrence;
  readonly trends: TrendTracker;
  readonly exploration: ExplorationStats;
  popularityRefMs = 0;
  eventsApplied = 0;
  /** How many times {@link upsertItem} has set an item's record: a cache of records is current while it holds. */
  recordsSet = 0;
  /** How many of those replaced an earlier record (which reorders the item's creator and tag Sets). */
  recordsReplaced = 0;
  lastEventSeq = 0;
  private readonly config: EngineConfig;
  /** Told of every item whose record is set, so what they keep read from an old record is dropped. */
  private readonly recordListeners: ((i: number) => void)[] = [];
  /** The applying user's recent positives, copied for co-occurrence without an array per event. */
  private recentScratch = new Int32Array(64);
  /** {@link applyAll}'s item and user index of each event of a chunk, side by side. */
  private readonly batchIndices = new Int32Array(2 * APPLY_CHUNK);
  /** {@link applyAll}'s hashes of each event's item and user id, side by side. */
  private readonly batchHashes = new Int32Array(2 * APPLY_CHUNK);
  /** What {@link touch} read, kept so that the reads are not optimised away. */
  touched = 0;

  /** The co-occurrence when a worker thread applies its updates (see {@link settled}). */
  private readonly threaded: ThreadedCooccurrence | undefined;

  /**
   * `cooccurrenceThread`: co-occurrence's updates are applied on a worker thread of their own, off
   * this one's path; {@link settled} tells when they are (default: inline, as each event is applied).
   */
  constructor(config: EngineConfig, options: { cooccurrenceThread?: boolean } = {}) {
    this.config = config;
    const cooccurrence = {
      shrink: config.cooccurrenceShrink,
      maxNeighbours: COOCCURRENCE_NEIGHBOURS,
      window: COOCCURRENCE_WINDOW,
    };
    this.threaded =
      options.cooccurrenceThread === true ? createThreadedCooccurrence(cooccurrence) : undefined;
    this.cooccurrence = this.threaded ?? createCooccurrence(cooccurrence);
    this.trends = new TrendTracker(config.trends);
    this.exploration = new ExplorationStats(config.exploration);
    this.onRecordSet((i) => this.exploration.recordSet(this, i));
  }

  /** Calls `listener` with an item's index whenever {@link upsertItem} sets its record. */
  onRecordSet(listener: (i: number) => void): void {
    this.recordListeners.push(listener);
  }

  get itemCount(): number {
    return this.items.size;
  }

  /** Adds or replaces an item's metadata and re-indexes it. */
  upsertItem(record: ItemRecord): number {
    const i = this.items.intern(record.id);
    const previous = this.records[i];
    if (previous !== undefined) {
      this.recordsReplaced++;
      for (const tag of previous.tags) this.itemsByTag.get(tag)?.delete(i);
      const c = this.creatorOf.get(i);
      if (c >= 0) this.itemsByCreator.get(c)?.delete(i);
    }
    this.records[i] = record;
    const creator = record.creatorId === undefined ? -1 : this.creators.intern(record.creatorId);
    // The record keeps the indexes' copies of its strings and a tag list shared by the items with the same tags.
    record.id = this.items.id(i) as ItemId;
    if (creator >= 0) record.creatorId = this.creators.id(creator) as CreatorId;
    record.tags = this.tagLists.intern(record.tags) as string[];
    this.creatorOf.set(i, creator);
    if (creator >= 0) setOf(this.itemsByCreator, creator).add(i);
    this.createdAt.set(i, record.createdAt);
    this.servable.set(i, record.visibility === 'visible' ? 1 : 0);
    this.popularity.ensure(i + 1);
    this.impressions.ensure(i + 1);
    for (const tag of record.tags) {
      const holders = setOf(this.itemsByTag, tag);
      if (holders.has(i)) continue;
      holders.add(i);
      // A replaced record that keeps a tag is in its list already: the list grows only with new holders.
      if (previous?.tags.includes(tag) === true) continue;
      let list = this.tagItemLists.get(tag);
      if (list === undefined) {
        list = [];
        this.tagItemLists.set(tag, list);
        this.tagNames.push(tag);
      }
      list.push(i);
    }
    this.freshPool.offer(i, this.createdAt.data);
    this.offerPopularity(i);
    this.recordsSet++;
    for (const listener of this.recordListeners) listener(i);
    return i;
  }

  upsertUser(record: UserRecord): void {
    this.userRecords.set(this.users.intern(record.id), record);
  }

  /** User `u`'s state, made (empty) if they have none. */
  userState(u: number): UserState {
    return new UserState(this.ensureUser(u), u);
  }

  /**
   * Resolves once every event applied so far is in the state, co-occurrence included: at once when
   * it is applied inline; else when its thread has applied the updates handed to it now. Rejects if
   * that thread failed.
   */
  settled(): Promise<void> {
    return this.threaded?.settled() ?? Promise.resolve();
  }

  /** Starts co-occurrence's thread, if it has one, before its first update (see {@link settled}). */
  startThreads(): void {
    this.threaded?.start();
  }

  /** Whether co-occurrence's updates are applied on a worker thread of their own. */
  get cooccurrenceThreaded(): boolean {
    return this.threaded !== undefined;
  }

  /** Stops co-occurrence's thread, if any. */
  close(): Promise<void> {
    return this.threaded?.close() ?? Promise.resolve();
  }

  /** Makes user `u`'s state if they have none: `numbers` then holds row `u`. */
  private ensureUser(u: number): UserColumns {
    const columns = this.userColumns;
    columns.make(u);
    return columns;
  }

  /** Applies one event to the online state. */
  apply(event: EventRecord & { seq?: number }): void {
    const i = this.items.intern(event.itemId);
    this.applyTo(event, i, this.users.intern(event.userId));
  }

  /**
   * Applies events in order, as {@link apply} on each. A few dozen events at a time, their ids are
   * looked up and the state they will change is read first, in one loop: at a million users and
   * items nearly every one of those reads misses the cache, and reads with little work between them
   * overlap, where the apply meets them one after another.
   */
  applyAll(events: readonly (EventRecord & { seq?: number })[]): void {
    const indices = this.batchIndices;
    const hashes = this.batchHashes;
    const items = this.items;
    const users = this.users;
    for (let from = 0; from < events.length; from += APPLY_CHUNK) {
      const to = Math.min(events.length, from + APPLY_CHUNK);
      let touched = 0;
      // The id lookups in three passes, each of independent reads: the table's slots, the ids in
      // them, then the lookups themselves (which assign new ids in the events' order).
      for (let k = from; k < to; k++) {
        const event = events[k]!;
        const hi = idHash(event.itemId);
        const hu = idHash(event.userId);
        hashes[2 * (k - from)] = hi;
        hashes[2 * (k - from) + 1] = hu;
        indices[2 * (k - from)] = items.touchSlot(hi);
        indices[2 * (k - from) + 1] = users.touchSlot(hu);
      }
      for (let k = from; k < to; k++) {
        touched += items.touchId(indices[2 * (k - from)]!) + users.touchId(indices[2 * (k - from) + 1]!);
      }
      for (let k = from; k < to; k++) {
        const event = events[k]!;
        const i = items.internHashed(event.itemId, hashes[2 * (k - from)]!);
        const u = users.internHashed(event.userId, hashes[2 * (k - from) + 1]!);
        indices[2 * (k - from)] = i;
        indices[2 * (k - from) + 1] = u;
        touched += this.touch(i, u);
      }
      this.touched = touched;
      for (let k = from; k < to; k++) {
        this.applyTo(events[k]!, indices[2 * (k - from)]!, indices[2 * (k - from) + 1]!);
      }
    }
  }

  /** Reads what applying an event on item `i` by user `u` will read; returns a value to discard. */
  private touch(i: number, u: number): number {
    const c = this.userColumns;
    const numbers = c.numbers;
    let sum = USER_FIELDS * u < numbers.length ? numbers[USER_FIELDS * u]! : 0;
    sum += c.tables.touch(u);
    const popularity = this.popularity.data;
    if (i < popularity.length) sum += popularity[i]!;
    const burst = this.burst.data;
    if (3 * i < burst.length) sum += burst[3 * i]!;
    const creators = this.creatorOf.data;
    if (i < creators.length) sum += creators[i]!;
    sum += this.records[i]?.tags.length ?? 0;
    return sum + this.exploration.touch(i);
  }

  /** Applies `event`, whose item and user ids are `i` and `u`. */
  private applyTo(event: EventRecord & { seq?: number }, i: number, u: number): void {
    this.popularity.ensure(i + 1);
    // The user's columns are written directly: a view per event would be garbage per event, and
    // Growable#get, shared by every array type, is a polymorphic load.
    const c = this.ensureUser(u);
    const numbers = c.numbers;
    const row = USER_FIELDS * u;
    numbers[row + EVENT_COUNT]!++;
    numbers[row + LAST_EVENT_AT] = Math.max(numbers[row + LAST_EVENT_AT]!, event.at);
    numbers[row + FIRST_EVENT_AT] = Math.min(numbers[row + FIRST_EVENT_AT]!, event.at);
    this.eventsApplied++;
    if (event.seq !== undefined) this.lastEventSeq = Math.max(this.lastEventSeq, event.seq);
    const watchRatio = this.watchRatio(event, i);
    if (event.type === 'impression') {
      this.exploration.observe(this, i, event.type, watchRatio);
      this.impressions.add(i, 1);
      return;
    }
    const tables = c.tables;
    let e = tables.find(u, i);
    const priorItems = e < 0 ? tables.size(u) : tables.size(u) - 1;
    if (e < 0) e = tables.insert(u, i);
    tables.setJudged(u, e, this.exploration.observe(this, i, event.type, watchRatio, tables.judged(u, e)));
    tables.setLastAt(u, e, event.at);
    const creators = this.creatorOf.data;
    const creator = i < creators.length ? creators[i]! : -1;
    if (event.type === 'not_interested' && creator >= 0) {
      let strikes = c.creatorStrikes.get(u);
      if (strikes === undefined) {
        strikes = new Map();
        c.creatorStrikes.set(u, strikes);
      }
      strikes.set(creator, (strikes.get(creator) ?? 0) + 1);
    }
    if (event.type === 'follow' && creator >= 0) tables.follow(u, creator);

    const cap = this.config.maxUserItemWeight;
    const prev = tables.weight(u, e);
    const weight = eventWeight(event.type, watchRatio);
    const engaged = weight >= INTEREST_WEIGHT ? 1 : 0;
    const engagement = numbers[row + ENGAGEMENT]!;
    numbers[row + ENGAGEMENT] = engagement + ENGAGEMENT_RATE * (engaged - engagement);
    const baseline = numbers[row + ENGAGEMENT_BASELINE]!;
    numbers[row + ENGAGEMENT_BASELINE] = baseline + ENGAGEMENT_BASELINE_RATE * (engaged - baseline);
    const next = Math.max(-cap, Math.min(cap, prev + weight));
    const tags = this.records[i]?.tags ?? NO_TAGS;
    tables.setTrendAt(
      u,
      e,
      this.trends.observe(u, i, tags, weight, priorItems, event.at, tables.trendAt(u, e)),
    );
    tables.setWeight(u, e, next);
    // One user adds at most `cap` to an item's popularity, however often they repeat an event.
    this.creditPopularity(u, e, i, prev, next, event.at);
    if (prev < INTEREST_WEIGHT && next >= INTEREST_WEIGHT) {
      if (this.recentScratch.length < tables.recentCount(u)) {
        this.recentScratch = new Int32Array(tables.recentCount(u));
      }
      this.cooccurrence.addUserItem(i, this.recentScratch, tables.recentInto(u, this.recentScratch));
      tables.pushRecent(u, i, this.config.recentItems);
    } else if (prev >= INTEREST_WEIGHT && next < INTEREST_WEIGHT) {
      tables.removeRecent(u, i);
    }
  }

  /**
   * The `k` items of highest positive popularity that `skip` does not reject, best first: from the
   * popular pool's ranking (as of at most 0.1% of the events ago; `skip` is asked now), else from the
   * pool when it can answer exactly, else by a scan of the catalogue.
   */
  topPopular(k: number, skip: (i: number) => boolean): Int32Array {
    // The popular pool ranked once for every feed, until 0.1% more events were applied: a feed reads
    // the items it keeps or skips, not the pool's 1,024-2,048 values, and only the order may lag.
    let ranking = this.popularRanking;
    if (
      ranking === undefined ||
      this.eventsApplied - ranking.events > Math.floor(ranking.events * POPULAR_RANKING_STALE_SHARE)
    ) {
      ranking = {
        ...this.popularPool.ranked(this.popularity.data, Number.MIN_VALUE),
        events: this.eventsApplied,
      };
      this.popularRanking = ranking;
    }
    const ranked = ranking.keys;
    const out = new Int32Array(Math.max(0, k));
    let n = 0;
    for (let r = 0; r < ranked.length && n < k; r++) {
      const i = ranked[r]!;
      if (!skip(i)) out[n++] = i;
    }
    if (n === k || ranking.complete) return n === k ? out : out.slice(0, n);
    const values = this.popularity.data;
    const wanted = (i: number): boolean => values[i]! <= 0 || skip(i);
    return (
      this.popularPool.query(values, k, wanted, Number.MIN_VALUE) ??
      topK(values.subarray(0, this.itemCount), k, wanted)
    );
  }

  /**
   * The `k` newest items created at or after `sinceMs` that `skip` does not reject, newest first (items
   * created at the same instant by smaller index): from the fresh pool's ranking (redone once a record
   * was set; `skip` is asked now), else, when the ranking runs out first, from the pool when it can
   * answer exactly, else by a scan of the catalogue (those two in their heap's order of ties).
   */
  topFresh(k: number, sinceMs: number, skip: (i: number) => boolean): Int32Array {
    if (k <= 0) return new Int32Array(0);
    const values = this.createdAt.data;
    // Creation times and the pool change only when a record is set: the pool is ranked once for
    // every feed until then, and a feed reads the items it keeps or skips, not the pool's values.
    let ranking = this.freshRanking;
    if (ranking === undefined || ranking.records !== this.recordsSet) {
      ranking = { keys: this.freshPool.ranked(values).keys, records: this.recordsSet };
      this.freshRanking = ranking;
    }
    const ranked = ranking.keys;
    const out = new Int32Array(k);
    let n = 0;
    for (let r = 0; r < ranked.length && n < k; r++) {
      const i = ranked[r]!;
      // Older than the window: so is every later member, and (below the pool's bound) every other item.
      if (values[i]! < sinceMs) return out.slice(0, n);
      if (!skip(i)) out[n++] = i;
    }
    if (n === k) return out;
    const wanted = (i: number): boolean => values[i]! < sinceMs || skip(i);
    return (
      this.freshPool.query(values, k, wanted, sinceMs) ?? topK(values.subarray(0, this.itemCount), k, wanted)
    );
  }

  /**
   * Items carrying any of the tags, most popular first (ties: newest first), from the tags' pools
   * when they can answer exactly; undefined when the caller must scan the tags' items.
   */
  popularInTags(tags: readonly string[], k: number, skip: (i: number) => boolean): Int32Array | undefined {
    const candidates = new Set<number>();
    let bound = Number.NEGATIVE_INFINITY;
    for (const tag of tags) {
      const pool = this.tagPools.get(tag);
      if (pool === undefined) continue;
      bound = Math.max(bound, pool.bound);
      const holders = this.itemsByTag.get(tag);
      for (const i of pool.keys()) if (holders?.has(i) && !skip(i)) candidates.add(i);
    }
    const list = [...candidates];
    const top = topKOf(list, k, (i) => this.popularity.get(i) + (1e-9 * this.createdAt.get(i)) / 1e12);
    if (bound === Number.NEGATIVE_INFINITY) return top;
    return top.length === k && k > 0 && this.popularity.get(top[k - 1]!) > bound ? top : undefined;
  }

  /** A tag's most popular items (a superset; all of them while the tag is small), still carrying it. */
  popularOfTag(tag: string): number[] {
    return this.firstPopularOfTag(tag, Number.POSITIVE_INFINITY, () => false);
  }

  /**
   * The first `limit` items of {@link popularOfTag}'s list (in the same order) that `skip` does not
   * reject: the tag's pool is walked only until they are found.
   */
  firstPopularOfTag(tag: string, limit: number, skip: (i: number) => boolean): number[] {
    const out: number[] = [];
    const holders = this.itemsByTag.get(tag);
    const keys = this.tagPools.get(tag)?.keys();
    if (holders === undefined || keys === undefined) return out;
    for (let k = 0; k < keys.length && out.length < limit; k++) {
      const i = keys[k]!;
      if (holders.has(i) && !skip(i)) out.push(i);
    }
    return out;
  }

  /** Decayed popularity of an item at `nowMs`, in event-weight units. */
  popularityAt(i: number, nowMs: number): number {
    return this.popularity.get(i) * 2 ** ((this.popularityRefMs - nowMs) / this.config.popularityHalfLifeMs);
  }

  isServable(i: number): boolean {
    return this.servable.get(i) === 1;
  }

  private watchRatio(event: EventRecord, i: number): number | undefined {
    if (event.watchRatio !== undefined) return event.watchRatio;
    const durationMs = this.records[i]?.durationMs;
    if (event.watchMs !== undefined && durationMs !== undefined && durationMs > 0)
      return event.watchMs / durationMs;
    return undefined;
  }

  /** Whether burst damping applies to this user's contributions at `atMs`. */
  isNewAccount(s: UserState, atMs: number): boolean {
    return this.isNewUser(s.items.table, atMs);
  }

  private isNewUser(u: number, atMs: number): boolean {
    const c = this.userColumns;
    return (
      c.tables.size(u) < this.config.newAccountMinItems ||
      atMs - c.number(u, FIRST_EVENT_AT) < this.config.newAccountMinAgeMs
    );
  }

  /**
   * Moves the popularity the user has credited to item `i` towards their capped weight `next`.
   * Increases from new accounts draw on the item's per-window budget, so a burst of fresh accounts
   * hammering one item adds at most the budget (plus a multiple of established support); decreases
   * take back at most what was credited.
   */
  private creditPopularity(u: number, e: number, i: number, prev: number, next: number, atMs: number): void {
    const tables = this.userColumns.tables;
    const credited = tables.credit(u, e);
    const before = Number.isNaN(credited) ? Math.max(0, prev) : credited;
    const target = Math.max(0, next);
    let after = target;
    if (target > before) {
      const c = this.config;
      const window = Math.floor(atMs / c.newAccountWindowMs) + 1;
      // Windows only move forward, so interleaving old timestamps cannot reset the budget.
      this.burst.ensure(3 * i + 3);
      const burst = this.burst.data;
      if (window > burst[3 * i]!) {
        burst[3 * i] = window;
        burst[3 * i + 1] = 0;
        burst[3 * i + 2] = 0;
      }
      const want = target - before;
      if (this.isNewUser(u, atMs)) {
        const budget = c.newAccountItemBudget + c.newAccountSupportRatio * burst[3 * i + 2]!;
        const granted = Math.max(0, Math.min(want, budget - burst[3 * i + 1]!));
        burst[3 * i + 1] = burst[3 * i + 1]! + granted;
        after = before + granted;
      } else {
        burst[3 * i + 2] = burst[3 * i + 2]! + want;
      }
    }
    tables.setCredit(u, e, after === target ? Number.NaN : after);
    if (after !== before) this.addPopularity(i, after - before, atMs);
  }

  private addPopularity(i: number, amount: number, atMs: number): void {
    const h = this.config.popularityHalfLifeMs;
    if (this.popularityRefMs === 0) this.popularityRefMs = atMs;
    if ((atMs - this.popularityRefMs) / h > REBASE_HALF_LIVES) {
      const factor = 2 ** ((this.popularityRefMs - atMs) / h);
      const data = this.popularity.data;
      for (let k = 0; k < data.length; k++) data[k] = data[k]! * factor;
      this.popularityRefMs = atMs;
      this.popularPool.scale(factor);
      for (const pool of this.tagPools.values()) pool.scale(factor);
    }
    this.popularity.add(i, amount * 2 ** ((atMs - this.popularityRefMs) / h));
    if (amount > 0) this.offerPopularity(i);
  }

  private offerPopularity(i: number): void {
    const values = this.popularity.data;
    this.popularPool.offer(i, values);
    // Indexed: for-of here allocated an iterator result per tag, per event.
    const tags = this.records[i]?.tags ?? NO_TAGS;
    for (let t = 0; t < tags.length; t++) {
      const tag = tags[t]!;
      let pool = this.tagPools.get(tag);
      if (pool === undefined) {
        pool = new TopPool(TAG_POOL_SIZE);
        this.tagPools.set(tag, pool);
      }
      pool.offer(i, values);
    }
  }
}

/**
 * One frozen copy of each distinct tag list, holding one copy of each tag: records parsed from a store
 * each bring their own array and strings (about 100 bytes an item for two tags).
 */
class TagLists {
  private readonly tags = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();

  intern(tags: readonly string[]): readonly string[] {
    if (tags.length === 0) return NO_TAGS;
    const key = tags.length === 1 ? tags[0]! : tags.join('\u0000');
    const held = this.lists.get(key);
    if (held !== undefined && (held === tags || sameTags(held, tags))) return held;
    const list = Object.freeze(tags.map((tag) => this.tag(tag)));
    this.lists.set(tags.length === 1 ? list[0]! : key, list);
    return list;
  }

  private tag(tag: string): string {
    const held = this.tags.get(tag);
    if (held !== undefined) return held;
    this.tags.set(tag, tag);
    return tag;
  }
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function setOf<K>(map: Map<K, Set<number>>, key: K): Set<number> {
  let s = map.get(key);
  if (s === undefined) {
    s = new Set();
    map.set(key, s);
  }
  return s;
}
