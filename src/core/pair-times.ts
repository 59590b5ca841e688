/** Slots are added when the table would be fuller than this. */
const MAX_LOAD = 0.8;
/**
 * A slot holds its first key plus one, so that a new table's zeroed memory is empty without a fill
 * (filling 32M slots took most of the 75 ms a growth then held the thread).
 */
const EMPTY = 0;
/** A slot of a table being drained whose pair has been moved on (or dropped): probes go past it. */
const MOVED = -1;
/** Slots of the drained table moved on per `set`: a table of 16M slots drains in 4,096 sets. */
const DRAIN_STEP = 4_096;
/** Slots sampled to estimate how many pairs a growth would keep. */
const SIZE_SAMPLE = 65_536;
/** Times are held as int32 milliseconds from a base time; this one stands for "longer ago than that". */
const LONG_AGO = -0x80000000;
const MAX_OFFSET = 0x7fffffff;
/** When a time lies past the offsets' reach, the base moves to this far (about 12 days) before it. */
const REBASE_LEAD = 2 ** 30;

/**
 * A time per pair of int32 keys from 0 to 2^31 - 2 (user and tag, say), in an open-addressing table of
 * typed arrays: 12 bytes a slot (two keys, and the time as whole milliseconds from a base time, which
 * moves forward when times pass about 24 days beyond it) where a Map of Maps costs about a hundred
 * per pair. Pairs whose time is older than a horizon are dropped whenever the table would grow, so it
 * holds what is still recent rather than everything ever seen. The table grows into a new one while
 * the old one is drained a few thousand slots per `set` (both are read meanwhile): rebuilding 16M
 * slots at once held the thread for 0.5-1.4 s. A time more than about 24 days before
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
  /** The previous table while its pairs move into this one; `next` is the first slot not yet moved. */
  private draining:
    | { first: Int32Array; second: Int32Array; times: Int32Array; next: number; dropBefore: number }
    | undefined;
  private base = Number.NaN;
  /** Pairs held, in both tables. */
  private count = 0;
  /** Slots in use in this table (the pairs held but those still in the draining one). */
  private filled = 0;

  constructor(initialSlots = 1024) {
    let slots = 16;
    while (slots < initialSlots) slots *= 2;
    this.first = new Int32Array(slots);
    this.second = new Int32Array(slots);
    this.times = new Int32Array(slots);
  }

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table's arrays (both tables while one drains into the other). */
  get byteLength(): number {
    const d = this.draining;
    const drained = d === undefined ? 0 : d.first.byteLength + d.second.byteLength + d.times.byteLength;
    return this.first.byteLength + this.second.byteLength + this.times.byteLength + drained;
  }

  /** The time of the pair, or -Infinity when it has none. */
  get(a: number, b: number): number {
    const s = slotOf(this.first, this.second, a, b);
    if (this.first[s] !== EMPTY) return this.timeAt(this.times[s]!);
    const d = this.draining;
    if (d === undefined) return Number.NEGATIVE_INFINITY;
    const o = slotOf(d.first, d.second, a, b);
    return d.first[o] === EMPTY ? Number.NEGATIVE_INFINITY : this.timeAt(d.times[o]!);
  }

  /**
   * Sets the pair's time. Should the table have to grow, pairs with a time below `dropBefore` are
   * dropped as they move on, and it grows only if that will free too little room.
   */
  set(a: number, b: number, atMs: number, dropBefore = Number.NEGATIVE_INFINITY): void {
    if (Number.isNaN(this.base)) this.base = atMs;
    else if (atMs - this.base > MAX_OFFSET) this.rebase(atMs - REBASE_LEAD);
    if (this.draining !== undefined) this.drain(DRAIN_STEP);
    let s = slotOf(this.first, this.second, a, b);
    if (this.first[s] === EMPTY) {
      const d = this.draining;
      const o = d === undefined ? -1 : slotOf(d.first, d.second, a, b);
      if (d !== undefined && d.first[o] !== EMPTY) {
        // Held by the table being drained: it moves on now, as the pair set here.
        d.first[o] = MOVED;
      } else {
        if (this.filled + 1 > MAX_LOAD * this.first.length) {
          this.grow(dropBefore);
          s = slotOf(this.first, this.second, a, b);
        }
        this.count++;
      }
      this.filled++;
      this.first[s] = a + 1;
      this.second[s] = b;
    }
    this.times[s] = this.offsetOf(atMs);
  }

  private timeAt(offset: number): number {
    return offset === LONG_AGO ? Number.NEGATIVE_INFINITY : this.base + offset;
  }

  private offsetOf(atMs: number): number {
    const offset = atMs - this.base;
    return Math.max(LONG_AGO, offset);
  }

  /** Moves the base to `base`: offsets are shifted, and those now too far back read as long ago. */
  private rebase(base: number): void {
    for (const [first, times] of [
      [this.first, this.times],
      ...(this.draining === undefined ? [] : [[this.draining.first, this.draining.times]]),
    ] as [Int32Array, Int32Array][]) {
      for (let s = 0; s < times.length; s++) {
        if (first[s]! <= EMPTY || times[s] === LONG_AGO) continue;
        const offset = this.base + times[s]! - base;
        times[s] = Math.max(LONG_AGO, offset);
      }
    }
    this.base = base;
  }

  /**
   * Starts moving the pairs into a new table: twice the size, unless dropping the pairs older than
   * `dropBefore` will free at least a quarter of this one (estimated on a sample of its slots).
   */
  private grow(dropBefore: number): void {
    // A table still draining finishes first (rare: a drain ends long before its successor fills).
    if (this.draining !== undefined) this.drain(this.draining.first.length);
    const first = this.first;
    const stride = Math.max(1, Math.floor(first.length / SIZE_SAMPLE));
    let sampled = 0;
    let kept = 0;
    for (let s = 0; s < first.length; s += stride) {
      sampled++;
      if (first[s]! > EMPTY && !(this.timeAt(this.times[s]!) < dropBefore)) kept++;
    }
    let slots = first.length;
    if ((kept / sampled) * slots + 1 > 0.75 * MAX_LOAD * slots) slots *= 2;
    this.draining = { first, second: this.second, times: this.times, next: 0, dropBefore };
    this.first = new Int32Array(slots);
    this.second = new Int32Array(slots);
    this.times = new Int32Array(slots);
    this.filled = 0;
  }

  /** Moves up to `steps` slots of the draining table on; drops its pairs older than its horizon. */
  private drain(steps: number): void {
    const d = this.draining!;
    const end = Math.min(d.first.length, d.next + steps);
    for (let s = d.next; s < end; s++) {
      const stored = d.first[s]!;
      if (stored <= EMPTY) continue;
      d.first[s] = MOVED;
      if (this.timeAt(d.times[s]!) < d.dropBefore) {
        this.count--;
        continue;
      }
      const t = slotOf(this.first, this.second, stored - 1, d.second[s]!);
      this.filled++;
      this.first[t] = stored;
      this.second[t] = d.second[s]!;
      this.times[t] = d.times[s]!;
    }
    d.next = end;
    if (end === d.first.length) this.draining = undefined;
  }
}

/** The pair's slot in a table, or the empty slot where it would go (past moved-on slots). */
function slotOf(first: Int32Array, second: Int32Array, a: number, b: number): number {
  const mask = first.length - 1;
  let s = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> 0;
  s = (s ^ (s >>> 15)) & mask;
  const key = a + 1;
  for (;;) {
    const held = first[s]!;
    if (held === EMPTY || (held === key && second[s] === b)) return s;
    s = (s + 1) & mask;
  }
}
