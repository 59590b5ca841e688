import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';
import { choleskyInPlace, spdInverse } from './spd-inverse.js';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = createRandom(seed);
  const x = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[k * n + i]! * x[k * n + j]!;
      a[i * n + j] = s + (i === j ? 1 : 0);
    }
  }
  return a;
}

test('the inverse of a 2×2 matrix matches the closed form', () => {
  const a = Float64Array.of(4, 2, 2, 3);
  assert.equal(spdInverse(a, 2), true);
  const expected = [3 / 8, -2 / 8, -2 / 8, 4 / 8];
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(a[i]! - expected[i]!) < 1e-12);
});

test('A times its inverse is the identity for sizes around the 4-row blocks', () => {
  for (const n of [1, 3, 4, 7, 13, 32]) {
    const a = randomSpd(n, n);
    const inv = a.slice();
    assert.equal(spdInverse(inv, n), true);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k]! * inv[k * n + j]!;
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-9, `n=${n} (${i},${j}) ${s}`);
      }
    }
  }
});

test('the Cholesky factor reproduces the matrix', () => {
  const n = 9;
  const a = randomSpd(n, 5);
  const l = a.slice();
  assert.equal(choleskyInPlace(l, n), true);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += l[i * n + k]! * l[j * n + k]!;
      assert.ok(Math.abs(s - a[i * n + j]!) < 1e-9);
    }
  }
});

test('a matrix that is not positive definite is refused', () => {
  assert.equal(spdInverse(Float64Array.of(1, 2, 2, 1), 2), false);
});
