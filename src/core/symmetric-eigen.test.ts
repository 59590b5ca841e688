import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from './random.js';
import { symmetricEigen } from './symmetric-eigen.js';

test('a 2×2 matrix has its closed-form eigenvalues and eigenvectors', () => {
  const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
  const order = values[0]! < values[1]! ? [0, 1] : [1, 0];
  assert.ok(Math.abs(values[order[0]!]! - 1) < 1e-12);
  assert.ok(Math.abs(values[order[1]!]! - 3) < 1e-12);
  const big = order[1]!;
  assert.ok(Math.abs(Math.abs(vectors[big * 2]!) - Math.SQRT1_2) < 1e-12);
  assert.ok(Math.abs(vectors[big * 2]! - vectors[big * 2 + 1]!) < 1e-12);
});

test('a random 64×64 Gram matrix is rebuilt from orthonormal eigenvectors', () => {
  const n = 64;
  const rng = createRandom(3);
  const f = Float64Array.from({ length: 200 * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let r = 0; r < 200; r++) {
    for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) a[p * n + q]! += f[r * n + p]! * f[r * n + q]!;
  }
  const { values, vectors } = symmetricEigen(a, n);
  let worst = 0;
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      let rebuilt = 0;
      let dot = 0;
      for (let j = 0; j < n; j++) {
        rebuilt += values[j]! * vectors[j * n + p]! * vectors[j * n + q]!;
        dot += vectors[p * n + j]! * vectors[q * n + j]!;
      }
      worst = Math.max(worst, Math.abs(rebuilt - a[p * n + q]!) / 200, Math.abs(dot - (p === q ? 1 : 0)));
    }
  }
  assert.ok(worst < 1e-10, `worst error ${worst}`);
});
