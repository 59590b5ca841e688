import { sortByScore, topKOf, topKOfValues } from './top-k.js';

/**
 * A bounded superset of the keys with the largest values, kept up to date as values change, so a
 * top-k query reads a few hundred members instead of scanning the catalogue. Invariant: every key
 * outside the pool has a value at most `threshold`; a query whose k-th answer is above it is exact,
 * and tells the caller to scan everything otherwise.
 *
 * @example
 * const pool = new TopPool(256);
 * pool.offer(7, popularity);                  // after popularity[7] changed
 * pool.query(popularity, 20, skip) ?? topK(popularity, 20, skip);
 */
export class TopPool {
  /** Keys in the pool; in index order up to `sortedUpTo`. */
  private members: Int32Array;
  /** The members as a set: open addressing over key + 1 (0: empty), at most half full. */
  private table = new Int32Array(16);
  private size = 0;
  private sorted = true;
  private threshold = Number.NEGATIVE_INFINITY;
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.members = new Int32Array(2 * capacity);
  }

  /** Every key outside the pool has a value at most this. */
  get bound(): number {
    return this.threshold;
  }

  /** The keys in the pool (a view: read it before the next offer). */
  keys(): Int32Array {
    return this.members.subarray(0, this.size);
  }

  /** Call after `values[key]` increased (or the key is new); a decrease needs no call. */
  offer(key: number, values: ArrayLike<number>): void {
    if (!(values[key]! > this.threshold) || this.has(key)) return;
    if (this.size === this.members.length) this.compact(values);
    if (!(values[key]! > this.threshold) || this.has(key)) return;
    this.members[this.size++] = key;
    this.add(key);
    if (this.size > 1 && key < this.members[this.size - 2]!) this.sorted = false;
  }

  /** All values were multiplied by `factor` > 0 (a rebase): keeps the threshold in step. */
  scale(factor: number): void {
    this.threshold *= factor;
  }

  /**
   * The k keys with the largest values that `skip` does not reject, best first (ties: smaller key
   * first, as {@link topK}); undefined when the pool cannot prove the answer exact. Keys with values
   * below `floor` must be ones the caller skips anyway.
   */
  query(
    values: ArrayLike<number>,
    k: number,
    skip: (key: number) => boolean,
    floor = Number.NEGATIVE_INFINITY,
  ): Int32Array | undefined {
    if (!this.sorted) {
      this.members.subarray(0, this.size).sort();
      this.sorted = true;
    }
    const top = topKOfValues(this.members.subarray(0, this.size), k, values, skip);
    if (this.threshold < floor) return top;
    if (top.length === k && k > 0 && values[top[k - 1]!]! > this.threshold) return top;
    return undefined;
  }

  /**
   * The members with values above the threshold and at least `floor`, best first (ties: smaller key
   * first): the top of every key's values as they are now, so a caller may keep it and walk it while
   * values change a little. `complete` when every key with a value at least `floor` is listed.
   */
  ranked(
    values: ArrayLike<number>,
    floor = Number.NEGATIVE_INFINITY,
  ): { keys: Int32Array; complete: boolean } {
    const order = new Int32Array(this.size);
    const keys = new Int32Array(this.size);
    const scores = new Float64Array(this.size);
    let count = 0;
    for (let m = 0; m < this.size; m++) {
      const key = this.members[m]!;
      const value = values[key]!;
      if (!(value > this.threshold) || !(value >= floor)) continue;
      order[count] = count;
      keys[count] = key;
      scores[count++] = value;
    }
    sortByScore(order, count, scores, keys, new Int32Array(count));
    const ranked = new Int32Array(count);
    for (let r = 0; r < count; r++) ranked[r] = keys[order[r]!]!;
    return { keys: ranked, complete: this.threshold < floor };
  }

  /** Keeps the `capacity` members with the largest values and raises the threshold to the smallest kept. */
  private compact(values: ArrayLike<number>): void {
    const keep = topKOf(this.members.subarray(0, this.size), this.capacity, (key) => values[key]!);
    const last = keep.length === 0 ? Number.NEGATIVE_INFINITY : values[keep[keep.length - 1]!]!;
    for (let m = 0; m < this.size; m++) {
      const key = this.members[m]!;
      if (!(values[key]! > last)) this.threshold = Math.max(this.threshold, values[key]!);
    }
    // Members equal to the smallest kept value are dropped too, so the threshold bounds every non-member.
    this.table.fill(0);
    let size = 0;
    for (const key of keep) {
      if (values[key]! > this.threshold) {
        this.members[size++] = key;
        this.add(key);
      }
    }
    this.size = size;
    this.members.subarray(0, size).sort();
    this.sorted = true;
  }

  private has(key: number): boolean {
    const table = this.table;
    const mask = table.length - 1;
    for (let slot = slotOf(key, mask); ; slot = (slot + 1) & mask) {
      const stored = table[slot]!;
      if (stored === 0) return false;
      if (stored === key + 1) return true;
    }
  }

  /** Adds a key not in the table (the members' count already counts it). */
  private add(key: number): void {
    if (2 * this.size > this.table.length) {
      const old = this.table;
      this.table = new Int32Array(2 * old.length);
      for (const stored of old) if (stored !== 0) this.insert(stored);
    }
    this.insert(key + 1);
  }

  private insert(stored: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let slot = slotOf(stored - 1, mask);
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = stored;
  }
}

/** Fibonacci hashing: item indices are dense, so their low bits alone would cluster. */
function slotOf(key: number, mask: number): number {
  return (Math.imul(key, 0x9e3779b1) >>> 16) & mask;
}
