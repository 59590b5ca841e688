import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from './csr.js';
import type { EaseModel } from './ease.js';
import type { Model } from './model.js';
import { fitGrid } from './model-fitters.js';
import { createRandom } from './random.js';

const rng = createRandom(21);
const x = csrFromTriples(
  60,
  40,
  Int32Array.from({ length: 600 }, () => rng.int(60)),
  Int32Array.from({ length: 600 }, () => rng.int(40)),
);

function scores(model: Model): number[] {
  const out = new Float32Array(40);
  model.scoreHistory(Int32Array.of(1, 5, 7), Float32Array.of(1, 1, 1), out);
  return [...out];
}

for (const [kind, grid] of [
  [
    'item-knn',
    [
      { k: 3, shrink: 5 },
      { k: 10, shrink: 5 },
      { k: 6, shrink: 0 },
    ],
  ],
  [
    'rp3beta',
    [
      { alpha: 0.5, beta: 0.3, k: 3 },
      { alpha: 0.5, beta: 0.3, k: 12 },
      { alpha: 1, beta: 0.3, k: 4 },
    ],
  ],
  ['ease', [{ lambda: 5 }, { lambda: 50 }]],
] as const) {
  test(`a ${kind} grid fit gives the same models as fitting each parameter set alone`, () => {
    const together = fitGrid(kind, x, grid);
    grid.forEach((params, i) => {
      const [alone] = fitGrid(kind, x, [params]);
      const a = together[i]!.result;
      const b = alone!.result;
      assert.ok(a.ok && b.ok);
      assert.deepEqual(scores(a.model), scores(b.model));
    });
  });
}

test('an unknown kind is refused', () => {
  assert.throws(() => fitGrid('nope', x, [{}]), /unknown model kind/);
});

test('above maxItems EASE fits its most interacted-with items; kNN and RP3β need no limit', () => {
  const [ease] = fitGrid('ease', x, [{ lambda: 5, maxItems: 10 }]);
  assert.ok(ease!.result.ok && ease!.result.model.kind === 'ease');
  const kept = (ease!.result.model as EaseModel).items;
  assert.equal(kept.length, 10);
  const counts = new Array<number>(40).fill(0);
  for (const i of x.indices) counts[i]!++;
  const cut = Math.min(...[...kept].map((i) => counts[i]!));
  const left = counts.filter((_, i) => !kept.includes(i));
  assert.ok(left.every((c) => c <= cut));
  for (const kind of ['item-knn', 'rp3beta']) {
    const [fit] = fitGrid(kind, x, [{ maxItems: 10 }]);
    assert.ok(fit!.result.ok, kind);
  }
});
