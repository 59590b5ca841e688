import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coOccurrence, forEachCoOccurrenceRow } from './co-occurrence.js';
import { csrFromTriples } from './csr.js';
import { type RankedRows, rankCoOccurrenceRows } from './neighbour-model.js';
import { createRandom } from './random.js';
import { topK } from './top-k.js';

const rng = createRandom(7);
const users = 50;
const items = 30;
// Skewed item popularity and real-valued weights, so ties and repeated sums are exercised.
const x = csrFromTriples(
  users,
  items,
  Int32Array.from({ length: 500 }, () => rng.int(users)),
  Int32Array.from({ length: 500 }, () => Math.floor(items * rng.next() ** 2)),
  Float32Array.from({ length: 500 }, () => 0.5 + rng.next()),
);

test('co-occurrence rows one at a time are the dense matrix, bit for bit, on the columns it lists', () => {
  const userWeight = Float64Array.from({ length: users }, () => rng.next());
  for (const options of [{}, { userWeight }, { userWeight, binary: true }]) {
    const binary = 'binary' in options;
    const ones = { ...x, values: new Float32Array(x.values.length).fill(1) };
    const dense = coOccurrence(binary ? ones : x, 'userWeight' in options ? userWeight : undefined);
    let visited = 0;
    forEachCoOccurrenceRow(
      x,
      (i, row, columns) => {
        assert.equal(i, visited++);
        for (let c = 1; c < columns.length; c++) assert.ok(columns[c - 1]! < columns[c]!);
        for (let j = 0; j < items; j++) {
          assert.equal(row[j], dense[i * items + j], `(${i}, ${j})`);
          assert.equal(columns.includes(j), dense[i * items + j] !== 0);
        }
      },
      options,
    );
    assert.equal(visited, items);
  }
});

test('ranking rows of the co-occurrence gives the dense ranking without the dense matrix', () => {
  const score = (i: number, j: number, g: number): number => (g * (1 + (i % 3))) / (1 + j);
  const gram = coOccurrence(x);
  const dense = gram.map((g, e) => score(Math.floor(e / items), e % items, g));
  for (const k of [1, 5, 40]) {
    assert.deepEqual(rankCoOccurrenceRows(x, k, score), denseRanking(dense, items, k));
  }
});

/** The reference: each row's kMax largest positive entries of a dense row-major n×n matrix, diagonal skipped. */
function denseRanking(dense: Float64Array, n: number, kMax: number): RankedRows {
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = dense.subarray(i * n, (i + 1) * n);
    for (const j of topK(row, kMax, (j) => j === i || !(row[j]! > 0))) {
      indices.push(j);
      values.push(row[j]!);
    }
    indptr[i + 1] = indices.length;
  }
  return { n, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}
