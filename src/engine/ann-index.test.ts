import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRandom } from '../core/random.js';
import { topK } from '../core/top-k.js';
import {
  ANN_DEFAULTS,
  type AnnIndex,
  augmentForInnerProduct,
  buildAnnIndex,
  EF_LADDER,
  loadAnnIndex,
  normRanges,
  removeAnnFiles,
} from './ann-index.js';

const DIMS = 16;
const COUNT = 4_000;

/** Clustered vectors whose norms vary, like iALS item factors. */
function vectors(count: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const centres = Array.from({ length: 20 }, () => Array.from({ length: DIMS }, () => random.normal()));
  const out = new Float32Array(count * DIMS);
  for (let i = 0; i < count; i++) {
    const norm = 0.2 + 2 / Math.sqrt(1 + i / 20);
    for (let f = 0; f < DIMS; f++) out[i * DIMS + f] = norm * (centres[i % 20]![f]! + random.normal());
  }
  return out;
}

function exactTop(items: Float32Array, query: Float32Array, k: number, count = COUNT): Int32Array {
  const scores = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let f = 0; f < DIMS; f++) s += query[f]! * items[i * DIMS + f]!;
    scores[i] = s;
  }
  return topK(scores, k);
}

/**
 * Like a trained model's item factors at scale: a few items (1 in 200) with long vectors, the rest
 * short, their norms spread over two orders of magnitude below (at a million items a model's p50 is
 * 0.0014, its p99 0.016 and its p99.9 0.44).
 */
function skewedVectors(count: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const centres = Array.from({ length: 20 }, () => Array.from({ length: DIMS }, () => random.normal()));
  const out = new Float32Array(count * DIMS);
  for (let i = 0; i < count; i++) {
    const norm = random.next() < 0.001 ? 0.5 : 10 ** (-2 - 2 * random.next());
    for (let f = 0; f < DIMS; f++) out[i * DIMS + f] = norm * (centres[i % 20]![f]! + random.normal());
  }
  return out;
}

function recallOf(
  ann: AnnIndex,
  vectorsOf: Float32Array,
  count: number,
  queryVectors: Float32Array,
  queries: number,
): number {
  let hits = 0;
  for (let q = 0; q < queries; q++) {
    const query = queryVectors.subarray(q * DIMS, (q + 1) * DIMS);
    const truth = new Set(exactTop(vectorsOf, query, 100, count));
    for (const i of ann.search(query, 100)) if (truth.has(i)) hits++;
  }
  return hits / (queries * 100);
}

const items = vectors(COUNT, 3);
const queries = vectors(50, 9);

test('HNSW retrieval finds at least 95% of the exact top 100 by inner product', () => {
  const ann = buildAnnIndex(items, COUNT, DIMS);
  let hits = 0;
  for (let q = 0; q < 50; q++) {
    const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
    const truth = new Set(exactTop(items, query, 100));
    for (const i of ann.search(query, 100)) if (truth.has(i)) hits++;
  }
  assert.ok(hits / (50 * 100) >= 0.95, `recall@100 ${hits / 5_000}`);
});

test("the index's scores are its items' inner products within its tolerance, best first", () => {
  const ann = buildAnnIndex(items, COUNT, DIMS);
  const query = queries.subarray(0, DIMS);
  const { items: found, scores, tolerance } = ann.searchScored(query, 100);
  assert.equal(found.length, 100);
  assert.ok(tolerance > 0 && tolerance < 0.1, `tolerance ${tolerance}`);
  for (let r = 0; r < found.length; r++) {
    let exact = 0;
    for (let f = 0; f < DIMS; f++) exact += query[f]! * items[found[r]! * DIMS + f]!;
    assert.ok(Math.abs(scores[r]! - exact) <= tolerance / 10, `${scores[r]} against ${exact}`);
    if (r > 0) assert.ok(scores[r]! <= scores[r - 1]!);
  }
});

test('an index saved by one thread and loaded by another answers the same', async () => {
  const ann = buildAnnIndex(items, COUNT, DIMS);
  const path = join(tmpdir(), `setlist-ann-test-${process.pid}.bin`);
  try {
    ann.save(path);
    const loaded = await loadAnnIndex(path, COUNT, DIMS);
    const query = queries.subarray(0, DIMS);
    assert.deepEqual([...loaded.search(query, 10)].sort(), [...ann.search(query, 10)].sort());
  } finally {
    await removeAnnFiles(path);
  }
});

test('an index built from rows read in place answers as one built from the row-major array', () => {
  const fromArray = buildAnnIndex(items, COUNT, DIMS);
  const fromRows = buildAnnIndex((i) => items.subarray(i * DIMS, (i + 1) * DIMS), COUNT, DIMS);
  for (let q = 0; q < 5; q++) {
    const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
    assert.deepEqual([...fromRows.search(query, 50)], [...fromArray.search(query, 50)]);
  }
});

test('the added coordinate gives every item the same norm', () => {
  const { vectors: out, dims } = augmentForInnerProduct(Float32Array.of(3, 4, 0, 1), 2, 2);
  assert.equal(dims, 3);
  const norm = (i: number) => Math.hypot(out[i * 3]!, out[i * 3 + 1]!, out[i * 3 + 2]!);
  assert.ok(Math.abs(norm(0) - 5) < 1e-6 && Math.abs(norm(1) - 5) < 1e-6);
});

test('release frees the native index and leaves it empty', async () => {
  // 60,000 points of 17 coordinates and 32 links: 12.5 MB in one allocation, which glibc maps on its own.
  const count = 60_000;
  const many = vectors(count, 5);
  const ann = buildAnnIndex(many, count, DIMS, { ...ANN_DEFAULTS, efConstruction: 10 });
  const query = queries.subarray(0, DIMS);
  assert.equal(ann.search(query, 10).length, 10);
  const before = process.memoryUsage.rss();
  await ann.release();
  const freed = before - process.memoryUsage.rss();
  assert.ok(freed >= 8 * 2 ** 20, `RSS fell by ${freed} bytes`);
  assert.equal(ann.search(query, 10).length, 0);
  await ann.release();
});

/** Several graphs at this size: a head of 256, graphs of at least 512 items. */
const SMALL_PARTS = { ...ANN_DEFAULTS, headItems: 256, minRangeItems: 512 };

test('norms spread over orders of magnitude: at least 95% of the exact top 100 with a short search list', () => {
  const count = 20_000;
  const skewed = skewedVectors(count, 21);
  const skewedQueries = vectors(40, 23);
  // A search list of 100 for 20,000 items, as 300 is for a million.
  const search = { efSearch: 100, efConstruction: 50 };
  const parted = buildAnnIndex(skewed, count, DIMS, { ...SMALL_PARTS, ...search });
  const recall = recallOf(parted, skewed, count, skewedQueries, 40);
  assert.ok(recall >= 0.95, `recall@100 by norm ranges ${recall}`);
});

test('a catalogue inside the head is searched exactly', () => {
  const ann = buildAnnIndex(items, COUNT, DIMS, { ...ANN_DEFAULTS, headItems: COUNT });
  for (let q = 0; q < 5; q++) {
    const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
    assert.deepEqual([...ann.search(query, 100)].sort(), [...exactTop(items, query, 100)].sort());
  }
});

test('norm ranges: each graph within the ratio, none under the minimum, the last taking the rest', () => {
  const norms = Float64Array.from({ length: 1_000 }, (_, i) => 1000 / (i + 1));
  const order = Int32Array.from({ length: 1_000 }, (_, i) => i);
  const ranges = normRanges(order, norms, 10, { rangeNormRatio: 4, minRangeItems: 50, maxRanges: 8 });
  assert.equal(ranges[0]![0], 10);
  assert.equal(ranges.at(-1)![1], 1_000);
  for (let r = 1; r < ranges.length; r++) assert.equal(ranges[r]![0], ranges[r - 1]![1]);
  for (const [start, end] of ranges.slice(0, -1)) {
    assert.ok(end - start >= 50);
    // Longer than the minimum only while the norms stay within the ratio of the first.
    if (end - start > 50) assert.ok(norms[end - 1]! >= norms[start]! / 4);
  }
  assert.ok(ranges.length <= 8);
  assert.deepEqual(normRanges(order, norms, 10, { rangeNormRatio: 4, minRangeItems: 50, maxRanges: 1 }), [
    [10, 1_000],
  ]);
  assert.deepEqual(
    normRanges(order, norms, 1_000, { rangeNormRatio: 4, minRangeItems: 50, maxRanges: 8 }),
    [],
  );
});

test('an index of several graphs saved and loaded answers the same, and its files are removed', async () => {
  const skewed = skewedVectors(COUNT, 21);
  const ann = buildAnnIndex(skewed, COUNT, DIMS, SMALL_PARTS);
  const dir = mkdtempSync(join(tmpdir(), 'setlist-ann-'));
  const path = join(dir, 'index.bin');
  try {
    ann.save(path);
    assert.ok(readdirSync(dir).length >= 3, `files: ${readdirSync(dir).join(', ')}`);
    const loaded = await loadAnnIndex(path, COUNT, DIMS, SMALL_PARTS);
    for (let q = 0; q < 5; q++) {
      const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
      assert.deepEqual([...loaded.searchScored(query, 50).items], [...ann.searchScored(query, 50).items]);
    }
    await assert.rejects(loadAnnIndex(path, COUNT + 1, DIMS), /is not an index of 4001 items/);
    await removeAnnFiles(path);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a build keeps the shortest search list that meets the recall target, and still finds 95% of the top 100', () => {
  const count = 20_000;
  const skewed = skewedVectors(count, 21);
  const ann = buildAnnIndex(skewed, count, DIMS, { ...SMALL_PARTS, efConstruction: 50 });
  assert.ok(EF_LADDER.includes(ann.efSearch), `efSearch ${ann.efSearch}`);
  const recall = recallOf(ann, skewed, count, vectors(40, 23), 40);
  assert.ok(recall >= 0.95, `recall@100 at efSearch ${ann.efSearch}: ${recall}`);
});

test('a target no search list meets keeps efSearch, as does no target', () => {
  const count = 20_000;
  const skewed = skewedVectors(count, 21);
  const options = { ...SMALL_PARTS, efConstruction: 50 };
  assert.equal(buildAnnIndex(skewed, count, DIMS, { ...options, recallTarget: 1.01 }).efSearch, 300);
  assert.equal(buildAnnIndex(skewed, count, DIMS, { ...options, recallTarget: 0 }).efSearch, 300);
  // A catalogue inside the head has no graph to tune.
  assert.equal(buildAnnIndex(items, COUNT, DIMS, { ...ANN_DEFAULTS, headItems: COUNT }).efSearch, 300);
});

test('a saved index keeps its tuned search list; options read it back shorter, never longer', async () => {
  const count = 20_000;
  const skewed = skewedVectors(count, 21);
  const ann = buildAnnIndex(skewed, count, DIMS, { ...SMALL_PARTS, efConstruction: 50 });
  assert.ok(ann.efSearch < 300);
  const dir = mkdtempSync(join(tmpdir(), 'setlist-ann-'));
  const path = join(dir, 'index.bin');
  try {
    ann.save(path);
    assert.equal((await loadAnnIndex(path, count, DIMS, SMALL_PARTS)).efSearch, ann.efSearch);
    assert.equal((await loadAnnIndex(path, count, DIMS, { ...SMALL_PARTS, efSearch: 60 })).efSearch, 60);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
