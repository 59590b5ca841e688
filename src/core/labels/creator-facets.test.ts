import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCreatorFacets, type CreatorItem, creatorLabelPrior } from './creator-facets.js';

const item = (itemId: string, tag: string, confidence = 0.8, vector?: number[]): CreatorItem => ({
  itemId,
  labels: [{ tag, confidence }],
  ...(vector === undefined ? {} : { vector: Float32Array.from(vector) }),
});

test('a creator with two topics gets two facets, not one blend', () => {
  const items = [
    ...Array.from({ length: 6 }, (_, i) => item(`t${i}`, 'tech', 0.9)),
    ...Array.from({ length: 4 }, (_, i) => item(`h${i}`, 'hiking', 0.9)),
  ];
  const facets = buildCreatorFacets(items);
  assert.deepEqual(
    facets.map((f) => [f.label, f.itemCount]),
    [
      ['tech', 6],
      ['hiking', 4],
    ],
  );
  assert.ok(Math.abs(facets[0]!.weight - 0.6) < 1e-12 && Math.abs(facets[1]!.weight - 0.4) < 1e-12);
  assert.equal(facets[1]!.id, 'label:hiking');
});

test('facet examples are the most confidently labelled items', () => {
  const items = [
    item('a', 'tech', 0.5),
    item('b', 'tech', 0.95),
    item('c', 'tech', 0.7),
    item('d', 'tech', 0.9),
  ];
  assert.deepEqual(buildCreatorFacets(items)[0]!.examples, ['b', 'd', 'c']);
});

test('a one-off topic below the minimum share is not a facet', () => {
  const items = [...Array.from({ length: 9 }, (_, i) => item(`t${i}`, 'tech')), item('f', 'food')];
  assert.deepEqual(
    buildCreatorFacets(items).map((f) => f.label),
    ['tech'],
  );
});

test('unknown items are left out, or join the nearest facet when they have vectors', () => {
  const items: CreatorItem[] = [
    item('t1', 'tech', 0.8, [1, 0]),
    item('t2', 'tech', 0.8, [1, 0.1]),
    item('h1', 'hiking', 0.8, [0, 1]),
    item('h2', 'hiking', 0.8, [0.1, 1]),
    { itemId: 'u1', labels: [], unknown: true, vector: Float32Array.of(0.05, 1) },
    { itemId: 'u2', labels: [], unknown: true },
  ];
  const facets = buildCreatorFacets(items);
  const hiking = facets.find((f) => f.label === 'hiking')!;
  assert.equal(hiking.itemCount, 3);
  assert.ok(hiking.weight > 0.5);
  assert.equal(hiking.centroid?.length, 2);
});

test('secondary labels of a facet items become its tags', () => {
  const items: CreatorItem[] = Array.from({ length: 3 }, (_, i) => ({
    itemId: `m${i}`,
    labels: [
      { tag: 'makeup', confidence: 0.7 },
      { tag: 'skincare', confidence: 0.25 },
    ],
  }));
  assert.deepEqual(buildCreatorFacets(items)[0]!.tags, ['makeup', 'skincare']);
});

test('a creator with no labelled item has no facets', () => {
  assert.deepEqual(buildCreatorFacets([{ itemId: 'x', labels: [], unknown: true }]), []);
});

test('facets become a weak prior for labelling the next item', () => {
  const facets = buildCreatorFacets([
    item('a', 'tech'),
    item('b', 'tech'),
    item('c', 'hiking'),
    item('d', 'hiking'),
  ]);
  assert.deepEqual(creatorLabelPrior(facets), { distribution: { hiking: 0.5, tech: 0.5 }, pseudoCount: 2 });
});

test('a hidden item counts toward its facet but is never one of its examples', () => {
  const items = [
    { ...item('best', 'tech', 0.99), hidden: true },
    item('t1', 'tech', 0.9),
    item('t2', 'tech', 0.8),
    item('t3', 'tech', 0.7),
  ];
  const [facet] = buildCreatorFacets(items);
  assert.equal(facet?.itemCount, 4);
  assert.deepEqual(facet?.examples, ['t1', 't2', 't3']);
});
