/**
 * A value per item for the feed being built: a memo, a candidate's slot, a pool's membership. Entries
 * carry the feed's number, so a new feed (or a new pool: {@link PerFeedItems.begin} again) starts empty
 * without clearing the array or filling a Map (feeds are built one at a time); an item's stamp and value
 * sit side by side, so a lookup reads one cache line.
 *
 * @example
 * const slots = new PerFeedItems();
 * slots.begin(state.itemCount);
 * slots.set(7, 0);
 * slots.get(7, -1); // 0, until the next begin()
 */
export class PerFeedItems {
  /** Item i's feed number at [2i], its value at [2i + 1]. */
  private entries = new Float64Array(0);
  private feed = 0;

  begin(itemCount: number): void {
    if (2 * itemCount > this.entries.length) {
      this.entries = new Float64Array(2 * Math.max(1_024, 2 * itemCount));
      this.feed = 0;
    }
    if (this.feed === 0x7fffffff) {
      this.entries.fill(0);
      this.feed = 0;
    }
    this.feed++;
  }

  /** The item's value in this feed, or `missing` when it has none yet. */
  get(i: number, missing: number): number {
    const at = 2 * i;
    return at < this.entries.length && this.entries[at] === this.feed ? this.entries[at + 1]! : missing;
  }

  set(i: number, value: number): void {
    const at = 2 * i;
    if (at >= this.entries.length) {
      const grown = new Float64Array(4 * (i + 1));
      grown.set(this.entries);
      this.entries = grown;
    }
    this.entries[at] = this.feed;
    this.entries[at + 1] = value;
  }

  /** The item's value, computed at most once per feed. */
  memo(i: number, compute: (i: number) => number): number {
    const at = 2 * i;
    if (at >= this.entries.length) return compute(i);
    if (this.entries[at] === this.feed) return this.entries[at + 1]!;
    const value = compute(i);
    this.entries[at] = this.feed;
    this.entries[at + 1] = value;
    return value;
  }
}
