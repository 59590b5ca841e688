import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { type Cooccurrence, createCooccurrence } from '../core/online-cooccurrence.js';
import { createRandom } from '../core/random.js';
import { startWorker } from '../start-worker.js';
import { createThreadedCooccurrence, type ThreadedCooccurrence } from './cooccurrence-thread.js';

/** Every row as (neighbour, similarity) pairs in the row's order, and every count. */
function rowsOf(g: Cooccurrence, items: number): string {
  const out: string[] = [];
  for (let i = 0; i < items; i++) {
    const row: string[] = [`${i}:${g.count(i)}`];
    g.forEachNeighbour(i, (j, s) => row.push(`${j}=${s}`));
    out.push(row.join(' '));
  }
  return out.join('\n');
}

test('once settled, the threaded co-occurrence reads as the synchronous one after the same updates, rows grown, full, replaced and reclaimed', async () => {
  const options = { shrink: 3, maxNeighbours: 64, window: 12 };
  const inline = createCooccurrence(options);
  const threaded = createThreadedCooccurrence(options);
  const random = createRandom(15);
  // Every item's row grows to 30 neighbours in step (their outgrown rows never reused: pages are
  // reclaimed), then random histories fill rows past 64 so that the smallest counts are replaced.
  const items = 60_000;
  const history = new Int32Array(12);
  try {
    for (let r = 0; r < 15; r++) {
      for (let i = 0; i < items; i++) {
        history[0] = (i + 1 + r) % items;
        inline.addUserItem(i, history, 1);
        threaded.addUserItem(i, history, 1);
        // In batches as the engine hands them over: what one batch frees is reused from the next on.
        if (i % 5_000 === 4_999) await threaded.settled();
      }
    }
    for (let batch = 0; batch < 20; batch++) {
      for (let e = 0; e < 1_000; e++) {
        const n = 4 + random.int(9);
        for (let h = 0; h < n; h++) history[h] = random.int(300);
        const item = random.int(300);
        inline.addUserItem(item, history, n);
        threaded.addUserItem(item, history, n);
      }
      if (batch % 4 === 3) await threaded.settled();
    }
    await threaded.settled();
    assert.equal(rowsOf(threaded, items + 1), rowsOf(inline, items + 1));
    // The rows outgrown in the first rounds were reclaimed: the pages are not those of all rows ever made.
    // The rows outgrown in the first rounds were reclaimed: the pages are not those of all rows ever made.
    const rows = items * 64 * 8;
    assert.ok(threaded.byteLength < 1.3 * rows, `${threaded.byteLength} bytes for ${rows} in rows`);
    const targets = Int32Array.from([1, 2, 3, 299, 40_001]);
    const a = new Float64Array(5);
    const b = new Float64Array(5);
    for (let i = 0; i < 300; i++) {
      inline.similaritiesTo(i, targets, a);
      threaded.similaritiesTo(i, targets, b);
      assert.deepEqual(b, a);
      assert.equal(threaded.touchNeighbours(i), inline.touchNeighbours(i));
      assert.equal(threaded.similarity(i, 7), inline.similarity(i, 7));
    }
  } finally {
    await threaded.close();
  }
});

test('reads while the thread writes never give a neighbour outside the items or a non-finite similarity', async () => {
  const items = 5_000;
  const threaded = createThreadedCooccurrence({ shrink: 0, maxNeighbours: 64, window: 20 });
  const random = createRandom(3);
  const history = new Int32Array(20);
  const batch = (events: number, range: number): Promise<void> => {
    for (let e = 0; e < events; e++) {
      const n = random.int(21);
      for (let h = 0; h < n; h++) history[h] = random.int(range);
      threaded.addUserItem(random.int(range), history, n);
    }
    return threaded.settled();
  };
  try {
    // All items first (their heads exist), then rows that grow, move, fill and replace under the reads.
    await batch(20_000, items);
    const out = new Float64Array(8);
    const targets = new Int32Array(8);
    let reads = 0;
    for (let round = 0; round < 6; round++) {
      let done = false;
      const written = batch(40_000, round % 2 === 0 ? items : 400).then(() => {
        done = true;
      });
      const until = Date.now() + 400;
      // Synchronous reads while the thread applies the batch (done only turns once the loop yields).
      while (Date.now() < until) {
        const i = random.int(items);
        threaded.forEachNeighbour(i, (j, s) => {
          assert.ok(Number.isInteger(j) && j >= 0 && j < items, `neighbour ${j} of ${i}`);
          assert.ok(Number.isFinite(s) && s >= 0, `similarity ${s}`);
        });
        for (let t = 0; t < 8; t++) targets[t] = random.int(items);
        threaded.similaritiesTo(i, targets, out);
        for (const s of out) assert.ok(Number.isFinite(s));
        assert.ok(Number.isFinite(threaded.similarity(i, targets[0]!)));
        assert.ok(Number.isFinite(threaded.touchNeighbours(i)));
        assert.ok(Number.isFinite(threaded.count(i)));
        reads++;
      }
      await written;
      assert.ok(done);
    }
    assert.ok(reads > 1_000, `${reads} reads`);
  } finally {
    await threaded.close();
  }
});

test('an update the thread cannot apply fails its settlement and every later one', async () => {
  const threaded = createThreadedCooccurrence({ shrink: 1, maxNeighbours: 8, window: 4 });
  try {
    threaded.addUserItem(1, [0]);
    await threaded.settled();
    threaded.addUserItem(-1, [0]);
    await assert.rejects(threaded.settled(), { code: 'SETLIST_ERR_INTERNAL' });
    threaded.addUserItem(2, [0]);
    await assert.rejects(threaded.settled(), { code: 'SETLIST_ERR_INTERNAL' });
  } finally {
    await threaded.close();
  }
});

/** A threaded co-occurrence whose worker the test can reach (started at the first hand-off). */
function threadWithItsWorker(): { threaded: ThreadedCooccurrence; worker: () => Worker } {
  let started: Worker | undefined;
  const threaded = createThreadedCooccurrence({
    shrink: 1,
    maxNeighbours: 8,
    window: 4,
    start: () => {
      started = startWorker('cooccurrence-worker', new URL('./cooccurrence-thread.ts', import.meta.url).href);
      return started;
    },
  });
  return { threaded, worker: () => started! };
}

test('a thread that dies fails the settlement waiting on it', async () => {
  const { threaded, worker } = threadWithItsWorker();
  try {
    threaded.addUserItem(1, [0]);
    await threaded.settled();
    await worker().terminate();
    threaded.addUserItem(2, [0]);
    await assert.rejects(threaded.settled(), { code: 'SETLIST_ERR_INTERNAL' });
  } finally {
    await threaded.close();
  }
});

test('close stops the thread', async () => {
  const { threaded, worker } = threadWithItsWorker();
  threaded.addUserItem(1, [0]);
  await threaded.settled();
  assert.equal(threaded.similarity(0, 1), 1);
  const exited = new Promise((resolve) => worker().once('exit', resolve));
  await threaded.close();
  await exited;
  assert.equal(worker().threadId, -1);
  await assert.rejects(threaded.settled(), { code: 'SETLIST_ERR_INTERNAL' });
});

test('start() starts the thread once, before any update; the first hand-off then uses it', async () => {
  let starts = 0;
  let started: Worker | undefined;
  const threaded = createThreadedCooccurrence({
    shrink: 1,
    maxNeighbours: 8,
    window: 4,
    start: () => {
      starts++;
      started = startWorker('cooccurrence-worker', new URL('./cooccurrence-thread.ts', import.meta.url).href);
      return started;
    },
  });
  try {
    threaded.start();
    assert.equal(starts, 1);
    // Running before any update: its module loaded and its listeners up while nothing waits on it.
    started!.ref(); // started unreferenced: idle, it keeps no process alive
    await new Promise((resolve) => started!.once('online', resolve));
    threaded.start();
    threaded.addUserItem(1, [0]);
    await threaded.settled();
    assert.equal(starts, 1);
    assert.equal(threaded.similarity(0, 1), 1);
  } finally {
    await threaded.close();
  }
});
