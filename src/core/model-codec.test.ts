import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBlendModel } from './blend.js';
import { csrFromTriples } from './csr.js';
import { fitEase } from './ease.js';
import { fitIals, IALS_DEFAULTS } from './ials.js';
import { fitItemKnn } from './item-knn.js';
import type { Model } from './model.js';
import { modelFromBytes, modelFromTransferable, modelToBytes } from './model-codec.js';
import { fitPopularity } from './popularity.js';
import { createRandom } from './random.js';
import { fitRp3beta } from './rp3beta.js';

const rng = createRandom(11);
const rows = Int32Array.from({ length: 200 }, () => rng.int(30));
const cols = Int32Array.from({ length: 200 }, () => rng.int(25));
const x = csrFromTriples(30, 25, rows, cols);
const ease = fitEase(x, { lambda: 5 });
assert.ok(ease.ok);
const models: Model[] = [
  fitPopularity(x),
  fitItemKnn(x, { k: 5, shrink: 2 }),
  fitRp3beta(x, { alpha: 0.8, beta: 0.3, k: 5 }),
  ease.model,
  fitIals(x, { ...IALS_DEFAULTS, factors: 4, epochs: 2 }).model,
];
models.push(createBlendModel(models.slice(1), Float64Array.of(0.5, 0.2, 1, 0.3)));

function scores(model: Model): number[] {
  const out = new Float32Array(25);
  model.scoreHistory(Int32Array.of(1, 4, 9), Float32Array.of(1, 1, 2), out);
  return [...out];
}

test('every model scores the same after a round trip through bytes', () => {
  for (const model of models) {
    const copy = modelFromTransferable(modelFromBytes(modelToBytes(model.toTransferable())));
    assert.equal(copy.kind, model.kind);
    assert.deepEqual(scores(copy), scores(model), model.kind);
  }
});

test('an unknown kind is refused', () => {
  assert.throws(() =>
    modelFromTransferable({ meta: { kind: 'nope', itemCount: 1, params: {}, ownBuffers: 0 }, buffers: [] }),
  );
});

test('history items added after training are ignored, never NaN', () => {
  for (const model of models) {
    const out = new Float32Array(25);
    model.scoreHistory(Int32Array.of(1, 40, -1), Float32Array.of(1, 1, 1), out);
    assert.ok(
      out.every((v) => Number.isFinite(v)),
      model.kind,
    );
  }
});

test('an empty history (a brand-new user) gets finite scores from every model', () => {
  for (const model of models) {
    const out = new Float32Array(25);
    model.scoreHistory(new Int32Array(0), new Float32Array(0), out);
    assert.ok(
      out.every((v) => Number.isFinite(v)),
      model.kind,
    );
  }
});
