import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bagCosine, clusterFacets } from './facets.js';

const topicOf = [0, 0, 0, 1, 1, 0, 1];
const same = (a: number, b: number): number => (topicOf[a] === topicOf[b] ? 0.9 : 0.05);

test('items of two topics form two facets weighted by their items', () => {
  const weights = Float64Array.from(topicOf, () => 1);
  const facets = clusterFacets(weights, same, { minSimilarity: 0.3 });
  assert.equal(facets.length, 2);
  assert.deepEqual(facets[0]!.members, [0, 1, 2, 5]);
  assert.equal(facets[0]!.weight, 4);
  assert.deepEqual(facets[1]!.members, [3, 4, 6]);
});

test('the medoid is a member of its facet', () => {
  const facets = clusterFacets(Float64Array.of(1, 1, 1, 1, 1, 1, 1), same, { minSimilarity: 0.3 });
  for (const f of facets) assert.ok(f.members.includes(f.medoid));
});

test('maxFacets merges the lightest facets into their nearest', () => {
  const facets = clusterFacets(Float64Array.of(1, 1, 1), () => 0, { minSimilarity: 0.5, maxFacets: 2 });
  assert.equal(facets.length, 2);
  assert.equal(
    facets.reduce((s, f) => s + f.members.length, 0),
    3,
  );
});

test('bag cosine is 1 for equal bags and 0 for disjoint ones', () => {
  const a = new Map([['x', 1]]);
  assert.equal(bagCosine(a, new Map([['x', 2]])), 1);
  assert.equal(bagCosine(a, new Map([['y', 1]])), 0);
});
