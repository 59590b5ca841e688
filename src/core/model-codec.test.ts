import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBlendModel } from './blend.js';
import { csrFromTriples } from './csr.js';
import { fitEase } from './ease.js';
import { fitIals, IALS_DEFAULTS } from './ials.js';
import { fitItemKnn } from './item-knn.js';
import type { Model } from './model.js';
import {
  allocateModelBytes,
  modelFromBytes,
  modelFromTransferable,
  modelToBytes,
  transferList,
} from './model-codec.js';
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

test('a model read in place from shared bytes scores the same and holds no copy of its arrays', () => {
  for (const model of models) {
    const bytes = modelToBytes(model.toTransferable(), { shared: true });
    const t = modelFromBytes(bytes, { copy: false });
    assert.ok(
      t.buffers.every((b) => b instanceof Uint8Array && b.buffer === bytes.buffer),
      model.kind,
    );
    const inPlace = modelFromTransferable(t);
    assert.deepEqual(scores(inPlace), scores(model), model.kind);
    // Round trips again to the same bytes, and gives nothing to transfer.
    assert.deepEqual([...modelToBytes(t)], [...bytes], model.kind);
    assert.deepEqual(transferList(t), [], model.kind);
  }
});

test('bytes at an offset that is not 8-byte aligned are copied, with the same scores', () => {
  const model = models[4]!;
  const bytes = modelToBytes(model.toTransferable());
  const shifted = new Uint8Array(bytes.length + 4);
  shifted.set(bytes, 4);
  const t = modelFromBytes(shifted.subarray(4), { copy: false });
  assert.ok(t.buffers.every((b) => b instanceof ArrayBuffer));
  assert.deepEqual(scores(modelFromTransferable(t)), scores(model));
});

test('buffers written in place into allocated model bytes give the bytes modelToBytes writes', () => {
  const t = models.at(-1)!.toTransferable();
  const { bytes, buffers } = allocateModelBytes(
    t.meta,
    t.buffers.map((b) => b.byteLength),
    { shared: true },
  );
  for (const [i, b] of t.buffers.entries()) buffers[i]!.set(b instanceof Uint8Array ? b : new Uint8Array(b));
  assert.ok(bytes.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(new Uint8Array(bytes), modelToBytes(t));
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
