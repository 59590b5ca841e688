import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextTurn, TimeSlices } from './time-slices.js';

test('pause gives the event loop a turn only once the slice is used up', async () => {
  let turns = 0;
  setImmediate(() => turns++);
  // A slice of a minute is not used up: pause resolves without a turn of the loop.
  await new TimeSlices(60_000).pause();
  assert.equal(turns, 0);
  // A slice of less than nothing is always used up: pause waits for a turn.
  const spent = new TimeSlices(-1);
  assert.equal(spent.due(), true);
  await spent.pause();
  assert.equal(turns, 1);
});

test('nextTurn resolves after the callbacks already queued for the next turn', async () => {
  const order: string[] = [];
  setImmediate(() => order.push('queued'));
  await nextTurn();
  order.push('after');
  assert.deepEqual(order, ['queued', 'after']);
});
