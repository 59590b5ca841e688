import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLabelModel, encodeLabelModel } from '../../core/labels/label-model-codec.js';
import { createRandom } from '../../core/random.js';
import { createItemLabeler, trainItemLabelModel } from './item-labeler.js';

const topics: Record<string, string[]> = {
  美食: ['火锅', '烧烤', '面条', '红烧肉', '做饭', '厨房', '麻辣', '好吃'],
  高新数码: ['手机', '芯片', '评测', '电脑', '显卡', '耳机', '相机', '充电'],
};
const rng = createRandom(4);
const items = Array.from({ length: 160 }, (_, i) => {
  const category = i % 2 === 0 ? '美食' : '高新数码';
  const words = Array.from({ length: 3 }, () => topics[category]![rng.int(8)]!);
  return { caption: `今天${words.join('')}`, tags: [category], category };
});

test('a model trained from items labels a new item with jieba, ignoring its category field', () => {
  const model = trainItemLabelModel(items, { useTags: false, seed: 1 });
  const label = createItemLabeler(model);
  const prediction = label({ caption: '周末在家做红烧肉，太好吃了', category: '高新数码' });
  assert.equal(prediction.unknown, false);
  assert.equal(prediction.labels[0]!.tag, '美食');
});

test('an item whose caption is only emoji is unknown even from a food creator', () => {
  const label = createItemLabeler(trainItemLabelModel(items, { useTags: false, seed: 1 }));
  const prediction = label({ caption: '😋😋😋 666' }, { creatorPrior: { distribution: { 美食: 1 } } });
  assert.deepEqual(prediction, { labels: [], unknown: true });
});

test('the snapshot the engine serves keeps the confidence map, so it serves the calibrated confidence', () => {
  // One item in five has the other category: no caption can honestly be labelled much above 80%.
  const noisy = items.map((item, i) =>
    i % 5 === 0 ? { ...item, category: item.category === '美食' ? '高新数码' : '美食' } : item,
  );
  const model = trainItemLabelModel(noisy, { useTags: false, seed: 1 });
  assert.ok(model.confidenceMap.confidence.length > 0);
  const caption = '周末在家做红烧肉，太好吃了';
  const served = createItemLabeler(decodeLabelModel(encodeLabelModel(model)))({ caption });
  assert.deepEqual(served, createItemLabeler(model)({ caption }));
  assert.equal(served.labels[0]!.tag, '美食');
  assert.ok(served.labels[0]!.confidence < 0.9, String(served.labels[0]!.confidence));
});
