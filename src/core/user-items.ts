/**
 * Floats per entry in a {@link UserItems} table: one holding two int32s (the item with the
 * exploration judgement packed in, `item * 4 + judgement + 1`, and when the item last counted toward
 * a trend, in milliseconds from the tables' base time), then weight, last event time and popularity
 * credit as Float64.
 */
const STRIDE = 4;
const WEIGHT = 1;
const LAST_AT = 2;
const CREDIT = 3;
/** The int32s of an entry's first float. */
const ITEM = 0;
const TREND_AT = 1;
/** Int32s in a 64-byte cache line. */
const LINE_INTS = 16;
/** Items are packed four to an int32 unit: indices from this one could not be. */
const MAX_ITEMS = 2 ** 29;
/** A trend time held as this offset stands for "longer ago than the offsets reach" (read as -Infinity). */
const LONG_AGO = -0x80000000;
const MAX_OFFSET = 0x7fffffff;
/** When a trend time lies past the offsets' reach, the base moves to this far (about 12 days) before it. */
const REBASE_LEAD = 2 ** 30;
/** Up to this many entries a lookup scans; above it the table keeps an open-addressing index. */
const SCAN_LIMIT = 24;
/**
 * Entries of a table's first block; a full table moves to a block a quarter larger (the blocks left
 * behind are reclaimed, so a small step costs copies, not memory).
 */
const INITIAL_ENTRIES = 2;
const GROWTH = 1.25;
/** Addresses are page * 2^PAGE_BITS + offset; a page holds at most 2^PAGE_BITS floats (1 MiB). */
const PAGE_BITS = 17;
const PAGE = 1 << PAGE_BITS;
/** Addresses are kept in Int32Arrays: pages beyond this many (16 GiB of 1 MiB pages) could not be addressed. */
const MAX_PAGES = 2 ** (31 - PAGE_BITS);
const NO_ENTRIES = new Float64Array(0);
const NO_INTS = new Int32Array(0);
/** Released blocks are listed as `address + epoch * EPOCH` (addresses are below 2^31). */
const EPOCH = 2 ** 31;

/**
 * The storage of many {@link UserItems} tables: blocks of entries carved from shared Float64Array
 * pages, so a user costs no typed array (and its ArrayBuffer and backing store, a few hundred bytes)
 * of their own and the garbage collector sees a few large arrays instead of one per user. A table
 * that grows moves to a larger block and its old block is reused by the next table of that size;
 * a block above a quarter of a page gets a page of its own, dropped when the table moves on.
 * Released blocks nobody reuses (the small sizes every table grew through) are reclaimed a page at
 * a time: the owner moves the live blocks out of the page {@link wastefulPage} names, and the page
 * is then bump-allocated from again.
 *
 * @example
 * const pages = new UserItemPages();
 * const tables = new UserItemTables(pages); // every user's table, in these pages
 */
export class UserItemPages {
  private readonly pages: Float64Array[] = [];
  /** The same pages as int32s (two to a float): item numbers, trend times and lists. */
  private readonly intPages: Int32Array[] = [];
  private readonly pageFloats: number;
  /** The page blocks are bump-allocated from (-1: none yet), and its first unused float. */
  private current = -1;
  private end = 0;
  /**
   * Released blocks by size in floats, reused before the current page is extended, each as
   * `address + epoch * 2^31`: one whose page has been emptied since (a newer epoch) is stale and skipped.
   */
  private readonly free = new Map<number, number[]>();
  /** Per shared page: floats in released blocks not reused yet (-1: a page of one large block). */
  private readonly pageFree: number[] = [];
  /** Per page: released blocks not reused yet, and how many times it has been emptied. */
  private readonly pageFreeBlocks: number[] = [];
  private readonly pageEpoch: number[] = [];
  private freeFloats = 0;
  private freeBlocks = 0;
  private staleBlocks = 0;
  /**
   * The most released floats any page held when a scan last found none worth emptying, and the
   * floats released since: until they add up to an eighth of a page, no page can be, and no scan runs.
   */
  private mostFreeAtScan = Number.POSITIVE_INFINITY;
  private releasedSinceScan = 0;
  private sharedPages = 0;
  /** Emptied pages, bump-allocated from before a new page is added. */
  private readonly spare: number[] = [];
  private bytes = 0;

  /** `pageEntries` sizes the shared pages (default: as many entries as fit in 1 MiB). */
  constructor(pageEntries = Math.floor(PAGE / STRIDE)) {
    this.pageFloats = Math.min(PAGE, Math.max(1, pageEntries) * STRIDE);
  }

  /** Bytes held by the pages. */
  get byteLength(): number {
    return this.bytes;
  }

  /** Whether a block of `floats` floats is carved from a shared page (a larger one gets a page of its own). */
  shares(floats: number): boolean {
    return 4 * floats <= this.pageFloats;
  }

  /** A block of `floats` floats; returns its address. */
  allocate(floats: number): number {
    const list = this.free.get(floats);
    for (let entry = list?.pop(); entry !== undefined; entry = list?.pop()) {
      const address = entry % EPOCH;
      const p = address >>> PAGE_BITS;
      if ((entry - address) / EPOCH !== this.pageEpoch[p]) {
        this.staleBlocks--;
        continue;
      }
      this.pageFree[p]! -= floats;
      this.pageFreeBlocks[p]!--;
      this.freeFloats -= floats;
      this.freeBlocks--;
      return address;
    }
    if (!this.shares(floats)) return this.addPage(floats, -1) * PAGE;
    if (this.current < 0 || this.end + floats > this.pageFloats) {
      this.current = this.spare.pop() ?? this.addPage(this.pageFloats, 0);
      this.end = 0;
    }
    const address = this.current * PAGE + this.end;
    this.end += floats;
    return address;
  }

  /** Gives back a block from {@link allocate} of the same size. */
  release(address: number, floats: number): void {
    if (!this.shares(floats)) {
      const p = address >>> PAGE_BITS;
      this.bytes -= this.pages[p]!.byteLength;
      this.pages[p] = NO_ENTRIES;
      this.intPages[p] = NO_INTS;
      return;
    }
    let list = this.free.get(floats);
    if (list === undefined) {
      list = [];
      this.free.set(floats, list);
    }
    const p = address >>> PAGE_BITS;
    list.push(address + this.pageEpoch[p]! * EPOCH);
    this.pageFree[p]! += floats;
    this.pageFreeBlocks[p]!++;
    this.freeFloats += floats;
    this.freeBlocks++;
    this.releasedSinceScan += floats;
  }

  /** Bytes in released blocks not reused yet. */
  get releasedBytes(): number {
    return this.freeFloats * 8;
  }

  /**
   * A shared page worth emptying (-1: none): once released blocks hold more than 1/16 of the shared
   * pages, the page (not the one being filled) with the most of them, if that is an eighth of it.
   */
  wastefulPage(): number {
    if (16 * this.freeFloats <= this.sharedPages * this.pageFloats) return -1;
    if (8 * (this.mostFreeAtScan + this.releasedSinceScan) < this.pageFloats) return -1;
    let best = -1;
    let most = 0;
    for (let p = 0; p < this.pageFree.length; p++) {
      most = Math.max(most, this.pageFree[p]!);
      if (p !== this.current && this.pageFree[p]! > (best < 0 ? 0 : this.pageFree[best]!)) best = p;
    }
    if (best >= 0 && 8 * this.pageFree[best]! >= this.pageFloats) {
      this.mostFreeAtScan = Number.POSITIVE_INFINITY;
      return best;
    }
    this.mostFreeAtScan = most;
    this.releasedSinceScan = 0;
    return -1;
  }

  /**
   * Forgets the released blocks of page `p`, so none is handed out while its owner empties it: they
   * turn stale in place, and the lists are swept only once stale blocks outnumber the others.
   */
  beginEmptying(p: number): void {
    this.pageEpoch[p]!++;
    this.staleBlocks += this.pageFreeBlocks[p]!;
    this.freeBlocks -= this.pageFreeBlocks[p]!;
    this.pageFreeBlocks[p] = 0;
    this.freeFloats -= this.pageFree[p]!;
    this.pageFree[p] = 0;
    if (this.staleBlocks <= this.freeBlocks + 1_024) return;
    for (const list of this.free.values()) {
      let kept = 0;
      for (const entry of list) {
        const address = entry % EPOCH;
        if ((entry - address) / EPOCH === this.pageEpoch[address >>> PAGE_BITS]) list[kept++] = entry;
      }
      list.length = kept;
    }
    this.staleBlocks = 0;
  }

  /** Page `p` holds no live block any more: it is bump-allocated from again. */
  endEmptying(p: number): void {
    this.spare.push(p);
  }

  /** The page holding the block at `address`; the block starts at `address % 2^17` in it. */
  page(address: number): Float64Array {
    return this.pages[address >>> PAGE_BITS]!;
  }

  /** The same page as int32s: the block starts at `2 * (address % 2^17)` in it. */
  ints(address: number): Int32Array {
    return this.intPages[address >>> PAGE_BITS]!;
  }

  private addPage(floats: number, free: number): number {
    if (this.pages.length >= MAX_PAGES)
      throw new RangeError(`users' item tables: more than ${MAX_PAGES} pages`);
    const page = new Float64Array(floats);
    this.pages.push(page);
    this.intPages.push(new Int32Array(page.buffer));
    this.pageFree.push(free);
    this.pageFreeBlocks.push(0);
    this.pageEpoch.push(0);
    if (free === 0) this.sharedPages++;
    this.bytes += floats * 8;
    return this.pages.length - 1;
  }
}

/**
 * Many users' item tables as (item and judgement, trend time, weight, lastAt, credit) entries of four
 * floats in blocks of a {@link UserItemPages}, in first-seen order: 32 bytes per item where Maps and
 * Sets cost hundreds. A table is a number; where its blocks are and how full they are live in int32
 * columns indexed by it (24 bytes a table), so a user costs no object of their own. Lookups scan small
 * tables and use an open-addressing index (item -> entry + 1) once a table outgrows {@link SCAN_LIMIT}.
 * Trend times are whole milliseconds from a base time that moves forward when times pass about 24
 * days beyond it; one more than about 24 days before the base reads back as -Infinity, like an item
 * never counted (as in `PairTimes`): a cooldown shorter than that sees no difference. Recent and
 * followed lists hold int32s, two to a float.
 *
 * @example
 * const tables = new UserItemTables();
 * const t = tables.create();
 * const e = tables.insert(t, 42); tables.setWeight(t, e, 1);
 * tables.find(t, 42); // 0
 */
export class UserItemTables {
  readonly pages: UserItemPages;
  /**
   * Per table, a row of {@link HEAD} int32s side by side (an event reads one or two cache lines, not
   * one per column): its entries' block (-1: none), capacity and size in entries (entry e starts at
   * `address + e * STRIDE`); then its recent list and the list of creators the user follows, each a
   * block of the pages (-1: none yet), its capacity and length in items.
   */
  private heads: Int32Array = new Int32Array(0);
  /** The index of each table above {@link SCAN_LIMIT} entries (filled in order: a sparse array turns into a dictionary). */
  private readonly indexes: (Int32Array | undefined)[] = [];
  /** Per shared page, the blocks carved from it, so emptying a page visits its blocks and not every table. */
  private readonly owners = new PageOwners((owner) => this.blockOf(owner));
  private count = 0;
  /** The time trend offsets count from (NaN until the first is set). */
  private trendBase = Number.NaN;

  /** Tables of one state share `pages`; tables made alone get small pages of their own. */
  constructor(pages: UserItemPages = new UserItemPages(64)) {
    this.pages = pages;
  }

  /** How many tables there are: tables are numbered from 0. */
  get length(): number {
    return this.count;
  }

  /** Makes tables up to number `t` (empty); returns `t`. */
  ensure(t: number): number {
    if (t < this.count) return t;
    if (HEAD * t >= this.heads.length) {
      let length = Math.max(1_024, this.heads.length / HEAD);
      while (length <= t) length *= 2;
      const heads = new Int32Array(HEAD * length);
      heads.set(this.heads);
      for (let h = this.heads.length; h < heads.length; h += HEAD) {
        heads[h + BLOCK] = -1;
        heads[h + RECENT_LIST + BLOCK] = -1;
        heads[h + FOLLOWED_LIST + BLOCK] = -1;
      }
      this.heads = heads;
    }
    this.count = t + 1;
    return t;
  }

  /** A new empty table; returns its number. */
  create(): number {
    return this.ensure(this.count);
  }

  size(t: number): number {
    return this.heads[HEAD * t + SIZE]!;
  }

  /** The entry of `item` in table `t`, or -1. */
  find(t: number, item: number): number {
    const index = this.indexes[t];
    if (index === undefined) {
      const size = this.heads[HEAD * t + SIZE]!;
      if (size === 0) return -1;
      const address = this.heads[HEAD * t + BLOCK]!;
      const ints = this.pages.ints(address);
      const lo = item * 4;
      const hi = lo + 2;
      for (let e = 0, k = 2 * (address & (PAGE - 1)) + ITEM; e < size; e++, k += 2 * STRIDE) {
        const packed = ints[k]!;
        if (packed >= lo && packed <= hi) return e;
      }
      return -1;
    }
    const mask = index.length - 1;
    for (let h = hash(item) & mask; ; h = (h + 1) & mask) {
      const slot = index[h]!;
      if (slot === 0) return -1;
      if (this.item(t, slot - 1) === item) return slot - 1;
    }
  }

  /**
   * Reads table `t`'s head and every cache line of what an event on it reads (its entries while they
   * are scanned, its recent list), so that the event finds them in cache; returns a value to discard.
   */
  touch(t: number): number {
    const h = HEAD * t;
    if (h >= this.heads.length) return 0;
    const entries = this.heads[h + BLOCK]!;
    const size = this.heads[h + SIZE]!;
    const recent = this.heads[h + RECENT_LIST + BLOCK]!;
    let sum = 0;
    if (entries >= 0) {
      const ints = this.pages.ints(entries);
      const o = 2 * (entries & (PAGE - 1));
      const end = o + 2 * STRIDE * Math.min(size, SCAN_LIMIT);
      for (let k = o; k < end; k += LINE_INTS) sum ^= ints[k]!;
    }
    if (recent >= 0) sum ^= this.pages.ints(recent)[2 * (recent & (PAGE - 1))]!;
    return sum;
  }

  /** Appends `item` (which must not be present) with weight 0, lastAt 0, no credit or judgement; returns its entry. */
  insert(t: number, item: number): number {
    if (!(item >= 0 && item < MAX_ITEMS))
      throw new RangeError(`users' item tables: item ${item} out of range`);
    const e = this.heads[HEAD * t + SIZE]!;
    if (e + 1 > this.heads[HEAD * t + CAPACITY]!)
      this.grow(t, e === 0 ? INITIAL_ENTRIES : Math.ceil(GROWTH * (e + 1)));
    const address = this.heads[HEAD * t + BLOCK]!;
    const data = this.pages.page(address);
    const k = (address & (PAGE - 1)) + e * STRIDE;
    const ints = this.pages.ints(address);
    ints[2 * k + ITEM] = item * 4 + 1;
    ints[2 * k + TREND_AT] = LONG_AGO;
    data[k + WEIGHT] = 0;
    data[k + LAST_AT] = 0;
    data[k + CREDIT] = Number.NaN;
    const size = e + 1;
    this.heads[HEAD * t + SIZE] = size;
    const index = this.indexes[t];
    if (index !== undefined && 2 * size <= index.length) place(index, item, e);
    else if (size > SCAN_LIMIT) this.reindex(t);
    return e;
  }

  item(t: number, e: number): number {
    return this.readInt(t, e, ITEM) >> 2;
  }
  weight(t: number, e: number): number {
    return this.read(t, e, WEIGHT);
  }
  setWeight(t: number, e: number, weight: number): void {
    this.write(t, e, WEIGHT, weight);
  }
  lastAt(t: number, e: number): number {
    return this.read(t, e, LAST_AT);
  }
  setLastAt(t: number, e: number, atMs: number): void {
    this.write(t, e, LAST_AT, atMs);
  }
  /** Popularity actually credited for the entry, or NaN when it equals the positive part of the weight. */
  credit(t: number, e: number): number {
    return this.read(t, e, CREDIT);
  }
  setCredit(t: number, e: number, credit: number): void {
    this.write(t, e, CREDIT, credit);
  }
  /** The user's exploration judgement of the item: 1 success, -1 failure, 0 none yet. */
  judged(t: number, e: number): number {
    return (this.readInt(t, e, ITEM) & 3) - 1;
  }
  setJudged(t: number, e: number, judged: number): void {
    this.writeInt(t, e, ITEM, this.item(t, e) * 4 + judged + 1);
  }
  /** When the user last counted toward the item's trend (-Infinity: never, or too long ago to hold). */
  trendAt(t: number, e: number): number {
    const offset = this.readInt(t, e, TREND_AT);
    return offset === LONG_AGO ? Number.NEGATIVE_INFINITY : this.trendBase + offset;
  }
  setTrendAt(t: number, e: number, atMs: number): void {
    if (atMs === Number.NEGATIVE_INFINITY) {
      this.writeInt(t, e, TREND_AT, LONG_AGO);
      return;
    }
    if (Number.isNaN(this.trendBase)) this.trendBase = atMs;
    else if (atMs - this.trendBase > MAX_OFFSET) this.rebaseTrends(atMs - REBASE_LEAD);
    const offset = atMs - this.trendBase;
    this.writeInt(t, e, TREND_AT, Math.max(LONG_AGO, offset));
  }

  /** Bytes of the table's blocks and index. */
  byteLength(t: number): number {
    return (
      (this.heads[HEAD * t + CAPACITY]! * STRIDE +
        listFloats(this.heads[HEAD * t + RECENT_LIST + CAPACITY]!) +
        listFloats(this.heads[HEAD * t + FOLLOWED_LIST + CAPACITY]!)) *
        8 +
      (this.indexes[t]?.byteLength ?? 0)
    );
  }

  /** The recent list, oldest first: a fresh array of the items pushed (kept in a block of the same pages). */
  recent(t: number): number[] {
    return this.listOf(RECENT_LIST, t);
  }

  /** Copies the recent list, oldest first, into `out` (which must hold it); returns its length. */
  recentInto(t: number, out: Int32Array): number {
    const row = RECENT_LIST;
    const length = this.heads[HEAD * t + row + SIZE]!;
    if (length === 0) return 0;
    const address = this.heads[HEAD * t + row + BLOCK]!;
    const page = this.pages.ints(address);
    const base = 2 * (address & (PAGE - 1));
    for (let r = 0; r < length; r++) out[r] = page[base + r]!;
    return length;
  }

  recentCount(t: number): number {
    return this.heads[HEAD * t + RECENT_LIST + SIZE]!;
  }

  /** Appends `item` to the recent list, dropping its oldest item when it would hold more than `limit`. */
  pushRecent(t: number, item: number, limit: number): void {
    if (limit <= 0) return;
    const row = RECENT_LIST;
    let length = this.heads[HEAD * t + row + SIZE]!;
    if (length === this.heads[HEAD * t + row + CAPACITY]! && length < limit) this.growList(row, t, limit);
    const address = this.heads[HEAD * t + row + BLOCK]!;
    const page = this.pages.ints(address);
    const base = 2 * (address & (PAGE - 1));
    while (length >= limit) {
      page.copyWithin(base, base + 1, base + length);
      length--;
    }
    page[base + length++] = item;
    this.heads[HEAD * t + row + SIZE] = length;
  }

  /** Removes the first occurrence of `item` from the recent list, if there. */
  removeRecent(t: number, item: number): void {
    const row = RECENT_LIST;
    const length = this.heads[HEAD * t + row + SIZE]!;
    if (length === 0) return;
    const address = this.heads[HEAD * t + row + BLOCK]!;
    const page = this.pages.ints(address);
    const base = 2 * (address & (PAGE - 1));
    for (let r = 0; r < length; r++) {
      if (page[base + r] !== item) continue;
      page.copyWithin(base + r, base + r + 1, base + length);
      this.heads[HEAD * t + row + SIZE] = length - 1;
      return;
    }
  }

  /** The creators the table's user follows, in order (a fresh array). */
  followed(t: number): number[] {
    return this.listOf(FOLLOWED_LIST, t);
  }

  followCount(t: number): number {
    return this.heads[HEAD * t + FOLLOWED_LIST + SIZE]!;
  }

  /** Adds `creator` to the followed list unless it is there. */
  follow(t: number, creator: number): void {
    const row = FOLLOWED_LIST;
    const length = this.heads[HEAD * t + row + SIZE]!;
    if (length > 0) {
      const address = this.heads[HEAD * t + row + BLOCK]!;
      const page = this.pages.ints(address);
      const base = 2 * (address & (PAGE - 1));
      for (let r = 0; r < length; r++) if (page[base + r] === creator) return;
    }
    if (length === this.heads[HEAD * t + row + CAPACITY]!) this.growList(row, t, Number.POSITIVE_INFINITY);
    const address = this.heads[HEAD * t + row + BLOCK]!;
    this.pages.ints(address)[2 * (address & (PAGE - 1)) + length] = creator;
    this.heads[HEAD * t + row + SIZE] = length + 1;
  }

  private listOf(row: number, t: number): number[] {
    const length = this.heads[HEAD * t + row + SIZE]!;
    const out = new Array<number>(length);
    if (length === 0) return out;
    const address = this.heads[HEAD * t + row + BLOCK]!;
    const page = this.pages.ints(address);
    const base = 2 * (address & (PAGE - 1));
    for (let r = 0; r < length; r++) out[r] = page[base + r]!;
    return out;
  }

  /** Moves a full list to a block half as large again, at most `limit` items. */
  private growList(row: number, t: number, limit: number): void {
    const length = this.heads[HEAD * t + row + SIZE]!;
    const capacity = Math.min(limit, Math.max(INITIAL_ENTRIES, Math.ceil(1.5 * (length + 1))));
    const from = this.heads[HEAD * t + row + BLOCK]!;
    const address = this.allocate(
      listFloats(capacity),
      t * KINDS + (row === RECENT_LIST ? RECENT : FOLLOWED),
      from,
    );
    if (from >= 0) {
      this.copy(from, address, listFloats(length));
      this.pages.release(from, listFloats(this.heads[HEAD * t + row + CAPACITY]!));
    }
    this.heads[HEAD * t + row + BLOCK] = address;
    this.heads[HEAD * t + row + CAPACITY] = capacity;
    if (from >= 0) this.reclaim();
  }

  private read(t: number, e: number, field: number): number {
    const address = this.heads[HEAD * t + BLOCK]!;
    return this.pages.page(address)[(address & (PAGE - 1)) + e * STRIDE + field]!;
  }

  private write(t: number, e: number, field: number, value: number): void {
    const address = this.heads[HEAD * t + BLOCK]!;
    this.pages.page(address)[(address & (PAGE - 1)) + e * STRIDE + field] = value;
  }

  private readInt(t: number, e: number, field: number): number {
    const address = this.heads[HEAD * t + BLOCK]!;
    return this.pages.ints(address)[2 * ((address & (PAGE - 1)) + e * STRIDE) + field]!;
  }

  private writeInt(t: number, e: number, field: number, value: number): void {
    const address = this.heads[HEAD * t + BLOCK]!;
    this.pages.ints(address)[2 * ((address & (PAGE - 1)) + e * STRIDE) + field] = value;
  }

  /** Moves the trend times' base to `base`: offsets are shifted, and those now too far back read as long ago. */
  private rebaseTrends(base: number): void {
    const shift = this.trendBase - base;
    for (let t = 0; t < this.count; t++) {
      const size = this.heads[HEAD * t + SIZE]!;
      if (size === 0) continue;
      const address = this.heads[HEAD * t + BLOCK]!;
      const ints = this.pages.ints(address);
      for (let e = 0, k = 2 * (address & (PAGE - 1)) + TREND_AT; e < size; e++, k += 2 * STRIDE) {
        if (ints[k] === LONG_AGO) continue;
        const offset = ints[k]! + shift;
        ints[k] = Math.max(LONG_AGO, offset);
      }
    }
    this.trendBase = base;
  }

  /** Copies the first `floats` floats of the block at `from` to the block at `to`, bit for bit. */
  private copy(from: number, to: number, floats: number): void {
    const o = 2 * (from & (PAGE - 1));
    const source = this.pages.ints(from);
    const target = this.pages.ints(to);
    const d = 2 * (to & (PAGE - 1));
    // A loop copies a small block faster than making a subarray for set.
    if (floats <= 64) for (let k = 0; k < 2 * floats; k++) target[d + k] = source[o + k]!;
    else target.set(source.subarray(o, o + 2 * floats), d);
  }

  /** Empties the pages' most wasteful page, if one is worth it, by moving the blocks it holds elsewhere. */
  private reclaim(): void {
    const p = this.pages.wastefulPage();
    if (p < 0) return;
    this.pages.beginEmptying(p);
    // Owners whose block has left the page since are skipped; no new block is carved from it meanwhile.
    for (const owner of this.owners.take(p)) {
      const t = Math.floor(owner / KINDS);
      const kind = owner - t * KINDS;
      if (kind === ENTRIES) {
        const entries = this.heads[HEAD * t + BLOCK]!;
        if (entries >= 0 && entries >>> PAGE_BITS === p) {
          this.heads[HEAD * t + BLOCK] = this.move(
            entries,
            this.heads[HEAD * t + CAPACITY]! * STRIDE,
            this.heads[HEAD * t + SIZE]! * STRIDE,
            owner,
          );
        }
      } else {
        const row = kind === RECENT ? RECENT_LIST : FOLLOWED_LIST;
        const list = this.heads[HEAD * t + row + BLOCK]!;
        if (list >= 0 && list >>> PAGE_BITS === p) {
          this.heads[HEAD * t + row + BLOCK] = this.move(
            list,
            listFloats(this.heads[HEAD * t + row + CAPACITY]!),
            listFloats(this.heads[HEAD * t + row + SIZE]!),
            owner,
          );
        }
      }
    }
    this.pages.endEmptying(p);
  }

  /** The address of a new block of `floats` for `owner` (whose block was at `from`, -1: none), noted under its page. */
  private allocate(floats: number, owner: number, from: number): number {
    const address = this.pages.allocate(floats);
    const p = address >>> PAGE_BITS;
    if (this.pages.shares(floats) && (from < 0 || from >>> PAGE_BITS !== p)) {
      this.owners.add(p, owner);
    }
    return address;
  }

  /** Where `owner`'s block is now (-1: none). */
  private blockOf(owner: number): number {
    const t = Math.floor(owner / KINDS);
    const kind = owner - t * KINDS;
    if (kind === ENTRIES) return this.heads[HEAD * t + BLOCK]!;
    return this.heads[HEAD * t + (kind === RECENT ? RECENT_LIST : FOLLOWED_LIST) + BLOCK]!;
  }

  /** Copies the first `used` floats of `owner`'s block of `floats` to a new block; returns its address. */
  private move(from: number, floats: number, used: number, owner: number): number {
    const to = this.allocate(floats, owner, from);
    this.copy(from, to, used);
    return to;
  }

  /** Moves the table's entries to a block of `capacity` entries. */
  private grow(t: number, capacity: number): void {
    const from = this.heads[HEAD * t + BLOCK]!;
    const address = this.allocate(capacity * STRIDE, t * KINDS + ENTRIES, from);
    if (from >= 0) {
      this.copy(from, address, this.heads[HEAD * t + SIZE]! * STRIDE);
      this.pages.release(from, this.heads[HEAD * t + CAPACITY]! * STRIDE);
    }
    this.heads[HEAD * t + BLOCK] = address;
    this.heads[HEAD * t + CAPACITY] = capacity;
    if (from >= 0) this.reclaim();
  }

  private reindex(t: number): void {
    const size = this.heads[HEAD * t + SIZE]!;
    let capacity = 64;
    while (capacity < 2 * size) capacity *= 2;
    const index = new Int32Array(capacity);
    for (let e = 0; e < size; e++) place(index, this.item(t, e), e);
    while (this.indexes.length < t) this.indexes.push(undefined);
    this.indexes[t] = index;
  }
}

/** What a block of a table holds: its entries, its recent list or its followed list (owner = table * 3 + kind). */
const KINDS = 3;
const ENTRIES = 0;
const RECENT = 1;
const FOLLOWED = 2;
const NO_OWNERS = new Int32Array(0);

/**
 * Per shared page, the owners of the blocks carved from it; an owner whose block has moved on may
 * still be listed (it is dropped when the list fills), so a reader checks where the block is now.
 */
class PageOwners {
  private readonly lists: Int32Array[] = [];
  private readonly lengths: number[] = [];
  /** Where an owner's block is now: one function for every call, not a closure per block carved. */
  private readonly blockOf: (owner: number) => number;

  constructor(blockOf: (owner: number) => number) {
    this.blockOf = blockOf;
  }

  /** Lists `owner` under page `p`. */
  add(p: number, owner: number): void {
    while (this.lists.length <= p) {
      this.lists.push(NO_OWNERS);
      this.lengths.push(0);
    }
    let list = this.lists[p]!;
    let length = this.lengths[p]!;
    if (length === list.length) {
      let kept = 0;
      for (let k = 0; k < length; k++)
        if (this.blockOf(list[k]!) >>> PAGE_BITS === p) list[kept++] = list[k]!;
      length = kept;
      if (2 * length >= list.length) {
        const next = new Int32Array(Math.max(16, 2 * list.length));
        next.set(list.subarray(0, length));
        list = next;
        this.lists[p] = list;
      }
    }
    list[length] = owner;
    this.lengths[p] = length + 1;
  }

  /** Page `p`'s owners, forgetting them: the page is being emptied. */
  take(p: number): Int32Array {
    const owners = (this.lists[p] ?? NO_OWNERS).subarray(0, this.lengths[p] ?? 0);
    this.lists[p] = NO_OWNERS;
    this.lengths[p] = 0;
    return owners;
  }
}

/** Floats of a list's block: its int32 items are two to a float. */
function listFloats(items: number): number {
  return Math.ceil(items / 2);
}

/**
 * A table's head is three rows of (block, capacity, size) side by side: its entries (at 0; capacity
 * and size in entries), its recent list and its followed list (capacity and length in items).
 */
const HEAD = 9;
/** Where the recent list's row and the followed list's row start in a head. */
const RECENT_LIST = 3;
const FOLLOWED_LIST = 6;
/** A row's fields: its block in the pages (-1: none yet), its capacity, and the entries or items in use. */
const BLOCK = 0;
const CAPACITY = 1;
const SIZE = 2;

/**
 * One table of a {@link UserItemTables}, as an object (a view: the entries stay in the shared pages).
 *
 * @example
 * const t = new UserItems();
 * const e = t.insert(42); t.setWeight(e, 1); t.setLastAt(e, Date.now());
 * t.find(42); // 0
 */
export class UserItems {
  readonly tables: UserItemTables;
  readonly table: number;

  /** Table `table` of `tables`; by default a new table of its own. */
  constructor(tables: UserItemTables = new UserItemTables(), table = tables.create()) {
    this.tables = tables;
    this.table = tables.ensure(table);
  }

  get size(): number {
    return this.tables.size(this.table);
  }
  /** The entry of `item`, or -1. */
  find(item: number): number {
    return this.tables.find(this.table, item);
  }
  /** Appends `item` (which must not be present) with weight 0, lastAt 0, no credit or judgement; returns its entry. */
  insert(item: number): number {
    return this.tables.insert(this.table, item);
  }
  item(e: number): number {
    return this.tables.item(this.table, e);
  }
  weight(e: number): number {
    return this.tables.weight(this.table, e);
  }
  setWeight(e: number, weight: number): void {
    this.tables.setWeight(this.table, e, weight);
  }
  lastAt(e: number): number {
    return this.tables.lastAt(this.table, e);
  }
  setLastAt(e: number, atMs: number): void {
    this.tables.setLastAt(this.table, e, atMs);
  }
  /** Popularity actually credited for the entry, or NaN when it equals the positive part of the weight. */
  credit(e: number): number {
    return this.tables.credit(this.table, e);
  }
  setCredit(e: number, credit: number): void {
    this.tables.setCredit(this.table, e, credit);
  }
  /** The user's exploration judgement of the item: 1 success, -1 failure, 0 none yet. */
  judged(e: number): number {
    return this.tables.judged(this.table, e);
  }
  setJudged(e: number, judged: number): void {
    this.tables.setJudged(this.table, e, judged);
  }
  /** When the user last counted toward the item's trend (-Infinity: never). */
  trendAt(e: number): number {
    return this.tables.trendAt(this.table, e);
  }
  setTrendAt(e: number, atMs: number): void {
    this.tables.setTrendAt(this.table, e, atMs);
  }
  /** Bytes of the table's blocks and index. */
  get byteLength(): number {
    return this.tables.byteLength(this.table);
  }
  /** The recent list, oldest first (a fresh array). */
  recent(): number[] {
    return this.tables.recent(this.table);
  }
  get recentCount(): number {
    return this.tables.recentCount(this.table);
  }
  /** Appends `item` to the recent list, dropping its oldest item when it would hold more than `limit`. */
  pushRecent(item: number, limit: number): void {
    this.tables.pushRecent(this.table, item, limit);
  }
  /** Removes the first occurrence of `item` from the recent list, if there. */
  removeRecent(item: number): void {
    this.tables.removeRecent(this.table, item);
  }
}

/** A read-only Map view of one column of a {@link UserItems} table, keyed by item. */
export class UserItemsColumn implements ReadonlyMap<number, number> {
  private readonly table: UserItems;
  private readonly column: 'weight' | 'lastAt';

  constructor(table: UserItems, column: 'weight' | 'lastAt') {
    this.table = table;
    this.column = column;
  }

  get size(): number {
    return this.table.size;
  }
  get(item: number): number | undefined {
    const e = this.table.find(item);
    return e < 0 ? undefined : this.read(e);
  }
  has(item: number): boolean {
    return this.table.find(item) >= 0;
  }
  forEach(visit: (value: number, item: number, map: ReadonlyMap<number, number>) => void): void {
    for (let e = 0; e < this.table.size; e++) visit(this.read(e), this.table.item(e), this);
  }
  *entries(): MapIterator<[number, number]> {
    for (let e = 0; e < this.table.size; e++) yield [this.table.item(e), this.read(e)];
  }
  *keys(): MapIterator<number> {
    for (let e = 0; e < this.table.size; e++) yield this.table.item(e);
  }
  *values(): MapIterator<number> {
    for (let e = 0; e < this.table.size; e++) yield this.read(e);
  }
  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }

  private read(e: number): number {
    return this.column === 'weight' ? this.table.weight(e) : this.table.lastAt(e);
  }
}

function hash(item: number): number {
  return Math.imul(item, 0x9e3779b1) >>> 0;
}

function place(index: Int32Array, item: number, e: number): void {
  const mask = index.length - 1;
  let h = hash(item) & mask;
  while (index[h] !== 0) h = (h + 1) & mask;
  index[h] = e + 1;
}
