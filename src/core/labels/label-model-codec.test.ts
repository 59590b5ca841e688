import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLabelFeaturizer } from './label-features.js';
import { trainLabelModel } from './label-model.js';
import { decodeLabelModel, encodeLabelModel } from './label-model-codec.js';
import { labelProbabilities } from './predict-labels.js';
import { syntheticCaptions, syntheticSegment } from './synthetic-captions.js';

const featurize = createLabelFeaturizer(syntheticSegment);
const model = trainLabelModel(
  syntheticCaptions(20, 2).map(({ text, label }) => ({ features: featurize({ text }).features, label })),
  { seed: 1 },
);

test('a label model survives encoding and decoding unchanged', () => {
  const decoded = decodeLabelModel(encodeLabelModel(model));
  assert.deepEqual(decoded, model);
  const features = featurize({ text: '火锅 面条' });
  assert.deepEqual(labelProbabilities(decoded, features), labelProbabilities(model, features));
});

test('decoding works from a copy at a non-zero byte offset', () => {
  const bytes = encodeLabelModel(model);
  const padded = new Uint8Array(bytes.length + 3);
  padded.set(bytes, 3);
  assert.deepEqual(decodeLabelModel(padded.subarray(3)), model);
});

test('bytes that are not a label model are refused', () => {
  assert.throws(() => decodeLabelModel(new Uint8Array(16)), /not a setlist label model/);
});

test('truncated bytes are refused', () => {
  const bytes = encodeLabelModel(model);
  assert.throws(() => decodeLabelModel(bytes.subarray(0, bytes.length - 4)), /truncated/);
});
