/** Slots are added when the table would be fuller than this. */
const MAX_LOAD = 0.8;
const EMPTY = -1;
/** Times are held as int32 milliseconds from a base time; this one stands for "longer ago than that". */
const LONG_AGO = -0x80000000;
const MAX_OFFSET = 0x7fffffff;
/** When a time lies past the offsets' reach, the base moves to this far (about 12 days) before it. */
const REBASE_LEAD = 2 ** 30;

/**
 * A time per pair of non-negative int32 keys (user and tag, say), in one open-addressing table of
 * typed arrays: 12 bytes a slot (two keys, and the time as whole milliseconds from a base time, which
 * moves forward when times pass about 24 days beyond it) where a Map of Maps costs about a hundred
 * per pair. Pairs whose time is older than a horizon are dropped whenever the table would grow, so it
 * holds what is still recent rather than everything ever seen. A time more than about 24 days before
 * the base (at least 37 days before the latest time set) reads back as -Infinity, like a pair never
 * seen: callers comparing against a horizon shorter than that see no difference.
 *
 * @example
 * const t = new PairTimes();
 * t.set(3, 7, 1_000);
 * t.get(3, 7); // 1000
 * t.get(3, 8); // -Infinity
 */
export class PairTimes {
  private first: Int32Array;
  private second: Int32Array;
  /** Whole milliseconds from `base` ({@link LONG_AGO}: too long before it to hold). */
  private times: Int32Array;
  private base = Number.NaN;
  private count = 0;

  constructor(initialSlots = 1024) {
    let slots = 16;
    while (slots < initialSlots) slots *= 2;
    this.first = new Int32Array(slots).fill(EMPTY);
    this.second = new Int32Array(slots);
    this.times = new Int32Array(slots);
  }

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table's arrays. */
  get byteLength(): number {
    return this.first.byteLength + this.second.byteLength + this.times.byteLength;
  }

  /** The time of the pair, or -Infinity when it has none. */
  get(a: number, b: number): number {
    const s = this.slot(a, b);
    if (this.first[s] === EMPTY) return Number.NEGATIVE_INFINITY;
    const offset = this.times[s]!;
    return offset === LONG_AGO ? Number.NEGATIVE_INFINITY : this.base + offset;
  }

  /**
   * Sets the pair's time. Should the table have to grow, pairs with a time below `dropBefore` are
   * dropped first, and it grows only if that did not free enough room.
   */
  set(a: number, b: number, atMs: number, dropBefore = Number.NEGATIVE_INFINITY): void {
    if (Number.isNaN(this.base)) this.base = atMs;
    else if (atMs - this.base > MAX_OFFSET) this.rebase(atMs - REBASE_LEAD);
    let s = this.slot(a, b);
    if (this.first[s] === EMPTY) {
      if (this.count + 1 > MAX_LOAD * this.first.length) {
        this.rebuild(dropBefore);
        s = this.slot(a, b);
      }
      this.first[s] = a;
      this.second[s] = b;
      this.count++;
    }
    this.times[s] = this.offsetOf(atMs);
  }

  private offsetOf(atMs: number): number {
    const offset = atMs - this.base;
    return Math.max(LONG_AGO, offset);
  }

  /** Moves the base to `base`: offsets are shifted, and those now too far back read as long ago. */
  private rebase(base: number): void {
    const times = this.times;
    for (let s = 0; s < times.length; s++) {
      if (this.first[s] === EMPTY || times[s] === LONG_AGO) continue;
      const offset = this.base + times[s]! - base;
      times[s] = Math.max(LONG_AGO, offset);
    }
    this.base = base;
  }

  private slot(a: number, b: number): number {
    const mask = this.first.length - 1;
    let s = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> 0;
    s = (s ^ (s >>> 15)) & mask;
    for (;;) {
      const key = this.first[s]!;
      if (key === EMPTY || (key === a && this.second[s] === b)) return s;
      s = (s + 1) & mask;
    }
  }

  private rebuild(dropBefore: number): void {
    const first = this.first;
    const second = this.second;
    const times = this.times;
    let kept = 0;
    const keep = (s: number): boolean =>
      first[s] !== EMPTY &&
      !((times[s] === LONG_AGO ? Number.NEGATIVE_INFINITY : this.base + times[s]!) < dropBefore);
    for (let s = 0; s < first.length; s++) if (keep(s)) kept++;
    let slots = first.length;
    // Grow unless dropping freed at least a quarter of the table, so rebuilds stay rare.
    if (kept + 1 > 0.75 * MAX_LOAD * slots) slots *= 2;
    this.first = new Int32Array(slots).fill(EMPTY);
    this.second = new Int32Array(slots);
    this.times = new Int32Array(slots);
    this.count = 0;
    for (let s = 0; s < first.length; s++) {
      if (!keep(s)) continue;
      const t = this.slot(first[s]!, second[s]!);
      this.first[t] = first[s]!;
      this.second[t] = second[s]!;
      this.times[t] = times[s]!;
      this.count++;
    }
  }
}
