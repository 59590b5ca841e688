import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLabelFeaturizer } from './label-features.js';
import { trainLabelModel } from './label-model.js';
import { labelProbabilities } from './predict-labels.js';
import { syntheticCaptions, syntheticSegment } from './synthetic-captions.js';

const featurize = createLabelFeaturizer(syntheticSegment);
const examples = syntheticCaptions(60, 1).map(({ text, label }) => ({
  features: featurize({ text }).features,
  label,
}));

test('a model trained on topical captions labels unseen captions of each topic', () => {
  const model = trainLabelModel(examples, { seed: 3 });
  for (const [text, label] of [
    ['麻辣火锅 好吃', '美食'],
    ['新手机 芯片 评测', '高新数码'],
    ['lipstick 口红', '美妆'],
  ] as const) {
    const p = labelProbabilities(model, featurize({ text }));
    const best = p.indexOf(Math.max(...p));
    assert.equal(model.labels[best], label, text);
  }
});

test('the temperature is fit on out-of-fold scores of every item and calibration is measured there', () => {
  const model = trainLabelModel(examples, { seed: 3, folds: 4 });
  assert.equal(model.calibration.heldOutItems, examples.length);
  assert.ok(model.temperature > 0 && Number.isFinite(model.temperature));
  assert.ok(model.calibration.heldOutAccuracy > 0.6, String(model.calibration.heldOutAccuracy));
});

test('training with the same seed gives the same weights', () => {
  const a = trainLabelModel(examples, { seed: 9, epochs: 2 });
  const b = trainLabelModel(examples, { seed: 9, epochs: 2 });
  assert.deepEqual(a.weights, b.weights);
  assert.equal(a.temperature, b.temperature);
});

test('with fewer than 20 items there is one fit and no calibration', () => {
  const model = trainLabelModel(examples.slice(0, 12), { seed: 3 });
  assert.equal(model.temperature, 1);
  assert.equal(model.calibration.heldOutItems, 0);
});

test('tags count as evidence like hashtags in the caption', () => {
  const model = trainLabelModel(examples, { seed: 3 });
  const fromTags = labelProbabilities(model, featurize({ tags: ['火锅'] }));
  assert.equal(model.labels[fromTags.indexOf(Math.max(...fromTags))], '美食');
});

test('with noisy labels, held-out confidences after temperature and confidence map match accuracy', () => {
  const noisy = (perTopic: number, seed: number) =>
    syntheticCaptions(perTopic, seed, 0.6, 0.35).map(({ text, label }) => ({
      features: featurize({ text }).features,
      label,
    }));
  const model = trainLabelModel(noisy(300, 4), { seed: 4 });
  assert.ok(model.confidenceMap.confidence.length > 0);
  let confidence = 0;
  let correct = 0;
  const heldOut = noisy(300, 5);
  for (const { features, label } of heldOut) {
    const p = labelProbabilities(model, { features, informative: true, contentFeatures: features });
    const best = p.indexOf(Math.max(...p));
    confidence += p[best]!;
    if (model.labels[best] === label) correct++;
  }
  const gap = Math.abs(confidence - correct) / heldOut.length;
  assert.ok(
    gap < 0.03,
    `mean confidence ${confidence / heldOut.length}, accuracy ${correct / heldOut.length}`,
  );
  assert.ok(model.calibration.heldOutEce < 0.05, String(model.calibration.heldOutEce));
});
