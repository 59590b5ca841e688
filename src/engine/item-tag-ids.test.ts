import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemId } from '../types.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { itemTagIds } from './item-tag-ids.js';
import { OnlineState } from './online-state.js';

function put(state: OnlineState, id: string, tags: string[], category?: string): number {
  return state.upsertItem({
    id: id as ItemId,
    tags,
    ...(category === undefined ? {} : { category }),
    createdAt: 0,
    updatedAt: 0,
    visibility: 'visible',
  });
}

/** Item i's tag numbers, as a feed reads them. */
function numbers(state: OnlineState, i: number): number[] {
  const ids = itemTagIds(state);
  const start = ids.start(state, i);
  return Array.from(ids.tagPool.subarray(start, start + ids.count(i)));
}

test('items in the state before the numbers are first asked for, and items set after, read the same', () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const a = put(state, 'a', ['cats', 'dogs', 'cats']);
  const ids = itemTagIds(state);
  const b = put(state, 'b', ['dogs'], 'pets');
  assert.deepEqual(numbers(state, a), [ids.idOf('cats'), ids.idOf('dogs')]);
  assert.deepEqual(numbers(state, b), [ids.idOf('dogs')]);
  assert.equal(ids.categoryKey(b), ids.idOf('category:pets'));
  assert.equal(ids.categoryKey(a), -1);
});

test("an item set again reads its new record's tags, and the others keep theirs", () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const ids = itemTagIds(state);
  const a = put(state, 'a', ['cats']);
  const b = put(state, 'b', ['dogs']);
  put(state, 'a', ['birds', 'fish']);
  assert.deepEqual(numbers(state, a), [ids.idOf('birds'), ids.idOf('fish')]);
  assert.deepEqual(numbers(state, b), [ids.idOf('dogs')]);
  // Many re-sets make the pool rebuild itself: the numbers stay right.
  for (let k = 0; k < 5_000; k++) put(state, 'a', [`t${k % 7}`, 'x', 'y']);
  assert.deepEqual(numbers(state, a), [ids.idOf('t1'), ids.idOf('x'), ids.idOf('y')]);
  assert.deepEqual(numbers(state, b), [ids.idOf('dogs')]);
});
