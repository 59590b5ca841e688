import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../src/engine/engine.js';
import type { Store } from '../src/store/store.js';
import type { EventInput } from '../src/types.js';
import { spread, type TaskStat, threadCosts, watchIngestStages } from './ingest-stages.js';

const task = (name: string, minorFaults: number, userTicks: number, systemTicks = 0): TaskStat => ({
  name,
  minorFaults,
  userTicks,
  systemTicks,
});

test('thread costs list the server thread first, the three busiest others by id, and sum the rest', () => {
  const before = new Map([
    ['1', task('server', 100, 50)],
    ['2', task('node', 0, 0)],
    ['3', task('node', 0, 0)],
  ]);
  const after = new Map([
    ['1', task('server', 300, 60, 2)],
    ['2', task('node', 10, 5)],
    ['3', task('node', 0, 1)],
    ['4', task('node', 0, 3)],
    ['5', task('libuv-worker', 20, 2)],
    ['6', task('node', 4, 1, 1)],
    ['7', task('idle', 0, 0)],
  ]);
  const costs = threadCosts(before, after, 100);
  assert.deepEqual(
    costs.map((c) => c.name),
    ['server', 'node 2', 'node 4', 'libuv-worker 5', 'rest'],
  );
  // Per event: 200 faults, 10 user ticks and 2 system ticks of 10 ms over 100 events.
  assert.deepEqual(costs[0], { name: 'server', count: 1, minorFaults: 2, userUs: 1000, systemUs: 200 });
  assert.deepEqual(costs[4], { name: 'rest', count: 2, minorFaults: 0.04, userUs: 200, systemUs: 100 });
});

test('a spread is the median, the 90th percentile and the maximum, whatever the order given', () => {
  const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  assert.deepEqual(spread(values), { p50: 6, p90: 10, max: 10 });
  assert.deepEqual(spread([3]), { p50: 3, p90: 3, max: 3 });
  assert.deepEqual(spread([]), { p50: 0, p90: 0, max: 0 });
});

/** Spins until the process has spent `ms` more of CPU (this thread alone, as nothing else runs). */
/** This thread's own time on a core, ms (Linux), the clock the stages read: other threads' CPU is not in it. */
function threadCpuMs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
}

function burn(ms: number): void {
  const start = threadCpuMs();
  while (threadCpuMs() - start < ms) {}
}

/** Three overlapping ingests of 10 events each under the stages' watch: the apply it booked, ms. */
async function bookedApplyMs(engine: Engine, store: Store): Promise<number> {
  const watch = watchIngestStages(engine, store);
  // Empty events: the fake engine under watch never reads them.
  const events = Array.from({ length: 10 }, () => ({})) as unknown as EventInput[];
  await Promise.all([engine.ingest({ events }), engine.ingest({ events }), engine.ingest({ events })]);
  const stages = watch.stop();
  assert.equal(stages.events, 30);
  return (stages.applyUs * stages.events) / 1000;
}

test('the stages book each batch its own apply when batches overlap while the engine awaits after applying', {
  skip: !existsSync('/proc/thread-self/schedstat'),
}, async () => {
  const APPLY_MS = 25;
  // As the engine with co-occurrence's thread: append, apply, then await the thread; three batches
  // in flight, each answered while the others wait for the thread.
  let commits = 0;
  const store = {
    appendEvents: async (list: readonly unknown[]) => {
      await sleep(1 + commits++);
      return { seqs: list.map((_, k) => k + 1), duplicates: [] };
    },
  } as unknown as Store;
  const engine = {
    async ingest(body: { events: unknown[] }) {
      await store.appendEvents(body.events as never, 0);
      burn(APPLY_MS);
      await sleep(100);
      return { accepted: body.events.length, duplicates: 0 };
    },
  } as unknown as Engine;
  const applyMs = await bookedApplyMs(engine, store);
  // 75 ms of apply, read from a thread clock that moves in steps of 1-4 ms (the old bookkeeping: 26).
  assert.ok(applyMs > 3 * APPLY_MS - 12 && applyMs < 3 * APPLY_MS + 24, `apply ${applyMs} ms`);
});

test("the stages pass the engine's listener to the store and book what it applies before the commit", {
  skip: !existsSync('/proc/thread-self/schedstat'),
}, async () => {
  const APPLY_MS = 25;
  // As the file store: the seqs told before the commit, the answer after it; the engine applies when told.
  const store = {
    appendEvents: async (
      list: readonly unknown[],
      _receivedAt: number,
      onLogged?: (result: { seqs: number[]; duplicates: number[] }) => void,
    ) => {
      const result = { seqs: list.map((_, k) => k + 1), duplicates: [] };
      await sleep(2);
      onLogged?.(result);
      await sleep(20);
      return result;
    },
  } as unknown as Store;
  let told = 0;
  const engine = {
    async ingest(body: { events: unknown[] }) {
      await store.appendEvents(body.events as never, 0, () => {
        told++;
        burn(APPLY_MS);
      });
      return { accepted: body.events.length, duplicates: 0 };
    },
  } as unknown as Engine;
  const applyMs = await bookedApplyMs(engine, store);
  assert.equal(told, 3);
  assert.ok(applyMs > 3 * APPLY_MS - 12 && applyMs < 3 * APPLY_MS + 24, `apply ${applyMs} ms`);
});
