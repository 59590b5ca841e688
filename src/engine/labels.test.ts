import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openEngine, T0, tempDbPath } from '../../test/helpers.js';
import { loadDemo } from '../cli/demo.js';
import { DEMO_TOPICS } from '../demo/topics.js';

const engine = await loadDemo(tempDbPath('labels'), 11, T0, {
  creators: 30,
  items: 600,
  users: 60,
  eventsPerUser: 10,
});

test('before any training, labels are unknown rather than guessed', async () => {
  const labels = await engine.itemLabels('v00001');
  assert.deepEqual(labels, { labels: [], unknown: true, modelVersion: null });
});

test('after training, a clear caption gets its category with a confident, calibrated label', async () => {
  const result = await engine.train();
  assert.equal(result?.labelModelVersion, 1);
  const item = await engine.getItem('v00001');
  const labels = await engine.itemLabels('v00001');
  assert.equal(labels.unknown, false);
  assert.equal(labels.labels[0]?.tag, item.category);
  assert.ok(labels.labels[0]!.confidence > 0.5 && labels.labels[0]!.confidence <= 1);
  const status = await engine.status();
  assert.ok(status.models.some((m) => m.name === 'labels' && m.version === 1));
});

test('emoji-only, digit-only and empty captions are unknown', async () => {
  for (const k of [0, 1, 2, 3]) {
    const labels = await engine.itemLabels(`v-lowinfo-${k}`);
    assert.equal(labels.unknown, true, `v-lowinfo-${k}`);
    assert.deepEqual(labels.labels, []);
  }
});

test('a caption with no word the label model knows is unknown, and files its creator under nothing', async () => {
  // Three uneven topics: the model's bias alone clears the 0.4 cut-off ('food' at 0.61 for any such caption).
  const three = await openEngine(':memory:', { now: () => T0 });
  await three.putItems({
    items: DEMO_TOPICS.slice(0, 3).flatMap((topic, t) =>
      Array.from({ length: 24 + 6 * t }, (_, k) => ({
        id: `${topic.id}-${k}`,
        creatorId: `${topic.id}-creator`,
        caption: `${topic.phrases[k % topic.phrases.length]} ${topic.emoji[k % topic.emoji.length]} #${topic.zh}`,
        tags: [topic.zh, topic.en],
        category: topic.id,
      })),
    ),
  });
  // No events: only the label model trains.
  await three.train();
  const captions = ['hello world', '量子物理 quantum physics lecture', 'zebra xylophone quartz'];
  await three.putItems({
    items: captions.map((caption, k) => ({ id: `unseen-${k}`, creatorId: 'stranger', caption })),
  });
  for (const k of captions.keys()) {
    const labels = await three.itemLabels(`unseen-${k}`);
    assert.deepEqual([labels.labels, labels.unknown], [[], true], captions[k]);
  }
  const profile = await three.creatorProfile('stranger');
  assert.equal(profile.itemCount, 3);
  assert.deepEqual(profile.facets, []);
  await three.close();
});

test('one known word among unknown ones is evidence: a cat caption is labelled pets', async () => {
  await engine.putItems({ items: [{ id: 'cat-caption', caption: '我的猫 my cat sleeping' }] });
  const labels = await engine.itemLabels('cat-caption');
  assert.equal(labels.unknown, false);
  assert.equal(labels.labels[0]?.tag, 'pets');
});

test('a tech creator who posts a food video gets a food label, and a profile with both facets', async () => {
  const items = Array.from({ length: 30 }, (_, k) => ({
    id: `tech-${k}`,
    creatorId: 'techie',
    caption: `手机 review 上手 ${k} #数码 #tech`,
    tags: ['数码', 'tech'],
    category: 'tech',
  }));
  items.push({
    id: 'techie-food',
    creatorId: 'techie',
    caption: '火锅 hotpot 测评 街头小吃 street food #美食 #food',
    tags: ['美食', 'food'],
    category: undefined as never,
  });
  await engine.putItems({
    items: items.map(({ category, ...rest }) => (category === undefined ? rest : { ...rest, category })),
  });
  const labels = await engine.itemLabels('techie-food');
  assert.equal(labels.unknown, false);
  assert.equal(labels.labels[0]?.tag, 'food');
  const profile = await engine.creatorProfile('techie');
  assert.equal(profile.itemCount, 31);
  assert.deepEqual(
    profile.facets.map((f) => f.label),
    ['tech', 'food'],
  );
});

test('an unknown creator is a 404-style error', async () => {
  await assert.rejects(() => engine.creatorProfile('nobody'), /No creator/);
});
