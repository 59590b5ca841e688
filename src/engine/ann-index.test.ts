import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRandom } from '../core/random.js';
import { topK } from '../core/top-k.js';
import { ANN_DEFAULTS, augmentForInnerProduct, buildAnnIndex, loadAnnIndex } from './ann-index.js';

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

function exactTop(items: Float32Array, query: Float32Array, k: number): Int32Array {
  const scores = new Float32Array(COUNT);
  for (let i = 0; i < COUNT; i++) {
    let s = 0;
    for (let f = 0; f < DIMS; f++) s += query[f]! * items[i * DIMS + f]!;
    scores[i] = s;
  }
  return topK(scores, k);
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
    rmSync(path, { force: true });
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
