import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { workerEntries } from './warm-modules.js';

test('workerEntries lists every worker entry under src/ and no other module', () => {
  const names = workerEntries().map((path) => basename(path));
  for (const entry of [
    'train-worker.ts',
    'ials-worker.ts',
    'ann-build-worker.ts',
    'event-append-worker.ts',
  ]) {
    assert.ok(names.includes(entry), entry);
  }
  assert.ok(!names.includes('start-worker.ts'));
  assert.ok(names.every((name) => name.endsWith('-worker.ts')));
});
