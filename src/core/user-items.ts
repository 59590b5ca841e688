/**
 * Fields per entry in a {@link UserItems} table: the item with the exploration judgement packed in
 * (`item * 4 + judgement + 1`), weight, last event time, popularity credit, and when the item last
 * counted toward a trend.
 */
const STRIDE = 5;
const ITEM = 0;
const WEIGHT = 1;
const LAST_AT = 2;
const CREDIT = 3;
const TREND_AT = 4;
/** Up to this many entries a lookup scans; above it the table keeps an open-addressing index. */
const SCAN_LIMIT = 24;
/** Entries of a table's first block; a full table moves to a block half as large again. */
const INITIAL_ENTRIES = 2;
/** Addresses are page * 2^PAGE_BITS + offset; a page holds at most 2^PAGE_BITS floats (1 MiB). */
const PAGE_BITS = 17;
const PAGE = 1 << PAGE_BITS;
const NO_ENTRIES = new Float64Array(0);

/**
 * The storage of many {@link UserItems} tables: blocks of entries carved from shared Float64Array
 * pages, so a user costs no typed array (and its ArrayBuffer and backing store, a few hundred bytes)
 * of their own and the garbage collector sees a few large arrays instead of one per user. A table
 * that grows moves to a larger block and its old block is reused by the next table of that size;
 * a block above a quarter of a page gets a page of its own, dropped when the table moves on.
 *
 * @example
 * const pages = new UserItemPages();
 * const a = new UserItems(pages), b = new UserItems(pages);
 */
export class UserItemPages {
  private readonly pages: Float64Array[] = [];
  private readonly pageFloats: number;
  /** The page blocks are bump-allocated from (-1: none yet), and its first unused float. */
  private current = -1;
  private end = 0;
  /** Released blocks by size in floats, reused before the current page is extended. */
  private readonly free = new Map<number, number[]>();
  private bytes = 0;

  /** `pageEntries` sizes the shared pages (default: as many entries as fit in 1 MiB). */
  constructor(pageEntries = Math.floor(PAGE / STRIDE)) {
    this.pageFloats = Math.min(PAGE, Math.max(1, pageEntries) * STRIDE);
  }

  /** Bytes held by the pages. */
  get byteLength(): number {
    return this.bytes;
  }

  /** A block of `floats` floats; returns its address. */
  allocate(floats: number): number {
    const reused = this.free.get(floats)?.pop();
    if (reused !== undefined) return reused;
    if (4 * floats > this.pageFloats) return this.addPage(floats) * PAGE;
    if (this.current < 0 || this.end + floats > this.pageFloats) {
      this.current = this.addPage(this.pageFloats);
      this.end = 0;
    }
    const address = this.current * PAGE + this.end;
    this.end += floats;
    return address;
  }

  /** Gives back a block from {@link allocate} of the same size. */
  release(address: number, floats: number): void {
    if (4 * floats > this.pageFloats) {
      const p = Math.floor(address / PAGE);
      this.bytes -= this.pages[p]!.byteLength;
      this.pages[p] = NO_ENTRIES;
      return;
    }
    let list = this.free.get(floats);
    if (list === undefined) {
      list = [];
      this.free.set(floats, list);
    }
    list.push(address);
  }

  /** The page holding the block at `address`; the block starts at `address % 2^17` in it. */
  page(address: number): Float64Array {
    return this.pages[Math.floor(address / PAGE)]!;
  }

  private addPage(floats: number): number {
    this.pages.push(new Float64Array(floats));
    this.bytes += floats * 8;
    return this.pages.length - 1;
  }
}

/**
 * One user's items as (item and judgement, weight, lastAt, credit, trend time) entries of five
 * floats in a block of a {@link UserItemPages}, in first-seen order: 40 bytes per item where Maps
 * and Sets cost hundreds. Lookups scan small tables and use an open-addressing index
 * (item -> entry + 1) once a table outgrows {@link SCAN_LIMIT}.
 *
 * @example
 * const t = new UserItems();
 * const e = t.insert(42); t.setWeight(e, 1); t.setLastAt(e, Date.now());
 * t.find(42); // 0
 */
export class UserItems {
  private readonly pages: UserItemPages;
  /** The page holding the entries, where entry e starts at `base + e * STRIDE`. */
  private data: Float64Array = NO_ENTRIES;
  private base = 0;
  private address = -1;
  private capacity = 0;
  private index: Int32Array | undefined;
  size = 0;
  /** The recent list's block (-1: none yet), its capacity and length in items. */
  private recentAddress = -1;
  private recentCapacity = 0;
  private recentLength = 0;

  /** Tables of one state share `pages`; a table made alone gets small pages of its own. */
  constructor(pages: UserItemPages = new UserItemPages(64)) {
    this.pages = pages;
  }

  /** The entry of `item`, or -1. */
  find(item: number): number {
    const index = this.index;
    const data = this.data;
    if (index === undefined) {
      const lo = item * 4;
      const hi = lo + 2;
      for (let e = 0, k = this.base + ITEM; e < this.size; e++, k += STRIDE) {
        const packed = data[k]!;
        if (packed >= lo && packed <= hi) return e;
      }
      return -1;
    }
    const mask = index.length - 1;
    for (let h = hash(item) & mask; ; h = (h + 1) & mask) {
      const slot = index[h]!;
      if (slot === 0) return -1;
      if (this.item(slot - 1) === item) return slot - 1;
    }
  }

  /** Appends `item` (which must not be present) with weight 0, lastAt 0, no credit or judgement; returns its entry. */
  insert(item: number): number {
    const e = this.size;
    if (e + 1 > this.capacity) this.grow(e === 0 ? INITIAL_ENTRIES : Math.ceil(1.5 * (e + 1)));
    const k = this.base + e * STRIDE;
    this.data[k + ITEM] = item * 4 + 1;
    this.data[k + WEIGHT] = 0;
    this.data[k + LAST_AT] = 0;
    this.data[k + CREDIT] = Number.NaN;
    this.data[k + TREND_AT] = Number.NEGATIVE_INFINITY;
    this.size = e + 1;
    if (this.index !== undefined && 2 * this.size <= this.index.length) this.place(this.index, item, e);
    else if (this.size > SCAN_LIMIT) this.reindex();
    return e;
  }

  item(e: number): number {
    return Math.floor(this.data[this.base + e * STRIDE + ITEM]! / 4);
  }
  weight(e: number): number {
    return this.data[this.base + e * STRIDE + WEIGHT]!;
  }
  setWeight(e: number, weight: number): void {
    this.data[this.base + e * STRIDE + WEIGHT] = weight;
  }
  lastAt(e: number): number {
    return this.data[this.base + e * STRIDE + LAST_AT]!;
  }
  setLastAt(e: number, atMs: number): void {
    this.data[this.base + e * STRIDE + LAST_AT] = atMs;
  }
  /** Popularity actually credited for the entry, or NaN when it equals the positive part of the weight. */
  credit(e: number): number {
    return this.data[this.base + e * STRIDE + CREDIT]!;
  }
  setCredit(e: number, credit: number): void {
    this.data[this.base + e * STRIDE + CREDIT] = credit;
  }

  /** The user's exploration judgement of the item: 1 success, -1 failure, 0 none yet. */
  judged(e: number): number {
    return (this.data[this.base + e * STRIDE + ITEM]! % 4) - 1;
  }
  setJudged(e: number, judged: number): void {
    this.data[this.base + e * STRIDE + ITEM] = this.item(e) * 4 + judged + 1;
  }
  /** When the user last counted toward the item's trend (-Infinity: never). */
  trendAt(e: number): number {
    return this.data[this.base + e * STRIDE + TREND_AT]!;
  }
  setTrendAt(e: number, atMs: number): void {
    this.data[this.base + e * STRIDE + TREND_AT] = atMs;
  }

  /** Bytes of the table's blocks and index. */
  get byteLength(): number {
    return (this.capacity * STRIDE + this.recentCapacity) * 8 + (this.index?.byteLength ?? 0);
  }

  /**
   * The recent list, oldest first: items the caller pushed, in a block of the same pages (a
   * number[] per user costs about 180 bytes before its first item).
   */
  recent(): number[] {
    const out = new Array<number>(this.recentLength);
    if (this.recentLength === 0) return out;
    const page = this.pages.page(this.recentAddress);
    const base = this.recentAddress % PAGE;
    for (let r = 0; r < this.recentLength; r++) out[r] = page[base + r]!;
    return out;
  }

  get recentCount(): number {
    return this.recentLength;
  }

  /** Appends `item` to the recent list, dropping its oldest item when it would hold more than `limit`. */
  pushRecent(item: number, limit: number): void {
    if (limit <= 0) return;
    if (this.recentLength === this.recentCapacity && this.recentCapacity < limit) {
      const capacity = Math.min(limit, Math.max(INITIAL_ENTRIES, Math.ceil(1.5 * (this.recentLength + 1))));
      const address = this.pages.allocate(capacity);
      if (this.recentAddress >= 0) {
        const from = this.recentAddress % PAGE;
        this.pages
          .page(address)
          .set(this.pages.page(this.recentAddress).subarray(from, from + this.recentLength), address % PAGE);
        this.pages.release(this.recentAddress, this.recentCapacity);
      }
      this.recentAddress = address;
      this.recentCapacity = capacity;
    }
    const page = this.pages.page(this.recentAddress);
    const base = this.recentAddress % PAGE;
    while (this.recentLength >= limit) {
      page.copyWithin(base, base + 1, base + this.recentLength);
      this.recentLength--;
    }
    page[base + this.recentLength++] = item;
  }

  /** Removes the first occurrence of `item` from the recent list, if there. */
  removeRecent(item: number): void {
    if (this.recentLength === 0) return;
    const page = this.pages.page(this.recentAddress);
    const base = this.recentAddress % PAGE;
    for (let r = 0; r < this.recentLength; r++) {
      if (page[base + r] !== item) continue;
      page.copyWithin(base + r, base + r + 1, base + this.recentLength);
      this.recentLength--;
      return;
    }
  }

  /** Moves the entries to a block of `capacity` entries. */
  private grow(capacity: number): void {
    const address = this.pages.allocate(capacity * STRIDE);
    const data = this.pages.page(address);
    const base = address % PAGE;
    const used = this.size * STRIDE;
    data.set(this.data.subarray(this.base, this.base + used), base);
    if (this.address >= 0) this.pages.release(this.address, this.capacity * STRIDE);
    this.data = data;
    this.base = base;
    this.address = address;
    this.capacity = capacity;
  }

  private reindex(): void {
    let capacity = 64;
    while (capacity < 2 * this.size) capacity *= 2;
    const index = new Int32Array(capacity);
    for (let e = 0; e < this.size; e++) this.place(index, this.item(e), e);
    this.index = index;
  }

  private place(index: Int32Array, item: number, e: number): void {
    const mask = index.length - 1;
    let h = hash(item) & mask;
    while (index[h] !== 0) h = (h + 1) & mask;
    index[h] = e + 1;
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
