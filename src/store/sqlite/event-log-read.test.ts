import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { tempDir } from '../../../test/helpers.js';
import { createRandom } from '../../core/random.js';
import { EVENT_TYPES, type EventRecord, type ItemId, type StoredEvent, type UserId } from '../../types.js';
import type { Store } from '../store.js';
import {
  eventLogThreadReads,
  type PackedPage,
  serveReads,
  type ThreadRead,
  unpackPage,
} from './event-log-read.js';
import { createSqliteStore } from './sqlite-store.js';

const dir = tempDir('setlist-log-read-');

/** Seeded events with every optional field present and absent, and ids no plain ASCII covers. */
function events(count: number, seed: number): EventRecord[] {
  const random = createRandom(seed);
  const names = ['u', 'ユーザー', '🎬clip', 'line\nbreak', 'x'.repeat(40)];
  return Array.from({ length: count }, (_, k) => {
    const e: EventRecord = {
      userId: `${names[random.int(names.length)]}-${random.int(50)}` as UserId,
      itemId: `${names[random.int(names.length)]}-v${random.int(200)}` as ItemId,
      type: EVENT_TYPES[random.int(EVENT_TYPES.length)]!,
      at: 1_700_000_000_000 + k,
    };
    if (random.next() < 0.5) e.id = `e-${seed}-${k}`;
    if (random.next() < 0.5) e.watchMs = random.int(3) * 1_000;
    if (random.next() < 0.5) e.watchRatio = random.next() < 0.2 ? 0 : random.next();
    return e;
  });
}

/** A store file holding `count` seeded events. */
async function storeWith(name: string, count: number, seed: number): Promise<{ path: string; store: Store }> {
  const path = join(dir, `${name}.db`);
  const store = createSqliteStore({ path });
  await store.migrate();
  await store.appendEvents(events(count, seed), 5);
  return { path, store };
}

/** The reader thread's pages from now on, until `stop`. */
function watchThreadReads(): { reads: ThreadRead[]; stop(): void } {
  const reads: ThreadRead[] = [];
  const hear = (message: unknown) => reads.push(message as ThreadRead);
  subscribe(eventLogThreadReads.name, hear);
  return { reads, stop: () => unsubscribe(eventLogThreadReads.name, hear) };
}

/** The whole log read with `limit` per read. */
async function readAll(
  read: (after: number, limit: number) => Promise<StoredEvent[]>,
  limit: number,
): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (let after = 0; ; ) {
    const page = await read(after, limit);
    all.push(...page);
    if (page.length < limit) return all;
    after = page[page.length - 1]!.seq;
  }
}

test('a replay reads its pages on the reader thread, each next one read ahead, and gets what the server thread reads', async () => {
  const { store } = await storeWith('replay', 3_500, 1);
  const { reads, stop } = watchThreadReads();
  try {
    // Pages of 1,000: the first is read here, the next three on the thread; the thread stops at the
    // short last page, and a read after it (the end of the log) is made here again.
    const threaded = await readAll((after, limit) => store.readEvents(after, limit), 1_000);
    assert.deepEqual(reads, [
      { events: 1_000, ahead: false },
      { events: 1_000, ahead: true },
      { events: 500, ahead: false },
    ]);
    await store.appendEvents(events(3, 2), 6);
    const tail = await store.readEvents(threaded[threaded.length - 1]!.seq, 1_000);
    assert.equal(tail.length, 3);
    assert.equal(reads.length, 3);
    // Reads below the thread's minimum are made here: the same log, event for event.
    const here = await readAll((after, limit) => store.readEvents(after, limit), 100);
    assert.equal(reads.length, 3);
    assert.deepEqual([...threaded, ...tail], here);
    assert.equal(here.length, 3_503);
    assert.ok(here.some((e) => e.id === undefined) && here.some((e) => e.watchRatio === 0));
  } finally {
    stop();
    await store.close();
  }
});

test('a page read ahead is answered only while full: a short one is read again, with what was logged since', async () => {
  const { path, store } = await storeWith('ahead', 250, 3);
  const db = new Database(path, { readonly: true });
  const { port1, port2 } = new MessageChannel();
  // The serving side on this thread: by the time a reply is heard, its read ahead is done.
  serveReads(db, port2);
  let id = 0;
  const read = (afterSeq: number, limit: number) =>
    new Promise<{ events: StoredEvent[]; ahead: boolean }>((resolve, reject) => {
      const asked = id++;
      port1.once('message', (reply: { id: number; page?: PackedPage; ahead?: boolean; error?: string }) => {
        if (reply.id !== asked || reply.page === undefined) reject(new Error(reply.error ?? 'wrong reply'));
        else resolve({ events: unpackPage(reply.page), ahead: reply.ahead === true });
      });
      port1.postMessage({ id: asked, afterSeq, limit });
    });
  try {
    const first = await read(0, 100);
    assert.deepEqual([first.events.length, first.ahead], [100, false]);
    const second = await read(100, 100);
    assert.deepEqual([second.events.length, second.ahead], [100, true]);
    // Read ahead now: seqs 201-250, a short page. 80 more are logged before it is asked for.
    await store.appendEvents(events(80, 4), 6);
    const third = await read(200, 100);
    assert.deepEqual([third.events.length, third.ahead], [100, false]);
    assert.deepEqual(
      third.events.map((e) => e.seq),
      Array.from({ length: 100 }, (_, k) => 201 + k),
    );
    // A request other than the one read ahead is read afresh.
    const other = await read(5, 10);
    assert.deepEqual([other.events[0]!.seq, other.ahead], [6, false]);
    assert.deepEqual(other.events, await store.readEvents(5, 10));
  } finally {
    port1.close();
    db.close();
    await store.close();
  }
});

test('a reader thread that cannot start leaves the reads to the server thread, with the same events', async () => {
  const { path, store } = await storeWith('gone', 2_500, 5);
  const expected = await readAll((after, limit) => store.readEvents(after, limit), 100);
  // The store's own connection keeps the unlinked file; the thread's cannot open it.
  unlinkSync(path);
  const { reads, stop } = watchThreadReads();
  try {
    assert.deepEqual(await readAll((after, limit) => store.readEvents(after, limit), 1_000), expected);
    assert.deepEqual(await readAll((after, limit) => store.readEvents(after, limit), 1_000), expected);
    assert.deepEqual(reads, []);
  } finally {
    stop();
    await store.close();
  }
});
