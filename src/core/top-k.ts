/**
 * Indices of the k largest scores, best first, using a bounded min-heap: O(n log k) with no
 * allocation proportional to n. Entries for which `skip(i)` is true, and NaN or -Infinity scores,
 * are left out.
 *
 * @example
 * topK(Float32Array.of(0.1, 0.9, 0.5), 2); // Int32Array [1, 2]
 */
export function topK(scores: ArrayLike<number>, k: number, skip?: (index: number) => boolean): Int32Array {
  const heapIdx = new Int32Array(Math.max(0, k));
  const heapVal = new Float64Array(Math.max(0, k));
  let size = 0;
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    const value = scores[i]!;
    if (!(value > Number.NEGATIVE_INFINITY)) continue;
    if (size === k && value <= heapVal[0]!) continue;
    if (skip?.(i)) continue;
    size = heapOffer(heapIdx, heapVal, size, k, i, value);
  }
  return drainSorted(heapIdx, heapVal, size);
}

/**
 * Like {@link topK} but over an explicit candidate list: returns the candidates with the k largest
 * `scoreOf(candidate)`, best first. Ties keep the earlier candidate first. With `skip`, candidates
 * it rejects are left out (asked only of those that would make the list so far).
 */
export function topKOf(
  candidates: ArrayLike<number>,
  k: number,
  scoreOf: (index: number) => number,
  skip?: (index: number) => boolean,
): Int32Array {
  const heapIdx = new Int32Array(Math.max(0, k));
  const heapVal = new Float64Array(Math.max(0, k));
  let size = 0;
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c]!;
    const value = scoreOf(i);
    if (!(value > Number.NEGATIVE_INFINITY)) continue;
    if (size === k && value <= heapVal[0]!) continue;
    // Asked only of a candidate that would enter: the dearer test runs for few of them.
    if (skip?.(i)) continue;
    size = heapOffer(heapIdx, heapVal, size, k, i, value);
  }
  return drainSorted(heapIdx, heapVal, size);
}

/**
 * {@link topKOf} with each candidate's score read from `values[candidate]`: the same answer, without
 * a call (and a boxed number) per candidate.
 *
 * @example
 * topKOfValues(Int32Array.of(1, 4, 2), 2, Float64Array.of(0, 10, 20, 30, 40)); // Int32Array [4, 2]
 */
export function topKOfValues(
  candidates: ArrayLike<number>,
  k: number,
  values: ArrayLike<number>,
  skip?: (index: number) => boolean,
): Int32Array {
  const heapIdx = new Int32Array(Math.max(0, k));
  const heapVal = new Float64Array(Math.max(0, k));
  let size = 0;
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c]!;
    const value = values[i]!;
    if (!(value > Number.NEGATIVE_INFINITY)) continue;
    if (size === k && value <= heapVal[0]!) continue;
    if (skip?.(i)) continue;
    size = heapOffer(heapIdx, heapVal, size, k, i, value);
  }
  return drainSorted(heapIdx, heapVal, size);
}

/**
 * Adds (i, value) to a min-heap of at most `k` holding `size` entries, replacing its root when full
 * (callers skip values no larger than the root first); the new size. The root `val[0]` is the least.
 *
 * @example
 * let size = 0;
 * for (const [i, v] of [[1, 0.5], [2, 0.9]]) size = heapOffer(idx, val, size, 10, i, v);
 */
export function heapOffer(
  idx: Int32Array,
  val: Float64Array,
  size: number,
  k: number,
  i: number,
  value: number,
): number {
  if (size < k) {
    siftUp(idx, val, size, i, value);
    return size + 1;
  }
  siftDown(idx, val, size, i, value);
  return size;
}

function siftUp(idx: Int32Array, val: Float64Array, size: number, i: number, value: number): void {
  let pos = size;
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    if (val[parent]! <= value) break;
    idx[pos] = idx[parent]!;
    val[pos] = val[parent]!;
    pos = parent;
  }
  idx[pos] = i;
  val[pos] = value;
}

/** Replaces the root (the smallest) with (i, value) and restores the heap. */
function siftDown(idx: Int32Array, val: Float64Array, size: number, i: number, value: number): void {
  let pos = 0;
  for (;;) {
    const left = 2 * pos + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && val[right]! < val[left]! ? right : left;
    if (val[child]! >= value) break;
    idx[pos] = idx[child]!;
    val[pos] = val[child]!;
    pos = child;
  }
  idx[pos] = i;
  val[pos] = value;
}

function drainSorted(idx: Int32Array, val: Float64Array, size: number): Int32Array {
  const out = new Int32Array(size);
  let remaining = size;
  while (remaining > 0) {
    const topIdx = idx[0]!;
    remaining--;
    out[remaining] = topIdx;
    const lastIdx = idx[remaining]!;
    const lastVal = val[remaining]!;
    if (remaining > 0) siftDown(idx, val, remaining, lastIdx, lastVal);
  }
  return out;
}

/**
 * Sorts `order[0..count)` (indices into `scores` and `keys`) by score, largest first, ties by key,
 * smallest first: the order of `(a, b) => scores[b] - scores[a] || keys[a] - keys[b]` without a
 * comparator call per step (a bottom-up merge sort; `scratch` holds at least `count` entries).
 *
 * @example
 * const order = Int32Array.of(0, 1, 2);
 * sortByScore(order, 3, Float64Array.of(0.5, 0.9, 0.5), Int32Array.of(7, 3, 2), new Int32Array(3));
 * // order is [1, 2, 0]
 */
export function sortByScore(
  order: Int32Array,
  count: number,
  scores: Float64Array,
  keys: Int32Array,
  scratch: Int32Array,
): void {
  // Runs of 8 by insertion, then merges of runs doubling in length, back and forth between the buffers.
  const RUN = 8;
  for (let start = 0; start < count; start += RUN) {
    const end = Math.min(count, start + RUN);
    for (let k = start + 1; k < end; k++) {
      const x = order[k]!;
      const sx = scores[x]!;
      const kx = keys[x]!;
      let j = k - 1;
      while (j >= start) {
        const y = order[j]!;
        const sy = scores[y]!;
        if (sy > sx || (sy === sx && keys[y]! < kx)) break;
        order[j + 1] = y;
        j--;
      }
      order[j + 1] = x;
    }
  }
  let from = order;
  let to = scratch;
  for (let width = RUN; width < count; width *= 2) {
    for (let left = 0; left < count; left += 2 * width) {
      const mid = Math.min(count, left + width);
      const right = Math.min(count, left + 2 * width);
      let a = left;
      let b = mid;
      let out = left;
      while (a < mid && b < right) {
        const x = from[a]!;
        const y = from[b]!;
        const sx = scores[x]!;
        const sy = scores[y]!;
        // Stable: the left run's entry goes first unless the right one ranks strictly before it.
        if (sy > sx || (sy === sx && keys[y]! < keys[x]!)) {
          to[out++] = y;
          b++;
        } else {
          to[out++] = x;
          a++;
        }
      }
      while (a < mid) to[out++] = from[a++]!;
      while (b < right) to[out++] = from[b++]!;
    }
    const swap = from;
    from = to;
    to = swap;
  }
  if (from !== order) order.set(from.subarray(0, count));
}
