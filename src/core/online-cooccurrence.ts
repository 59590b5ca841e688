/**
 * Item-to-item co-occurrence counted online: two items co-occur when one user engaged positively
 * with both. Similarity is a shrunk cosine, co / (sqrt(n_i * n_j) + shrink), so that a pair seen
 * together once scores far below a pair seen together by many users (Sarwar et al. 2001; the shrink
 * term follows Koren 2008).
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
}

export function createCooccurrence(options: { shrink: number; maxNeighbours?: number }): Cooccurrence {
  const shrink = options.shrink;
  const maxNeighbours = options.maxNeighbours ?? 2_000;
  const counts: number[] = [];
  const pairs: Map<number, number>[] = [];

  const row = (i: number): Map<number, number> => {
    let m = pairs[i];
    if (m === undefined) {
      m = new Map();
      pairs[i] = m;
    }
    return m;
  };
  const bump = (a: number, b: number): void => {
    const m = row(a);
    const prev = m.get(b);
    if (prev !== undefined) {
      m.set(b, prev + 1);
    } else if (m.size < maxNeighbours) {
      m.set(b, 1);
    }
  };
  const sim = (co: number, a: number, b: number): number =>
    co / (Math.sqrt((counts[a] ?? 0) * (counts[b] ?? 0)) + shrink);

  return {
    shrink,
    addUserItem(item, history) {
      counts[item] = (counts[item] ?? 0) + 1;
      for (let h = 0; h < history.length; h++) {
        const other = history[h]!;
        if (other === item) continue;
        bump(item, other);
        bump(other, item);
      }
    },
    similarity(a, b) {
      const co = pairs[a]?.get(b);
      return co === undefined ? 0 : sim(co, a, b);
    },
    forEachNeighbour(item, visit) {
      const m = pairs[item];
      if (m === undefined) return;
      for (const [other, co] of m) visit(other, sim(co, item, other));
    },
    count: (item) => counts[item] ?? 0,
  };
}
