import assert from 'node:assert/strict';
import { test } from 'node:test';
import { releaseBuffers } from './release-buffers.js';

const MiB = 2 ** 20;

test('releasing buffers returns their memory at once and empties their views', async () => {
  const a = new Float32Array(8 * MiB).fill(1);
  const b = new Int32Array(4 * MiB).fill(2);
  const before = process.memoryUsage().arrayBuffers;
  await releaseBuffers([a.buffer, b.buffer]);
  const freed = before - process.memoryUsage().arrayBuffers;
  // 48 MiB were held; no collection runs in between, so only the release can have returned them.
  assert.ok(freed >= 40 * MiB, `freed ${(freed / MiB).toFixed(1)} MiB`);
  assert.equal(a.length, 0);
  assert.equal(b.length, 0);
});

test('shared and already released buffers are left as they are', async () => {
  const shared = new Int32Array(new SharedArrayBuffer(16)).fill(7);
  const plain = new Int32Array(4).fill(3);
  await releaseBuffers([plain.buffer]);
  await releaseBuffers([shared.buffer, plain.buffer, plain.buffer]);
  assert.deepEqual([...shared], [7, 7, 7, 7]);
  assert.equal(plain.length, 0);
  await releaseBuffers([]);
});
