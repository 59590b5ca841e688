import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capShare, pickExploration, spreadPositions } from './exploration.js';
import { createRandom } from './random.js';

test('Thompson sampling prefers an unexplored arm to one known to be poor', () => {
  const rng = createRandom(7);
  let unexplored = 0;
  for (let trial = 0; trial < 500; trial++) {
    const arms = { items: [10, 20], successes: [0, 5], failures: [0, 95], priorMean: [0.3, 0.3] };
    if (pickExploration(arms, 1, 4, rng).items[0] === 10) unexplored++;
  }
  assert.ok(unexplored > 400, `${unexplored} of 500`);
});

test('Thompson sampling keeps a known good arm over an unexplored one with a poor prior', () => {
  const rng = createRandom(8);
  let good = 0;
  for (let trial = 0; trial < 500; trial++) {
    const arms = { items: [10, 20], successes: [0, 80], failures: [0, 20], priorMean: [0.1, 0.1] };
    if (pickExploration(arms, 1, 4, rng).items[0] === 20) good++;
  }
  assert.ok(good > 450, `${good} of 500`);
});

test('a boost multiplies the sampled rate, and no more arms than slots are picked', () => {
  const rng = createRandom(9);
  const arms = {
    items: [1, 2, 3],
    successes: [0, 0, 0],
    failures: [0, 0, 0],
    priorMean: [0.5, 0.5, 0.5],
    boost: [1, 1000, 1],
  };
  const picked = pickExploration(arms, 2, 100, rng);
  assert.equal(picked.items.length, 2);
  assert.equal(picked.items[0], 2);
  assert.ok(picked.samples[0]! > picked.samples[1]!);
});

test('reserved positions are spread through the list and never at the top', () => {
  assert.deepEqual(spreadPositions(20, 2), [5, 15]);
  assert.deepEqual(spreadPositions(10, 1), [5]);
  assert.deepEqual(spreadPositions(3, 3), [1, 1, 2]);
});

test('capShare keeps at most maxCount capped items in the head and the rest behind it in order', () => {
  const ranked = [1, 2, 3, 4, 5, 6];
  const popular = (i: number): boolean => i <= 3;
  assert.deepEqual(capShare(ranked, popular, 4, 1), [1, 4, 5, 6, 2, 3]);
  assert.deepEqual(capShare(ranked, popular, 4, 4), ranked);
  // Held-back items come before those after the head, and nothing past the head is asked about.
  const asked: number[] = [];
  const capped = (i: number): boolean => {
    asked.push(i);
    return i % 2 === 1;
  };
  assert.deepEqual(capShare([1, 3, 2, 5, 4, 6, 7, 8], capped, 3, 1), [1, 2, 4, 3, 5, 6, 7, 8]);
  assert.deepEqual(asked, [1, 3, 2, 5, 4]);
  assert.deepEqual(capShare(ranked, popular, 0, 1), ranked);
});
