import assert from 'node:assert/strict';
import { constants } from 'node:perf_hooks';
import { test } from 'node:test';
import { formatStalls, gcKind, overlapMs } from './loop-watch.js';

test('only the part of a GC pause inside a stall counts toward it', () => {
  const pauses = [
    { start: 0, end: 10 },
    { start: 95, end: 130 },
    { start: 140, end: 150 },
  ];
  assert.equal(overlapMs(pauses, 100, 145), 30 + 5);
  assert.equal(overlapMs(pauses, 10, 95), 0);
});

test('a stall reads as its length, start and split, or just its GC where the kernel gives no split', () => {
  const loop = {
    longest: [
      { ms: 514.4, atS: 88.94, cpuMs: 36.2, waitMs: 255.8, gcMs: 476, gcKinds: ['major (external memory)'] },
      { ms: 218, atS: 74.2, gcMs: 0, gcKinds: [] },
    ],
  };
  assert.equal(
    formatStalls(loop),
    '514 ms at 88.9 s (CPU 36, waiting 256, GC 476 ms: major (external memory)), 218 ms at 74.2 s (GC 0 ms)',
  );
  assert.equal(formatStalls({ longest: [] }), 'none');
});

test("V8's memory reducer reads apart from a collection for external memory, though both collect all of it", () => {
  const external = constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY;
  const phantom = constants.NODE_PERFORMANCE_GC_FLAGS_SYNCHRONOUS_PHANTOM_PROCESSING;
  assert.equal(gcKind(constants.NODE_PERFORMANCE_GC_MAJOR, external), 'major (memory reducer)');
  assert.equal(gcKind(constants.NODE_PERFORMANCE_GC_MAJOR, external | phantom), 'major (external memory)');
  assert.equal(gcKind(constants.NODE_PERFORMANCE_GC_MINOR, 0), 'minor');
});
