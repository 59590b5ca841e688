import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { warmWorkerModules, workerEntries } from './warm-modules.js';

test('workerEntries lists every worker entry under src/ and no other module', () => {
  const names = workerEntries().map((path) => basename(path));
  for (const entry of [
    'train-worker.ts',
    'ials-worker.ts',
    'ann-build-worker.ts',
    'event-append-worker.ts',
    'cooccurrence-worker.ts',
  ]) {
    assert.ok(names.includes(entry), entry);
  }
  assert.ok(!names.includes('start-worker.ts'));
  assert.ok(names.every((name) => name.endsWith('-worker.ts')));
});

test('warmWorkerModules imports every worker entry outside a worker without an error', () => {
  // Each entry must load in a plain process (no parentPort) for the benchmarks to warm its code.
  assert.equal(warmWorkerModules(), workerEntries().length);
});
