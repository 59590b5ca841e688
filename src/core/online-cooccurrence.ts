/**
 * Item-to-item co-occurrence counted online: two items co-occur when one user engaged positively
 * with both. Similarity is a shrunk cosine, co / (sqrt(n_i * n_j) + shrink), so that a pair seen
 * together once scores far below a pair seen together by many users (Sarwar et al. 2001; the shrink
 * term follows Koren 2008).
 *
 * Memory is bounded: each item keeps at most `maxNeighbours` neighbours as (neighbour, count) int32
 * pairs, all rows packed in shared pages (a row that grows moves to a larger block; the old one is reused). A new neighbour of a full item replaces the one with the smallest count
 * and inherits that count plus one (space-saving, Metwally et al. 2005), so frequent pairs stay and
 * counts are never underestimated.
 *
 * @example
 * const g = createCooccurrence({ shrink: 10 });
 * g.addUserItem(0, []); g.addUserItem(1, [0]);
 * g.similarity(0, 1); // 1 / (1 + 10)
 */
export interface Cooccurrence {
  /**
   * Records that a user engaged with `item` after `history` (items they engaged with before): its
   * first `length` entries, by default all of them.
   */
  addUserItem(item: number, history: ArrayLike<number>, length?: number): void;
  similarity(a: number, b: number): number;
  /** Sets `out[t]` to `similarity(item, targets[t])` for every target, reading the item's row once. */
  similaritiesTo(item: number, targets: ArrayLike<number>, out: Float64Array): void;
  /** Calls `visit` for every item that co-occurs with `item`, with its similarity. */
  forEachNeighbour(item: number, visit: (neighbour: number, similarity: number) => void): void;
  /**
   * Reads what {@link forEachNeighbour} reads of `item`'s neighbours (their counts), in a loop with
   * nothing else in it, so that their misses overlap; returns a value to discard.
   */
  touchNeighbours(item: number): number;
  /** How many users engaged with the item. */
  count(item: number): number;
  readonly shrink: number;
  readonly maxNeighbours: number;
  /** Bytes held: the rows' pages and the per-item arrays. */
  readonly byteLength: number;
}

/** Int32s in a 64-byte cache line. */
const LINE_INTS = 16;
/** Neighbours a row holds before it first grows; rows grow fourfold up to `maxNeighbours`. */
const INITIAL_NEIGHBOURS = 4;
/** Rows live in pages of this many int32s (4 MiB): memory grows a page at a time, never by copying all rows. */
const PAGE_BITS = 20;
const PAGE = 1 << PAGE_BITS;
/** Row starts are kept in an Int32Array: pages beyond this many (8 GiB of 4 MiB pages) could not be addressed. */
const MAX_PAGES = 2 ** (31 - PAGE_BITS);

export function createCooccurrence(options: {
  shrink: number;
  maxNeighbours?: number;
  /** Only the last `window` items of a history co-occur with a new item (default: all of it). */
  window?: number;
}): Cooccurrence {
  const shrink = options.shrink;
  const window = options.window ?? Number.POSITIVE_INFINITY;
  // A row fits in one page.
  const maxNeighbours = Math.min(PAGE / 2, Math.max(1, options.maxNeighbours ?? 64));
  let counts = new Float64Array(1024);
  /**
   * Per item, side by side so a bump reads one cache line: at [2 * item] where its row starts in the
   * pages (-1: none; neighbour k at [2k], its count at [2k + 1]), at [2 * item + 1] its length.
   */
  let heads = newHeads(1024);
  const pages: Int32Array[] = [];
  /** The page rows are bump-allocated from, and its first unused int32. */
  let current = -1;
  let pageEnd = PAGE;
  /** Freed rows by capacity (in neighbours), reused before the current page is extended. */
  const free = new Map<number, number[]>();
  /** Per page: int32s in freed rows not reused yet; emptied pages, bump-allocated from again. */
  const pageFree: number[] = [];
  let freeInts = 0;
  const spare: number[] = [];

  const ensure = (item: number): void => {
    if (item < counts.length) return;
    let capacity = counts.length;
    while (capacity <= item) capacity *= 2;
    const c = new Float64Array(capacity);
    c.set(counts);
    counts = c;
    const h = newHeads(capacity);
    h.set(heads);
    heads = h;
  };

  // Rows grow fourfold: the blocks a full row left behind are a third of it, not as much again.
  const capacityOf = (n: number): number => {
    let capacity = INITIAL_NEIGHBOURS;
    while (capacity < n) capacity *= 4;
    return Math.min(maxNeighbours, capacity);
  };

  const allocate = (capacity: number): number => {
    const size = 2 * capacity;
    const reused = free.get(capacity)?.pop();
    if (reused !== undefined) {
      pageFree[reused >>> PAGE_BITS]! -= size;
      freeInts -= size;
      return reused;
    }
    if (pageEnd + size > PAGE) {
      current = spare.pop() ?? -1;
      if (current < 0) {
        if (pages.length >= MAX_PAGES)
          throw new RangeError(`co-occurrence rows: more than ${MAX_PAGES} pages`);
        pages.push(new Int32Array(PAGE));
        pageFree.push(0);
        current = pages.length - 1;
      }
      pageEnd = 0;
    }
    const start = current * PAGE + pageEnd;
    pageEnd += size;
    return start;
  };

  const release = (start: number, capacity: number): void => {
    let list = free.get(capacity);
    if (list === undefined) {
      list = [];
      free.set(capacity, list);
    }
    list.push(start);
    pageFree[start >>> PAGE_BITS]! += 2 * capacity;
    freeInts += 2 * capacity;
  };

  // The rows every item grew through are rarely reused: once freed rows pass 1/16 of the pages, the
  // page (not the one being filled) holding the most of them, if an eighth of it, is emptied by moving
  // its live rows, and bump-allocated from again.
  const reclaim = (): void => {
    if (16 * freeInts <= pages.length * PAGE) return;
    let p = -1;
    for (let q = 0; q < pages.length; q++) {
      if (q !== current && pageFree[q]! > (p < 0 ? 0 : pageFree[p]!)) p = q;
    }
    if (p < 0 || 8 * pageFree[p]! < PAGE) return;
    for (const list of free.values()) {
      let kept = 0;
      for (const start of list) if (start >>> PAGE_BITS !== p) list[kept++] = start;
      list.length = kept;
    }
    freeInts -= pageFree[p]!;
    pageFree[p] = 0;
    const from = pages[p]!;
    for (let h = 0; h < heads.length; h += 2) {
      const start = heads[h]!;
      if (start < 0 || start >>> PAGE_BITS !== p) continue;
      const n = heads[h + 1]!;
      const moved = allocate(capacityOf(n));
      const o = start & (PAGE - 1);
      pages[moved >>> PAGE_BITS]!.set(from.subarray(o, o + 2 * n), moved & (PAGE - 1));
      heads[h] = moved;
    }
    spare.push(p);
  };

  const bump = (a: number, b: number): void => {
    const n = heads[2 * a + 1]!;
    let start = heads[2 * a]!;
    if (n === maxNeighbours) {
      // A full row: the search for `b` also finds the first smallest count, which `b` replaces if
      // absent (one pass over the row, not two).
      const row = pages[start >>> PAGE_BITS]!;
      const o = start & (PAGE - 1);
      let min = o + 1;
      let least = row[min]!;
      for (let k = o; k < o + 2 * n; k += 2) {
        if (row[k] === b) {
          row[k + 1]!++;
          return;
        }
        if (row[k + 1]! < least) {
          least = row[k + 1]!;
          min = k + 1;
        }
      }
      row[min - 1] = b;
      row[min] = least + 1;
      return;
    }
    if (start >= 0) {
      const row = pages[start >>> PAGE_BITS]!;
      const o = start & (PAGE - 1);
      for (let k = o; k < o + 2 * n; k += 2) {
        if (row[k] === b) {
          row[k + 1]!++;
          return;
        }
      }
    }
    const capacity = start < 0 ? 0 : capacityOf(n);
    if (n === capacity) {
      const grown = allocate(capacityOf(n + 1));
      if (start >= 0) {
        // A loop, not set(subarray): a view per grown row was most of a bump's garbage.
        const from = pages[start >>> PAGE_BITS]!;
        const to = pages[grown >>> PAGE_BITS]!;
        const f = start & (PAGE - 1);
        const g = grown & (PAGE - 1);
        for (let k = 0; k < 2 * n; k++) to[g + k] = from[f + k]!;
        release(start, capacity);
      }
      heads[2 * a] = grown;
      reclaim();
      start = heads[2 * a]!;
    }
    const row = pages[start >>> PAGE_BITS]!;
    const o = start & (PAGE - 1);
    row[o + 2 * n] = b;
    row[o + 2 * n + 1] = 1;
    heads[2 * a + 1] = n + 1;
  };

  /** {@link bumpFullRow}'s scratch: the history's ids by hash, their first index, their places in the row. */
  let keys = new Int32Array(64);
  let firsts = new Int32Array(64);
  let first = new Int32Array(32);
  let places = new Int32Array(32);
  const slotOf = (id: number, mask: number): number => {
    let slot = Math.imul(id, 0x9e3779b1) >>> 0;
    for (slot &= mask; keys[slot] !== -1 && keys[slot] !== id; slot = (slot + 1) & mask);
    return slot;
  };

  /**
   * `bump(a, history[h])` for h from `from` below `to` (but `a` itself), in order, on `a`'s full row:
   * one pass finds which of them it holds, where `to - from` bumps would scan it once each. The row's
   * first smallest count, which a new neighbour replaces, is kept between bumps.
   */
  const bumpFullRow = (a: number, history: ArrayLike<number>, from: number, to: number): void => {
    const n = to - from;
    if (first.length < n) {
      first = new Int32Array(n);
      places = new Int32Array(n);
    }
    let size = 64;
    while (size < 2 * n) size *= 2;
    if (keys.length < size) {
      keys = new Int32Array(size);
      firsts = new Int32Array(size);
    }
    const mask = size - 1;
    keys.fill(-1, 0, size);
    for (let j = 0; j < n; j++) {
      const b = history[from + j]!;
      const slot = slotOf(b, mask);
      if (keys[slot] === -1) {
        keys[slot] = b;
        firsts[slot] = j;
      }
      first[j] = firsts[slot]!;
      places[j] = -1;
    }
    const start = heads[2 * a]!;
    const row = pages[start >>> PAGE_BITS]!;
    const o = start & (PAGE - 1);
    const end = o + 2 * heads[2 * a + 1]!;
    for (let k = o; k < end; k += 2) {
      const slot = slotOf(row[k]!, mask);
      if (keys[slot] !== -1) places[firsts[slot]!] = k;
    }
    // The count's place of the row's first smallest count, or -1 when unknown.
    let min = -1;
    let least = 0;
    for (let j = 0; j < n; j++) {
      const b = history[from + j]!;
      if (b === a) continue;
      const f = first[j]!;
      const p = places[f]!;
      if (p >= 0) {
        row[p + 1]!++;
        if (p + 1 === min) min = -1;
        continue;
      }
      if (min < 0) {
        min = o + 1;
        least = row[min]!;
        for (let k = o + 3; k < end; k += 2) {
          if (row[k]! < least) {
            least = row[k]!;
            min = k;
          }
        }
      }
      const slot = slotOf(row[min - 1]!, mask);
      if (keys[slot] !== -1) places[firsts[slot]!] = -1;
      row[min - 1] = b;
      row[min] = least + 1;
      places[f] = min - 1;
      // Counts before `min` are above `least`: the next first smallest is a later `least`, if any.
      let next = -1;
      for (let k = min + 2; k < end; k += 2) {
        if (row[k] === least) {
          next = k;
          break;
        }
      }
      min = next;
    }
  };

  // Each of a history's rows is a cache miss or more, at random places: read first, one line each in
  // a loop with nothing else in it, their misses overlap instead of coming one bump at a time.
  // biome-ignore lint/correctness/noUnusedVariables: written, never read, so that the reads are kept.
  let touched = 0;
  const touchRows = (history: ArrayLike<number>, from: number, to: number): number => {
    let sum = 0;
    for (let h = from; h < to; h++) {
      const other = history[h]!;
      const start = other < counts.length ? heads[2 * other]! : -1;
      if (start < 0) continue;
      const row = pages[start >>> PAGE_BITS]!;
      const o = start & (PAGE - 1);
      const end = o + 2 * heads[2 * other + 1]!;
      for (let k = o; k < end; k += LINE_INTS) sum ^= row[k]!;
      sum ^= row[end - 1]!;
    }
    return sum;
  };

  const sim = (co: number, a: number, b: number): number =>
    co / (Math.sqrt(counts[a]! * counts[b]!) + shrink);

  return {
    shrink,
    maxNeighbours,
    addUserItem(item, history, length = history.length) {
      ensure(item);
      counts[item]!++;
      touched = touchRows(history, Math.max(0, length - window), length);
      let h = Math.max(0, length - window);
      // Bumps of a row that is not full may grow it: in the per-pair order, so rows are placed as always.
      for (; h < length && heads[2 * item + 1]! < maxNeighbours; h++) {
        const other = history[h]!;
        if (other === item) continue;
        ensure(other);
        bump(item, other);
        bump(other, item);
      }
      if (h === length) return;
      // A full row never moves or grows: the rest of its bumps in one pass, then the others' rows.
      bumpFullRow(item, history, h, length);
      for (; h < length; h++) {
        const other = history[h]!;
        if (other === item) continue;
        ensure(other);
        bump(other, item);
      }
    },
    similarity(a, b) {
      const start = a < counts.length ? heads[2 * a]! : -1;
      if (start < 0) return 0;
      const row = pages[start >>> PAGE_BITS]!;
      const o = start & (PAGE - 1);
      const n = heads[2 * a + 1]!;
      for (let k = o; k < o + 2 * n; k += 2) if (row[k] === b) return sim(row[k + 1]!, a, b);
      return 0;
    },
    similaritiesTo(item, targets, out) {
      out.fill(0, 0, targets.length);
      const start = item < counts.length ? heads[2 * item]! : -1;
      if (start < 0) return;
      // A row holds each neighbour once; a bit per target's low five bits passes over most entries.
      let bits = 0;
      for (let t = 0; t < targets.length; t++) bits |= 1 << (targets[t]! & 31);
      const row = pages[start >>> PAGE_BITS]!;
      const o = start & (PAGE - 1);
      const n = heads[2 * item + 1]!;
      for (let k = o; k < o + 2 * n; k += 2) {
        const b = row[k]!;
        if (((bits >>> (b & 31)) & 1) === 0) continue;
        for (let t = 0; t < targets.length; t++) if (targets[t] === b) out[t] = sim(row[k + 1]!, item, b);
      }
    },
    forEachNeighbour(item, visit) {
      const start = item < counts.length ? heads[2 * item]! : -1;
      if (start < 0) return;
      const row = pages[start >>> PAGE_BITS]!;
      const o = start & (PAGE - 1);
      const n = heads[2 * item + 1]!;
      for (let k = o; k < o + 2 * n; k += 2) visit(row[k]!, sim(row[k + 1]!, item, row[k]!));
    },
    touchNeighbours(item) {
      const start = item < counts.length ? heads[2 * item]! : -1;
      if (start < 0) return 0;
      const row = pages[start >>> PAGE_BITS]!;
      const o = start & (PAGE - 1);
      const n = heads[2 * item + 1]!;
      let sum = 0;
      for (let k = o; k < o + 2 * n; k += 2) sum += counts[row[k]!]!;
      return sum;
    },
    count: (item) => (item < counts.length ? counts[item]! : 0),
    get byteLength() {
      return pages.length * PAGE * 4 + counts.byteLength + heads.byteLength;
    },
  };
}

/** `items` (start, length) pairs of rows not yet made: start -1, length 0. */
function newHeads(items: number): Int32Array {
  const heads = new Int32Array(2 * items);
  for (let h = 0; h < heads.length; h += 2) heads[h] = -1;
  return heads;
}
