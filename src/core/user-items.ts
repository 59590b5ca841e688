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
/** Entries of a new table; a full table grows by half, so at most a third of it is slack. */
const INITIAL_ENTRIES = 2;

/**
 * One user's items in a single Float64Array of (item and judgement, weight, lastAt, credit, trend
 * time) entries, in first-seen order: 40 bytes per item where Maps and Sets cost hundreds. Lookups
 * scan small tables and use an open-addressing index (item -> entry + 1) once a table outgrows
 * {@link SCAN_LIMIT}.
 *
 * @example
 * const t = new UserItems();
 * const e = t.insert(42); t.setWeight(e, 1); t.setLastAt(e, Date.now());
 * t.find(42); // 0
 */
export class UserItems {
  private data = new Float64Array(STRIDE * INITIAL_ENTRIES);
  private index: Int32Array | undefined;
  size = 0;

  /** The entry of `item`, or -1. */
  find(item: number): number {
    const index = this.index;
    const data = this.data;
    if (index === undefined) {
      const lo = item * 4;
      const hi = lo + 2;
      for (let e = 0, k = ITEM; e < this.size; e++, k += STRIDE) {
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
    if ((e + 1) * STRIDE > this.data.length) {
      const grown = new Float64Array(STRIDE * Math.ceil(1.5 * (e + 1)));
      grown.set(this.data);
      this.data = grown;
    }
    const k = e * STRIDE;
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
    return Math.floor(this.data[e * STRIDE + ITEM]! / 4);
  }
  weight(e: number): number {
    return this.data[e * STRIDE + WEIGHT]!;
  }
  setWeight(e: number, weight: number): void {
    this.data[e * STRIDE + WEIGHT] = weight;
  }
  lastAt(e: number): number {
    return this.data[e * STRIDE + LAST_AT]!;
  }
  setLastAt(e: number, atMs: number): void {
    this.data[e * STRIDE + LAST_AT] = atMs;
  }
  /** Popularity actually credited for the entry, or NaN when it equals the positive part of the weight. */
  credit(e: number): number {
    return this.data[e * STRIDE + CREDIT]!;
  }
  setCredit(e: number, credit: number): void {
    this.data[e * STRIDE + CREDIT] = credit;
  }

  /** The user's exploration judgement of the item: 1 success, -1 failure, 0 none yet. */
  judged(e: number): number {
    return (this.data[e * STRIDE + ITEM]! % 4) - 1;
  }
  setJudged(e: number, judged: number): void {
    this.data[e * STRIDE + ITEM] = this.item(e) * 4 + judged + 1;
  }
  /** When the user last counted toward the item's trend (-Infinity: never). */
  trendAt(e: number): number {
    return this.data[e * STRIDE + TREND_AT]!;
  }
  setTrendAt(e: number, atMs: number): void {
    this.data[e * STRIDE + TREND_AT] = atMs;
  }

  /** Bytes held by the table's arrays. */
  get byteLength(): number {
    return this.data.byteLength + (this.index?.byteLength ?? 0);
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
