import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { twoGroupInteractions } from '../../test/fixtures/interactions.js';
import { fitIals, IALS_DEFAULTS, ialsRowSplits } from '../core/ials.js';
import { modelFromBytes, modelToBytes } from '../core/model-codec.js';
import { fitIalsParallel } from './ials-parallel.js';

const x = twoGroupInteractions(60, 40, 6, 5);
const params = { ...IALS_DEFAULTS, factors: 8, epochs: 3 };

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += a[i]! ** 2;
  }
  return diff / norm;
}

test('the parallel fit on worker threads matches the serial fit up to float summation order', async () => {
  const serial = fitIals(x, params);
  const parallel = await fitIalsParallel(x, params, { workers: 2 });
  assert.ok(relativeError(serial.model.itemFactors, parallel.model.itemFactors) < 1e-8);
  assert.ok(relativeError(serial.userFactors, parallel.userFactors) < 1e-8);
  assert.equal(parallel.epochMs.length, 3);
});

test('the inline runner (no workers) gives the serial fit too', async () => {
  const serial = fitIals(x, params);
  const inline = await fitIalsParallel(x, params, { workers: 0 });
  assert.ok(relativeError(serial.model.itemFactors, inline.model.itemFactors) < 1e-8);
});

test('a fit in place in its snapshot bytes gives the bytes of the copied fit, and a model reading them', async () => {
  const copied = await fitIalsParallel(x, params, { workers: 0 });
  const inPlace = await fitIalsParallel(x, params, { workers: 0, modelBytes: true });
  assert.equal(copied.bytes, undefined);
  assert.ok(inPlace.bytes?.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(inPlace.bytes, new Uint8Array(modelToBytes(copied.model.toTransferable())));
  // The model's factors are the bytes' own, not a copy.
  assert.equal(inPlace.model.itemFactors.buffer, inPlace.bytes.buffer);
  const read = modelFromBytes(inPlace.bytes, { copy: false });
  assert.deepEqual(read.meta, copied.model.toTransferable().meta);
});

/** The nice value of each of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test("lowerPriority lowers the fit's worker threads and leaves the calling thread as it is", {
  skip: process.platform !== 'linux' && 'nice values are per thread only on Linux',
}, async () => {
  const base = getPriority();
  const lowered = Math.max(base, 10);
  let during: number[] = [];
  await fitIalsParallel(x, params, {
    workers: 2,
    lowerPriority: true,
    onEpoch: () => (during = threadNices()),
  });
  assert.ok(during.filter((nice) => nice === lowered).length >= 2, `nice values ${during}`);
  assert.equal(getPriority(), base);
  if (base < 10) {
    let plain: number[] = [];
    await fitIalsParallel(x, params, { workers: 2, onEpoch: () => (plain = threadNices()) });
    assert.equal(plain.filter((nice) => nice === lowered).length, 0, `nice values ${plain}`);
    assert.ok(plain.length >= 3);
  }
});

test('row splits give each thread about the same solve cost on skewed rows', () => {
  // Row 0 holds 90 of the 100 nonzeros: it gets a range of its own.
  const indptr = Int32Array.of(0, 90, 92, 94, 96, 98, 100);
  const bounds = ialsRowSplits(indptr, 2, 1);
  assert.deepEqual([...bounds], [0, 1, 6]);
});
