import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruMap } from './lru-map.js';

test('the least recently used entry is dropped first, a read counting as a use', () => {
  const recent = new LruMap<string, number>(2);
  recent.set('a', 1);
  recent.set('b', 2);
  assert.equal(recent.get('a'), 1);
  recent.set('c', 3);
  assert.equal(recent.get('b'), undefined);
  assert.equal(recent.get('a'), 1);
  assert.equal(recent.get('c'), 3);
  assert.equal(recent.size, 2);
});

test('overwriting an entry makes it the most recent without growing the map', () => {
  const recent = new LruMap<string, number>(2);
  recent.set('a', 1);
  recent.set('b', 2);
  recent.set('a', 10);
  recent.set('c', 3);
  assert.equal(recent.size, 2);
  assert.equal(recent.get('b'), undefined);
  assert.equal(recent.get('a'), 10);
});

test('a capacity of 0 keeps nothing, and clear empties the map', () => {
  const none = new LruMap<string, number>(0);
  none.set('a', 1);
  assert.equal(none.size, 0);
  assert.equal(none.get('a'), undefined);
  const recent = new LruMap<number, string>(3);
  recent.set(1, 'x');
  recent.clear();
  assert.equal(recent.size, 0);
});

test('delete drops one entry and says whether it was there', () => {
  const recent = new LruMap<string, number>(2);
  recent.set('a', 1);
  recent.set('b', 2);
  assert.equal(recent.delete('a'), true);
  assert.equal(recent.delete('a'), false);
  assert.equal(recent.get('a'), undefined);
  assert.equal(recent.size, 1);
});
