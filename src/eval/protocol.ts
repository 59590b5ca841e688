import { type Csr, csrFromTriples } from '../core/csr.js';
import { createRandom } from '../core/random.js';
import { datasetPath, type Interactions, loadInteractionsCsv } from './dataset.js';

/**
 * The offline protocol of PRODUCT.md: deduplicated positives, items with >= 3 positives then
 * users with >= 5, and a seeded per-user split of 20% of positives (at least one) into test.
 */
export interface ProtocolOptions {
  readonly minItemPositives: number;
  readonly minUserPositives: number;
  readonly testFraction: number;
  readonly seed: number;
}

export const PROTOCOL_DEFAULTS: ProtocolOptions = {
  minItemPositives: 3,
  minUserPositives: 5,
  testFraction: 0.2,
  seed: 42,
};

/** A filtered dataset: a binary user×item matrix plus the external ids of its rows and columns. */
export interface Dataset {
  readonly matrix: Csr;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
}

/**
 * Deduplicates pairs, keeps items with at least `minItemPositives`, then users with at least
 * `minUserPositives` among those items (one pass each, in that order), and reindexes densely.
 *
 * @example
 * const data = filterInteractions(loadMovieLensSmall()!); // 601 users, 2,810 items
 */
export function filterInteractions(raw: Interactions, options: ProtocolOptions = PROTOCOL_DEFAULTS): Dataset {
  const all = csrFromTriples(raw.userIds.length, raw.itemIds.length, raw.users, raw.items);
  const itemCount = new Int32Array(all.cols);
  for (let e = 0; e < all.indices.length; e++) itemCount[all.indices[e]!]!++;
  const keepItem = itemCount.map((c) => (c >= options.minItemPositives ? 1 : 0));
  const userNew = new Int32Array(all.rows).fill(-1);
  const userIds: string[] = [];
  for (let u = 0; u < all.rows; u++) {
    let kept = 0;
    for (let e = all.indptr[u]!; e < all.indptr[u + 1]!; e++) kept += keepItem[all.indices[e]!]!;
    if (kept >= options.minUserPositives) {
      userNew[u] = userIds.length;
      userIds.push(raw.userIds[u]!);
    }
  }
  // Items are renumbered in ascending original index among kept ones that a kept user touched.
  const itemNew = new Int32Array(all.cols).fill(-1);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < all.rows; u++) {
    if (userNew[u] === -1) continue;
    for (let e = all.indptr[u]!; e < all.indptr[u + 1]!; e++) {
      const i = all.indices[e]!;
      if (keepItem[i] === 1) itemNew[i] = 0;
    }
  }
  const itemIds: string[] = [];
  for (let i = 0; i < all.cols; i++) {
    if (itemNew[i] === 0) {
      itemNew[i] = itemIds.length;
      itemIds.push(raw.itemIds[i]!);
    }
  }
  for (let u = 0; u < all.rows; u++) {
    if (userNew[u] === -1) continue;
    for (let e = all.indptr[u]!; e < all.indptr[u + 1]!; e++) {
      const i = all.indices[e]!;
      if (keepItem[i] === 0) continue;
      rows.push(userNew[u]!);
      cols.push(itemNew[i]!);
    }
  }
  const matrix = csrFromTriples(userIds.length, itemIds.length, Int32Array.from(rows), Int32Array.from(cols));
  return { matrix, userIds, itemIds };
}

/**
 * Per user, a seeded random `fraction` of their items (rounded, at least one, and never all when
 * there are two or more) moves to the second matrix. Users with a single item stay whole in train.
 */
export function splitPerUser(x: Csr, fraction: number, seed: number): { train: Csr; test: Csr } {
  const rng = createRandom(seed);
  const trainRows: number[] = [];
  const trainCols: number[] = [];
  const testRows: number[] = [];
  const testCols: number[] = [];
  for (let u = 0; u < x.rows; u++) {
    const items = Array.from(x.indices.subarray(x.indptr[u]!, x.indptr[u + 1]!));
    const n = items.length;
    const held = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
    rng.shuffle(items);
    for (let r = 0; r < n; r++) {
      if (r < held) {
        testRows.push(u);
        testCols.push(items[r]!);
      } else {
        trainRows.push(u);
        trainCols.push(items[r]!);
      }
    }
  }
  return {
    train: csrFromTriples(x.rows, x.cols, Int32Array.from(trainRows), Int32Array.from(trainCols)),
    test: csrFromTriples(x.rows, x.cols, Int32Array.from(testRows), Int32Array.from(testCols)),
  };
}

/**
 * A named dataset of the data folder (`ml-latest-small`, or a folder holding `interactions.csv`)
 * through the protocol: MovieLens ratings of 4 and up as positives, the filter, and the per-user
 * test split of `seed`. `setlist eval --dataset` and `npm run eval:feeds` both read it, so their
 * numbers are of the same split. Undefined when the dataset is not there.
 *
 * @example
 * const { train, test, itemIds } = loadProtocolSplit('ml-latest-small', 42)!;
 */
export function loadProtocolSplit(
  name: string,
  seed: number,
): (Dataset & { train: Csr; test: Csr }) | undefined {
  const path = datasetPath(name);
  if (path === undefined) return undefined;
  const raw = loadInteractionsCsv(path, name.startsWith('ml-') ? { minRating: 4 } : {});
  const data = filterInteractions(raw, { ...PROTOCOL_DEFAULTS, seed });
  return { ...data, ...splitPerUser(data.matrix, PROTOCOL_DEFAULTS.testFraction, seed) };
}
