/**
 * Item-to-item co-occurrence counted online: two items co-occur when one user engaged positively
 * with both. Similarity is a shrunk cosine, co / (sqrt(n_i * n_j) + shrink), so that a pair seen
 * together once scores far below a pair seen together by many users (Sarwar et al. 2001; the shrink
 * term follows Koren 2008).
 *
 * Memory is bounded: each item keeps at most `maxNeighbours` neighbours in one Int32Array of
 * (neighbour, count) pairs. A new neighbour of a full item replaces the one with the smallest count
 * and inherits that count plus one (space-saving, Metwally et al. 2005), so frequent pairs stay and
 * counts are never underestimated.
 *
 * @example
 * const g = createCooccurrence({ shrink: 10 });
 * g.addUserItem(0, []); g.addUserItem(1, [0]);
 * g.similarity(0, 1); // 1 / (1 + 10)
 */
export interface Cooccurrence {
  /** Records that a user engaged with `item` after `history` (items they engaged with before). */
  addUserItem(item: number, history: ArrayLike<number>): void;
  similarity(a: number, b: number): number;
  /** Calls `visit` for every item that co-occurs with `item`, with its similarity. */
  forEachNeighbour(item: number, visit: (neighbour: number, similarity: number) => void): void;
  /** How many users engaged with the item. */
  count(item: number): number;
  readonly shrink: number;
  readonly maxNeighbours: number;
}

/** Neighbours a row holds before it first grows; rows double up to `maxNeighbours`. */
const INITIAL_NEIGHBOURS = 4;

export function createCooccurrence(options: {
  shrink: number;
  maxNeighbours?: number;
  /** Only the last `window` items of a history co-occur with a new item (default: all of it). */
  window?: number;
}): Cooccurrence {
  const shrink = options.shrink;
  const window = options.window ?? Number.POSITIVE_INFINITY;
  const maxNeighbours = Math.max(1, options.maxNeighbours ?? 64);
  let counts = new Float64Array(1024);
  let lengths = new Int32Array(1024);
  /** Per item: neighbour k at [2k], its co-occurrence count at [2k + 1]. */
  const rows: (Int32Array | undefined)[] = [];

  const ensure = (item: number): void => {
    if (item < counts.length) return;
    let capacity = counts.length;
    while (capacity <= item) capacity *= 2;
    const c = new Float64Array(capacity);
    c.set(counts);
    counts = c;
    const l = new Int32Array(capacity);
    l.set(lengths);
    lengths = l;
  };

  const bump = (a: number, b: number): void => {
    let row = rows[a];
    const n = lengths[a]!;
    if (row !== undefined) {
      for (let k = 0; k < 2 * n; k += 2) {
        if (row[k] === b) {
          row[k + 1]!++;
          return;
        }
      }
    }
    if (n < maxNeighbours) {
      if (row === undefined || 2 * n === row.length) {
        const grown = new Int32Array(2 * Math.min(maxNeighbours, Math.max(INITIAL_NEIGHBOURS, 2 * n)));
        if (row !== undefined) grown.set(row);
        row = grown;
        rows[a] = row;
      }
      row[2 * n] = b;
      row[2 * n + 1] = 1;
      lengths[a] = n + 1;
      return;
    }
    let min = 1;
    for (let k = 3; k < 2 * n; k += 2) if (row![k]! < row![min]!) min = k;
    row![min - 1] = b;
    row![min]!++;
  };

  const sim = (co: number, a: number, b: number): number =>
    co / (Math.sqrt(counts[a]! * counts[b]!) + shrink);

  return {
    shrink,
    maxNeighbours,
    addUserItem(item, history) {
      ensure(item);
      counts[item]!++;
      for (let h = Math.max(0, history.length - window); h < history.length; h++) {
        const other = history[h]!;
        if (other === item) continue;
        ensure(other);
        bump(item, other);
        bump(other, item);
      }
    },
    similarity(a, b) {
      const row = rows[a];
      if (row === undefined) return 0;
      const n = lengths[a]!;
      for (let k = 0; k < 2 * n; k += 2) if (row[k] === b) return sim(row[k + 1]!, a, b);
      return 0;
    },
    forEachNeighbour(item, visit) {
      const row = rows[item];
      if (row === undefined) return;
      const n = lengths[item]!;
      for (let k = 0; k < 2 * n; k += 2) visit(row[k]!, sim(row[k + 1]!, item, row[k]!));
    },
    count: (item) => (item < counts.length ? counts[item]! : 0),
  };
}
