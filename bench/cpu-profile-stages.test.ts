import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CpuProfile, profileStages } from './cpu-profile-stages.js';

const node = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 0 },
  children,
});

test("a profile's samples are booked by stage between the first and the last sample inside engine.ingest", () => {
  const profile: CpuProfile = {
    nodes: [
      node(1, '(root)', '', [2, 5, 6, 7]),
      node(2, 'ingest', 'file:///w/src/engine/engine.ts', [3, 4]),
      node(3, 'applyAll', 'file:///w/src/engine/online-state.ts'),
      node(4, 'settled', 'file:///w/src/engine/cooccurrence-thread.ts'),
      node(5, '(idle)', ''),
      node(6, '_parse', 'file:///w/node_modules/secure-json-parse/index.js'),
      node(7, 'putItems', 'file:///w/src/engine/engine.ts'),
    ],
    startTime: 0,
    // Before the window (building the state), then the load, then after it.
    samples: [7, 7, 2, 3, 3, 6, 5, 4, 2, 6, 5],
    timeDeltas: [0, 1000, 1000, 2000, 2000, 1000, 1000, 3000, 1000, 1000, 1000],
  };
  const booked = profileStages(profile);
  assert.equal(booked.windowMs, 11);
  assert.deepEqual(Object.fromEntries(booked.stages), {
    apply: 3,
    'ingest, the rest': 3,
    'hand-off to co-occurrence thread': 1,
    'JSON parse': 1,
    idle: 3,
  });
});
