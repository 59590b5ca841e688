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

test('a version 1 snapshot, from before the confidence map, decodes with the identity map', () => {
  const bytes = encodeLabelModel(model);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(4, true);
  const { confidenceMap: _, ...rest } = JSON.parse(
    new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength)),
  );
  const json = new TextEncoder().encode(JSON.stringify({ ...rest, version: 1 }));
  const floatsAt = 8 + Math.ceil(json.length / 4) * 4;
  const floats = bytes.subarray(8 + Math.ceil(jsonLength / 4) * 4);
  const v1 = new Uint8Array(floatsAt + floats.length);
  v1.set(bytes.subarray(0, 4));
  new DataView(v1.buffer).setUint32(4, json.length, true);
  v1.set(json, 8);
  v1.set(floats, floatsAt);
  const decoded = decodeLabelModel(v1);
  assert.deepEqual(decoded.confidenceMap, { confidence: [], accuracy: [] });
  assert.deepEqual(decoded.weights, model.weights);
});
