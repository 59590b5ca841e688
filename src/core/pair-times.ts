/** Slots are added when the table would be fuller than this. */
const MAX_LOAD = 0.8;
const EMPTY = -1;

/**
 * A time per pair of non-negative int32 keys (user and tag, say), in one open-addressing table of
 * typed arrays: 16 bytes a slot where a Map of Maps costs about a hundred per pair. Pairs whose time
 * is older than a horizon are dropped whenever the table would grow, so it holds what is still
 * recent rather than everything ever seen.
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
  private times: Float64Array;
  private count = 0;

  constructor(initialSlots = 1024) {
    let slots = 16;
    while (slots < initialSlots) slots *= 2;
    this.first = new Int32Array(slots).fill(EMPTY);
    this.second = new Int32Array(slots);
    this.times = new Float64Array(slots);
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
    return this.first[s] === EMPTY ? Number.NEGATIVE_INFINITY : this.times[s]!;
  }

  /**
   * Sets the pair's time. Should the table have to grow, pairs with a time below `dropBefore` are
   * dropped first, and it grows only if that did not free enough room.
   */
  set(a: number, b: number, atMs: number, dropBefore = Number.NEGATIVE_INFINITY): void {
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
    this.times[s] = atMs;
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
    for (let s = 0; s < first.length; s++) if (first[s] !== EMPTY && !(times[s]! < dropBefore)) kept++;
    let slots = first.length;
    // Grow unless dropping freed at least a quarter of the table, so rebuilds stay rare.
    if (kept + 1 > 0.75 * MAX_LOAD * slots) slots *= 2;
    this.first = new Int32Array(slots).fill(EMPTY);
    this.second = new Int32Array(slots);
    this.times = new Float64Array(slots);
    this.count = 0;
    for (let s = 0; s < first.length; s++) {
      if (first[s] === EMPTY || times[s]! < dropBefore) continue;
      const t = this.slot(first[s]!, second[s]!);
      this.first[t] = first[s]!;
      this.second[t] = second[s]!;
      this.times[t] = times[s]!;
      this.count++;
    }
  }
}
