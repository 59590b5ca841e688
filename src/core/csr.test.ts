import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples, csrRow, csrRowCounts, csrShared, csrTranspose } from './csr.js';

const m = csrFromTriples(
  3,
  4,
  Int32Array.of(2, 0, 0, 2, 0),
  Int32Array.of(1, 3, 0, 1, 3),
  Float32Array.of(1, 2, 3, 4, 5),
);

test('csrFromTriples sorts columns within a row and sums duplicates', () => {
  assert.deepEqual([...csrRow(m, 0).indices], [0, 3]);
  assert.deepEqual([...csrRow(m, 0).values], [3, 7]);
  assert.deepEqual([...csrRow(m, 2).values], [5]);
});

test('a row with no triples is empty', () => {
  assert.equal(csrRow(m, 1).indices.length, 0);
  assert.deepEqual([...csrRowCounts(m)], [2, 0, 1]);
});

test('csrTranspose swaps rows and columns', () => {
  const t = csrTranspose(m);
  assert.equal(t.rows, 4);
  assert.deepEqual([...csrRow(t, 3).indices], [0]);
  assert.deepEqual([...csrRow(t, 3).values], [7]);
  assert.deepEqual([...csrRow(t, 1).indices], [2]);
});

test('transposing twice gives the original matrix', () => {
  const tt = csrTranspose(csrTranspose(m));
  assert.deepEqual([...tt.indptr], [...m.indptr]);
  assert.deepEqual([...tt.indices], [...m.indices]);
  assert.deepEqual([...tt.values], [...m.values]);
});

test('values default to ones', () => {
  const ones = csrFromTriples(1, 2, Int32Array.of(0, 0), Int32Array.of(1, 0));
  assert.deepEqual([...ones.values], [1, 1]);
});

test('a transpose of a matrix of ones may share its values; of other values it copies them', () => {
  const ones = csrFromTriples(2, 3, Int32Array.of(0, 1, 1), Int32Array.of(2, 0, 2));
  const t = csrTranspose(ones, { reuseUniformValues: true });
  assert.equal(t.values, ones.values);
  assert.deepEqual([...csrRow(t, 2).indices], [0, 1]);
  const mixed = csrTranspose(m, { reuseUniformValues: true });
  assert.notEqual(mixed.values, m.values);
  assert.deepEqual([...csrRow(mixed, 3).values], [7]);
});

test('csrShared copies plain arrays into shared memory and keeps shared ones', () => {
  const m = csrFromTriples(2, 3, Int32Array.of(0, 1, 0), Int32Array.of(2, 0, 1));
  const values = new Float32Array(new SharedArrayBuffer(12)).fill(1);
  const shared = csrShared({ ...m, indices: m.indices.subarray(0, 3), values });
  for (const a of [shared.indptr, shared.indices, shared.values]) {
    assert.ok(a.buffer instanceof SharedArrayBuffer);
  }
  assert.equal(shared.values, values);
  assert.notEqual(shared.indices, m.indices);
  assert.deepEqual([...shared.indptr], [...m.indptr]);
  assert.deepEqual([...shared.indices], [...m.indices]);
  assert.deepEqual([shared.rows, shared.cols], [2, 3]);
});
