/** Slots of a new table: room for the few thousand items a feed touches at a load of one half. */
const INITIAL_SLOTS = 8_192;

/**
 * A value per item for the feed being built: a memo, a candidate's slot, a pool's membership. Entries
 * carry the feed's number, so a new feed (or a new pool: {@link PerFeedItems.begin} again) starts empty
 * without clearing anything or filling a Map (feeds are built one at a time). Items are kept in an open
 * addressing table sized by the items one feed touches, not by the catalogue: an array indexed by item
 * took 32 bytes per catalogue item, so at 1M items each lookup was a cache and TLB miss in 32 MB.
 *
 * @example
 * const slots = new PerFeedItems();
 * slots.begin();
 * slots.set(7, 0);
 * slots.get(7, -1); // 0, until the next begin()
 */
export class PerFeedItems {
  /** Slot s holds its item at [2s] and the feed number that wrote it at [2s + 1]. */
  private keys = new Int32Array(2 * INITIAL_SLOTS);
  private values = new Float64Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /** 32 minus log2 of the slots: a hash's top bits pick the slot. */
  private shift = 32 - Math.log2(INITIAL_SLOTS);
  /** Never 0 while in use, so the zeroed slots of a new table are empty. */
  private feed = 1;
  /** Items written in this feed. */
  private count = 0;

  /** Starts a new feed: every item is without a value again. */
  begin(): void {
    if (this.feed === 0x7fffffff) {
      this.keys.fill(0);
      this.feed = 1;
    }
    this.feed++;
    this.count = 0;
  }

  /** The item's value in this feed, or `missing` when it has none yet. */
  get(i: number, missing: number): number {
    const s = this.find(i);
    return this.keys[2 * s + 1] === this.feed ? this.values[s]! : missing;
  }

  set(i: number, value: number): void {
    const s = this.find(i);
    if (this.keys[2 * s + 1] === this.feed) this.values[s] = value;
    else this.insert(s, i, value);
  }

  /** The item's value, computed at most once per feed. */
  memo(i: number, compute: (i: number) => number): number {
    const s = this.find(i);
    if (this.keys[2 * s + 1] === this.feed) return this.values[s]!;
    const value = compute(i);
    // `compute` may have written other items (and grown the table): look the slot up again then.
    this.set(i, value);
    return value;
  }

  /** The item's slot, or the empty slot where it would go (linear probing; slots of past feeds are empty). */
  private find(i: number): number {
    const keys = this.keys;
    const mask = this.mask;
    const feed = this.feed;
    let s = Math.imul(i, 0x9e3779b1) >>> this.shift;
    for (;;) {
      s &= mask;
      if (keys[2 * s + 1] !== feed || keys[2 * s] === i) return s;
      s++;
    }
  }

  private insert(s: number, i: number, value: number): void {
    if (2 * (this.count + 1) > this.mask + 1) {
      this.grow();
      this.set(i, value);
      return;
    }
    this.keys[2 * s] = i;
    this.keys[2 * s + 1] = this.feed;
    this.values[s] = value;
    this.count++;
  }

  /** Doubles the table, keeping this feed's items. */
  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    const feed = this.feed;
    const slots = 2 * (this.mask + 1);
    this.keys = new Int32Array(2 * slots);
    this.values = new Float64Array(slots);
    this.mask = slots - 1;
    this.shift--;
    this.count = 0;
    for (let s = 0; s < values.length; s++) {
      if (keys[2 * s + 1] === feed) this.set(keys[2 * s]!, values[s]!);
    }
  }
}
