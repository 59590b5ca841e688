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
  /**
   * Calls `visit` for every item that co-occurs with `item`, with its similarity and the pair's
   * count (how many users engaged with both: never fewer, more when the count was inherited).
   */
  forEachNeighbour(item: number, visit: (neighbour: number, similarity: number, count: number) => void): void;
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

/**
 * Where a co-occurrence keeps its state: its rows, and per item (start, length) heads and user counts,
 * each in a buffer that grows in place (resizable, or growable and shared). Shared buffers let another
 * thread read the very rows this one writes ({@link readCooccurrence}).
 */
export interface CooccurrenceBuffers {
  readonly rows: ArrayBuffer | SharedArrayBuffer;
  readonly heads: ArrayBuffer | SharedArrayBuffer;
  readonly counts: ArrayBuffer | SharedArrayBuffer;
}

/** Int32s in a 64-byte cache line. */
const LINE_INTS = 16;
/** Neighbours a row holds before it first grows; rows grow fourfold up to `maxNeighbours`. */
const INITIAL_NEIGHBOURS = 4;
/** Rows live in pages of this many int32s (4 MiB): memory grows a page at a time, never by copying all rows. */
const PAGE_BITS = 20;
const PAGE = 1 << PAGE_BITS;
/** A buffer grows to at most 4 GiB: 1,024 pages of rows. */
const MAX_BYTES = 2 ** 32;
const MAX_PAGES = MAX_BYTES / 4 / PAGE;
/** Items a co-occurrence can hold: their heads (8 bytes each) and counts (8 bytes) fit in 4 GiB. */
const MAX_ITEMS = MAX_BYTES / 8;
const INITIAL_ITEMS = 1024;

/**
 * New buffers for {@link createCooccurrence}: shared (`SharedArrayBuffer`, growable) for a state
 * written on one thread and read on another, else resizable `ArrayBuffer`s. Only the bytes grown to
 * are memory; the rest of `maxByteLength` is address space.
 */
export function createCooccurrenceBuffers(shared: boolean): CooccurrenceBuffers {
  const make = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    shared
      ? new SharedArrayBuffer(bytes, { maxByteLength: MAX_BYTES })
      : new ArrayBuffer(bytes, { maxByteLength: MAX_BYTES });
  const heads = make(8 * INITIAL_ITEMS);
  // No row yet: start -1, length 0.
  const h = new Int32Array(heads);
  for (let k = 0; k < h.length; k += 2) h[k] = -1;
  return { rows: make(0), heads, counts: make(8 * INITIAL_ITEMS) };
}

/** Grows `buffer` to `bytes` (a resizable or a growable shared buffer). */
function growTo(buffer: ArrayBuffer | SharedArrayBuffer, bytes: number): void {
  if (buffer instanceof SharedArrayBuffer) buffer.grow(bytes);
  else buffer.resize(bytes);
}

export function createCooccurrence(options: {
  shrink: number;
  maxNeighbours?: number;
  /** Only the last `window` items of a history co-occur with a new item (default: all of it). */
  window?: number;
  /** Where the state lives (default: new unshared buffers); shared ones can be read on another thread. */
  buffers?: CooccurrenceBuffers;
}): CooccurrenceWriter {
  const shrink = options.shrink;
  const window = options.window ?? Number.POSITIVE_INFINITY;
  // A row fits in one page.
  const maxNeighbours = Math.min(PAGE / 2, Math.max(1, options.maxNeighbours ?? 64));
  const buffers = options.buffers ?? createCooccurrenceBuffers(false);
  const views = viewsOf(buffers);
  let counts = views.counts;
  /**
   * Per item, side by side so a bump reads one cache line: at [2 * item] where its row starts in
   * `rows` (-1: none; neighbour k at [2k], its count at [2k + 1]), at [2 * item + 1] its length. Both
   * are written with `Atomics.store`, the start before the length (see {@link readCooccurrence}).
   */
  let heads = views.heads;
  /** Every page of rows, one after another in one buffer that grows a page at a time. */
  let rows = views.rows;
  let pageCount = rows.length / PAGE;
  /** The page rows are bump-allocated from, and its first unused int32. */
  let current = -1;
  let pageEnd = PAGE;
  /** Freed rows by capacity (in neighbours), reused before the current page is extended. */
  const free = new Map<number, number[]>();
  /** Per page: int32s in freed rows not reused yet; emptied pages, bump-allocated from again. */
  const pageFree: number[] = Array.from({ length: pageCount }, () => 0);
  let freeInts = 0;
  const spare: number[] = [];
  /**
   * With {@link CooccurrenceWriter.holdFreed} on, rows freed and pages emptied wait here, by the
   * epoch they were freed in, until {@link CooccurrenceWriter.releaseFreed} passes it: a reader on
   * another thread may still be reading them. Rows as (start, capacity) pairs.
   */
  let holding = false;
  let epoch = 0;
  const held: { epoch: number; rows: number[]; pages: number[] }[] = [];
  const heldNow = (): { epoch: number; rows: number[]; pages: number[] } => {
    let last = held[held.length - 1];
    if (last === undefined || last.epoch !== epoch) {
      last = { epoch, rows: [], pages: [] };
      held.push(last);
    }
    return last;
  };

  const ensure = (item: number): void => {
    if (item < counts.length) return;
    if (item >= MAX_ITEMS) throw new RangeError(`co-occurrence: item ${item} is beyond ${MAX_ITEMS} items`);
    let capacity = counts.length;
    while (capacity <= item) capacity *= 2;
    const from = heads.length;
    // Heads first: a reader bounds its reads by the heads it sees.
    growTo(buffers.heads, 8 * capacity);
    heads = new Int32Array(buffers.heads, 0, 2 * capacity);
    for (let h = from; h < heads.length; h += 2) heads[h] = -1;
    growTo(buffers.counts, 8 * capacity);
    counts = new Float64Array(buffers.counts, 0, capacity);
    views.heads = heads;
    views.counts = counts;
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
        if (pageCount >= MAX_PAGES) throw new RangeError(`co-occurrence rows: more than ${MAX_PAGES} pages`);
        growTo(buffers.rows, (pageCount + 1) * PAGE * 4);
        pageCount++;
        rows = new Int32Array(buffers.rows, 0, pageCount * PAGE);
        views.rows = rows;
        pageFree.push(0);
        current = pageCount - 1;
      }
      pageEnd = 0;
    }
    const start = current * PAGE + pageEnd;
    pageEnd += size;
    return start;
  };

  const freeRow = (start: number, capacity: number): void => {
    let list = free.get(capacity);
    if (list === undefined) {
      list = [];
      free.set(capacity, list);
    }
    list.push(start);
  };

  const release = (start: number, capacity: number): void => {
    if (holding) heldNow().rows.push(start, capacity);
    else freeRow(start, capacity);
    pageFree[start >>> PAGE_BITS]! += 2 * capacity;
    freeInts += 2 * capacity;
  };

  // The rows every item grew through are rarely reused: once freed rows pass 1/16 of the pages, the
  // page (not the one being filled) holding the most of them, if an eighth of it, is emptied by moving
  // its live rows, and bump-allocated from again.
  const reclaim = (): void => {
    if (16 * freeInts <= pageCount * PAGE) return;
    let p = -1;
    for (let q = 0; q < pageCount; q++) {
      if (q !== current && pageFree[q]! > (p < 0 ? 0 : pageFree[p]!)) p = q;
    }
    if (p < 0 || 8 * pageFree[p]! < PAGE) return;
    for (const list of free.values()) {
      let kept = 0;
      for (const start of list) if (start >>> PAGE_BITS !== p) list[kept++] = start;
      list.length = kept;
    }
    for (const h of held) {
      let kept = 0;
      for (let r = 0; r < h.rows.length; r += 2) {
        if (h.rows[r]! >>> PAGE_BITS === p) continue;
        h.rows[kept++] = h.rows[r]!;
        h.rows[kept++] = h.rows[r + 1]!;
      }
      h.rows.length = kept;
    }
    freeInts -= pageFree[p]!;
    pageFree[p] = 0;
    for (let h = 0; h < heads.length; h += 2) {
      const start = heads[h]!;
      if (start < 0 || start >>> PAGE_BITS !== p) continue;
      const n = heads[h + 1]!;
      const moved = allocate(capacityOf(n));
      rows.copyWithin(moved, start, start + 2 * n);
      Atomics.store(heads, h, moved);
    }
    if (holding) heldNow().pages.push(p);
    else spare.push(p);
  };

  const bump = (a: number, b: number): void => {
    const n = heads[2 * a + 1]!;
    let start = heads[2 * a]!;
    if (n === maxNeighbours) {
      // A full row: the search for `b` also finds the first smallest count, which `b` replaces if
      // absent (one pass over the row, not two).
      const row = rows;
      const o = start;
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
      const row = rows;
      const o = start;
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
        // A loop, not copyWithin: fewer calls for the short rows most of them are.
        const row = rows;
        for (let k = 0; k < 2 * n; k++) row[grown + k] = row[start + k]!;
        release(start, capacity);
      }
      Atomics.store(heads, 2 * a, grown);
      reclaim();
      start = heads[2 * a]!;
    }
    const row = rows;
    const o = start;
    row[o + 2 * n] = b;
    row[o + 2 * n + 1] = 1;
    Atomics.store(heads, 2 * a + 1, n + 1);
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
    const row = rows;
    const o = heads[2 * a]!;
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
    const row = rows;
    for (let h = from; h < to; h++) {
      const other = history[h]!;
      const start = other < counts.length ? heads[2 * other]! : -1;
      if (start < 0) continue;
      const end = start + 2 * heads[2 * other + 1]!;
      for (let k = start; k < end; k += LINE_INTS) sum ^= row[k]!;
      sum ^= row[end - 1]!;
    }
    return sum;
  };

  return {
    ...readsOf(views, shrink),
    maxNeighbours,
    addUserItem(item, history, length = history.length) {
      if (!(item >= 0)) throw new RangeError(`co-occurrence: item ${item} is not an index`);
      ensure(item);
      counts[item]!++;
      touched = touchRows(history, Math.max(0, length - window), length);
      let h = Math.max(0, length - window);
      // Bumps of a row that is not full may grow it: in the per-pair order, so rows are placed as always.
      for (; h < length && heads[2 * item + 1]! < maxNeighbours; h++) {
        const other = history[h]!;
        if (other === item) continue;
        if (!(other >= 0)) throw new RangeError(`co-occurrence: item ${other} is not an index`);
        ensure(other);
        bump(item, other);
        bump(other, item);
      }
      if (h === length) return;
      // A full row never moves or grows: the rest of its bumps in one pass, then the others' rows.
      for (let k = h; k < length; k++) {
        const other = history[k]!;
        if (!(other >= 0)) throw new RangeError(`co-occurrence: item ${other} is not an index`);
        ensure(other);
      }
      bumpFullRow(item, history, h, length);
      for (; h < length; h++) {
        const other = history[h]!;
        if (other === item) continue;
        bump(other, item);
      }
    },
    holdFreed(epochNow) {
      holding = true;
      epoch = epochNow;
    },
    releaseFreed(through) {
      let k = 0;
      for (; k < held.length && held[k]!.epoch <= through; k++) {
        const h = held[k]!;
        for (let r = 0; r < h.rows.length; r += 2) freeRow(h.rows[r]!, h.rows[r + 1]!);
        spare.push(...h.pages);
      }
      held.splice(0, k);
    },
    get byteLength() {
      return buffers.rows.byteLength + buffers.counts.byteLength + buffers.heads.byteLength;
    },
  };
}

/** A {@link Cooccurrence} that applies its updates, with what a writer beside readers on other threads needs. */
export interface CooccurrenceWriter extends Cooccurrence {
  /**
   * From now on, rows freed and pages emptied are held, as freed in `epoch`, instead of reused, until
   * {@link releaseFreed} passes that epoch.
   */
  holdFreed(epoch: number): void;
  /** Makes rows and pages held from epochs up to `through` reusable. */
  releaseFreed(through: number): void;
}

/** The typed views a co-occurrence reads through, remade when its buffers grow. */
interface Views {
  heads: Int32Array;
  rows: Int32Array;
  counts: Float64Array;
}

// Fixed-length views: a length-tracking view of a growable buffer was 4-5 times slower to index.
function viewsOf(buffers: CooccurrenceBuffers): Views {
  return {
    heads: new Int32Array(buffers.heads, 0, buffers.heads.byteLength >> 2),
    rows: new Int32Array(buffers.rows, 0, buffers.rows.byteLength >> 2),
    counts: new Float64Array(buffers.counts, 0, buffers.counts.byteLength >> 3),
  };
}

/**
 * The reads of a co-occurrence whose buffers another thread writes (shared buffers from
 * {@link createCooccurrenceBuffers}), as of their size at the last {@link refresh}: rows and items the
 * writer added since are not seen yet. `addUserItem` throws.
 *
 * Reads may meet a row mid-update, and stay safe: a row's length is read before its start, and the
 * writer stores (atomically) a moved row's start before any longer length, after copying it, so the
 * pair read always describes entries written; rows the writer frees stay unused until its
 * {@link CooccurrenceWriter.releaseFreed}, called only once no read begun before the free can still
 * run; a neighbour's count may be read just before or after its bump. Ids and counts read are
 * checked anyway (an id outside the items or a count of 0 is skipped), so nothing out of range or
 * non-finite comes out.
 *
 * @example
 * const buffers = createCooccurrenceBuffers(true); // written by a worker given `buffers`
 * const reader = readCooccurrence(buffers, { shrink: 10, maxNeighbours: 64 });
 * reader.refresh(); reader.similarity(0, 1);
 */
export function readCooccurrence(
  buffers: CooccurrenceBuffers,
  options: { shrink: number; maxNeighbours: number },
): Cooccurrence & { refresh(): void } {
  const views = viewsOf(buffers);
  return {
    ...readsOf(views, options.shrink),
    maxNeighbours: options.maxNeighbours,
    addUserItem() {
      throw new Error('co-occurrence: this reader cannot add; its writer applies updates');
    },
    refresh() {
      const fresh = viewsOf(buffers);
      views.heads = fresh.heads;
      views.rows = fresh.rows;
      views.counts = fresh.counts;
    },
    get byteLength() {
      return buffers.rows.byteLength + buffers.counts.byteLength + buffers.heads.byteLength;
    },
  };
}

/** A row's start and length as read for a reader: `rowStart` is -1 for no row or one not readable yet. */
let rowStart = -1;
let rowLength = 0;
function readRow(views: Views, item: number): void {
  rowStart = -1;
  rowLength = 0;
  const heads = views.heads;
  if (!(item >= 0) || 2 * item + 1 >= heads.length) return;
  // The length first: a start read after it is the start of a row at least that long.
  const n = Atomics.load(heads, 2 * item + 1);
  const start = Atomics.load(heads, 2 * item);
  if (start < 0 || start + 2 * n > views.rows.length) return;
  rowStart = start;
  rowLength = n;
}

function readsOf(
  views: Views,
  shrink: number,
): Pick<
  Cooccurrence,
  'similarity' | 'similaritiesTo' | 'forEachNeighbour' | 'touchNeighbours' | 'count' | 'shrink'
> {
  const sim = (co: number, a: number, b: number): number => {
    const counts = views.counts;
    const d = Math.sqrt(counts[a]! * (b < counts.length ? counts[b]! : 0)) + shrink;
    return d > 0 ? co / d : 0;
  };
  return {
    shrink,
    similarity(a, b) {
      readRow(views, a);
      const o = rowStart;
      if (o < 0) return 0;
      const row = views.rows;
      for (let k = o; k < o + 2 * rowLength; k += 2) if (row[k] === b) return sim(row[k + 1]!, a, b);
      return 0;
    },
    similaritiesTo(item, targets, out) {
      out.fill(0, 0, targets.length);
      readRow(views, item);
      const o = rowStart;
      if (o < 0) return;
      // A row holds each neighbour once; a bit per target's low five bits passes over most entries.
      let bits = 0;
      for (let t = 0; t < targets.length; t++) bits |= 1 << (targets[t]! & 31);
      const row = views.rows;
      for (let k = o; k < o + 2 * rowLength; k += 2) {
        const b = row[k]!;
        if (((bits >>> (b & 31)) & 1) === 0) continue;
        for (let t = 0; t < targets.length; t++) if (targets[t] === b) out[t] = sim(row[k + 1]!, item, b);
      }
    },
    forEachNeighbour(item, visit) {
      readRow(views, item);
      const o = rowStart;
      if (o < 0) return;
      const row = views.rows;
      const limit = views.counts.length;
      for (let k = o; k < o + 2 * rowLength; k += 2) {
        const b = row[k]!;
        if (b >= 0 && b < limit) {
          const co = row[k + 1]!;
          visit(b, sim(co, item, b), co);
        }
      }
    },
    touchNeighbours(item) {
      readRow(views, item);
      const o = rowStart;
      if (o < 0) return 0;
      const row = views.rows;
      const counts = views.counts;
      let sum = 0;
      for (let k = o; k < o + 2 * rowLength; k += 2) sum += counts[row[k]!] ?? 0;
      return sum;
    },
    count: (item) => (item >= 0 && item < views.counts.length ? views.counts[item]! : 0),
  };
}
