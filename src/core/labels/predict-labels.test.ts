import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLabelFeaturizer } from './label-features.js';
import { trainLabelModel } from './label-model.js';
import { predictLabels } from './predict-labels.js';
import { syntheticCaptions, syntheticSegment } from './synthetic-captions.js';

const featurize = createLabelFeaturizer(syntheticSegment);
const model = trainLabelModel(
  syntheticCaptions(60, 1).map(({ text, label }) => ({ features: featurize({ text }).features, label })),
  { seed: 3 },
);
const predict = (input: Parameters<typeof predictLabels>[1], options = {}) =>
  predictLabels(model, input, syntheticSegment, options);
const techCreator = { distribution: { 高新数码: 30 } };

test('empty text, emoji only, digits only and a generic word are unknown with no labels', () => {
  for (const text of [
    '',
    '   ',
    '🔥🔥😂👍',
    '0101 1100 1010',
    '12345',
    '视频',
    'video',
    '哈哈哈',
    '#上热门',
  ]) {
    assert.deepEqual(predict({ text }), { labels: [], unknown: true }, JSON.stringify(text));
  }
});

test('a clear caption gets its label with a confidence above the threshold', () => {
  const prediction = predict({ text: '麻辣火锅 烧烤 好吃' });
  assert.equal(prediction.unknown, false);
  assert.equal(prediction.labels[0]!.tag, '美食');
  assert.ok(prediction.labels[0]!.confidence >= model.minConfidence);
});

test("a tech creator's food video with a food caption is labelled food, not tech", () => {
  const prediction = predict({ text: '今天做饭 红烧肉 好吃', creatorPrior: techCreator });
  assert.equal(prediction.unknown, false);
  assert.equal(prediction.labels[0]!.tag, '美食');
  const tech = prediction.labels.find((l) => l.tag === '高新数码')?.confidence ?? 0;
  assert.ok(tech < prediction.labels[0]!.confidence / 2, JSON.stringify(prediction));
});

test("a creator prior alone never labels an item: a tech creator's emoji-only video is unknown", () => {
  assert.deepEqual(predict({ text: '🔥🔥🔥', creatorPrior: techCreator }), { labels: [], unknown: true });
});

test('a creator prior adds its pseudo-count to the text evidence: (8 p + 2 prior) / 10', () => {
  const text = '火锅 手机';
  const techOf = (p: ReturnType<typeof predict>): number =>
    p.labels.find((l) => l.tag === '高新数码')?.confidence ?? 0;
  const all = { minConfidence: 0, minLabelConfidence: 0, maxLabels: 10 };
  const own = techOf(predict({ text }, all));
  const withPrior = techOf(predict({ text, creatorPrior: techCreator }, all));
  assert.ok(Math.abs(withPrior - (8 * own + 2) / 10) < 1e-12, `${own} -> ${withPrior}`);
});

test('audience evidence labels an item whose own text says nothing', () => {
  const prediction = predict({ text: '😂😂', audience: { distribution: { 美妆: 9, 美食: 1 } } });
  assert.equal(prediction.unknown, false);
  assert.equal(prediction.labels[0]!.tag, '美妆');
  assert.ok(Math.abs(prediction.labels[0]!.confidence - 0.9) < 1e-12);
});

test('the answer is unknown when the top confidence is below the threshold', () => {
  assert.deepEqual(predict({ text: '麻辣火锅 好吃' }, { minConfidence: 0.999 }), {
    labels: [],
    unknown: true,
  });
});

test('labels are listed best first and their confidences sum to at most one', () => {
  const { labels } = predict({ text: '火锅 口红 手机' }, { minConfidence: 0, minLabelConfidence: 0 });
  assert.equal(labels.length, 3);
  for (let i = 1; i < labels.length; i++) assert.ok(labels[i - 1]!.confidence >= labels[i]!.confidence);
  assert.ok(labels.reduce((s, l) => s + l.confidence, 0) <= 1 + 1e-9);
});
