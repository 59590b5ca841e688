import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel, type Transferable } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createRandom } from '../../core/random.js';
import type { EventRecord, EventType, ItemId, UserId } from '../../types.js';
import {
  type AppendReply,
  eventRow,
  insertPacked,
  logEvent,
  PACKED_CHUNK,
  packEvents,
  prepareEventStatements,
  preparePackedStatements,
  serveAppends,
} from './event-append.js';
import { eventIdHash } from './event-id-hash.js';
import { migrateSqliteSchema } from './sqlite-store.js';

function migrated(options?: Database.Options): Database.Database {
  const db = new Database(':memory:', options);
  migrateSqliteSchema(db);
  return db;
}

/** Logs `events` one row at a time, as the store did before batches were packed. */
function logOneByOne(db: Database.Database, events: readonly EventRecord[], receivedAt: number): number[] {
  const statements = prepareEventStatements(db);
  return events.map((e) => logEvent(statements, eventRow(e, receivedAt)));
}

function logRows(db: Database.Database): unknown[][] {
  return db.prepare('SELECT * FROM events ORDER BY seq').raw().all() as unknown[][];
}

function highWater(db: Database.Database): unknown {
  return db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck().get();
}

const TYPES: readonly EventType[] = ['view', 'like', 'share', 'skip'];

/**
 * Seeded events: without an id, with a new id, with an id logged before (`logged`) or with one
 * `used` earlier in this batch or an earlier one; `share` is the chance of each of the last three.
 */
function seededEvents(
  random: ReturnType<typeof createRandom>,
  size: number,
  logged: readonly string[],
  used: string[],
  share: number,
): EventRecord[] {
  const events: EventRecord[] = [];
  for (let k = 0; k < size; k++) {
    const pick = random.next();
    let id: string | undefined;
    if (pick < share && logged.length > 0) id = logged[random.int(logged.length)];
    else if (pick < 2 * share && used.length > 0) id = used[random.int(used.length)];
    else if (pick < 3 * share || share === 0) {
      id = `e-${random.int(1e9)}-${used.length}`;
      used.push(id);
    }
    const event: EventRecord = {
      userId: `u${random.int(50)}` as UserId,
      itemId: `i${random.int(500)}` as ItemId,
      type: TYPES[random.int(TYPES.length)]!,
      at: 1_700_000_000_000 + random.int(1e6),
    };
    if (id !== undefined) event.id = id;
    if (random.next() < 0.3) event.watchMs = random.int(60_000);
    if (random.next() < 0.6) event.watchRatio = Math.round(random.next() * 100) / 100;
    events.push(event);
  }
  return events;
}

test('packed batches get the seqs and rows that logging their events one by one gets, at every chunk boundary', () => {
  // Batch sizes per group transaction: around one and two chunks, and mixed groups.
  const groups = [
    [1],
    [PACKED_CHUNK - 1],
    [PACKED_CHUNK],
    [PACKED_CHUNK + 1],
    [2 * PACKED_CHUNK + 1, 1],
    [3, 700, 1_000],
    [PACKED_CHUNK, PACKED_CHUNK - 1, PACKED_CHUNK + 1],
  ];
  for (const seed of [1, 2, 3]) {
    for (const share of [0, 0.2]) {
      const random = createRandom(seed);
      const one = migrated();
      const packed = migrated();
      const used: string[] = [];
      const first = seededEvents(random, 300, [], used, share);
      logOneByOne(one, first, 10);
      logOneByOne(packed, first, 10);
      // The log's last rows deleted: new seqs continue from the high-water mark, not the largest seq.
      for (const db of [one, packed]) db.prepare('DELETE FROM events WHERE seq > 290').run();
      const logged = used.slice();
      // An id whose hash another logged id shares: stored when it comes, not a duplicate.
      const collider = `collides-${seed}`;
      for (const db of [one, packed]) {
        db.prepare(
          "INSERT INTO events (id, user_id, item_id, type, at, received_at, id_hash) VALUES ('other', 'u', 'i', 'view', 1, 1, ?)",
        ).run(eventIdHash(collider));
      }
      used.push(collider);
      const statements = preparePackedStatements(packed);
      for (const [g, sizes] of groups.entries()) {
        const batches = sizes.map((size) => seededEvents(random, size, logged, used, share));
        const receivedAt = 100 + g;
        const expected = one.transaction(() => batches.map((b) => logOneByOne(one, b, receivedAt)))();
        const actual = packed.transaction(() =>
          batches.map((b) => Array.from(insertPacked(statements, packEvents(b, receivedAt)))),
        )();
        assert.deepEqual(actual, expected, `seed ${seed}, share ${share}, group ${sizes.join('+')}`);
      }
      assert.deepEqual(logRows(packed), logRows(one));
      assert.deepEqual(highWater(packed), highWater(one));
      if (share > 0) assert.ok(logRows(one).length < 300 + groups.flat().reduce((a, b) => a + b, 0));
      one.close();
      packed.close();
    }
  }
});

test("one INSERT's rows take consecutive seqs in batch order, from the high-water mark after deletes", () => {
  const db = migrated();
  const statements = preparePackedStatements(db);
  const event = (k: number): EventRecord => ({
    id: `e${k}`,
    userId: 'u1' as UserId,
    itemId: `i${k}` as ItemId,
    type: 'view',
    at: k,
  });
  insertPacked(statements, packEvents([event(0), event(1), event(2)], 1));
  db.prepare('DELETE FROM events WHERE seq >= 2').run();
  const events = Array.from({ length: PACKED_CHUNK + 3 }, (_, k) => event(10 + k));
  const seqs = insertPacked(statements, packEvents(events, 2));
  assert.deepEqual(
    Array.from(seqs),
    events.map((_, k) => 4 + k),
  );
  assert.deepEqual(
    db.prepare('SELECT seq, id FROM events WHERE seq >= 4 ORDER BY seq').raw().all(),
    events.map((e, k) => [4 + k, e.id]),
  );
  db.close();
});

test('a batch of 1,000 events with ids is logged in one statement per chunk of lookups and of inserts', () => {
  let executed = 0;
  const db = migrated({ verbose: () => executed++ });
  const statements = preparePackedStatements(db);
  const events = Array.from(
    { length: 1_000 },
    (_, k): EventRecord => ({
      id: `e${k}`,
      userId: 'u1' as UserId,
      itemId: 'i1' as ItemId,
      type: 'view',
      at: k,
    }),
  );
  executed = 0;
  const seqs = insertPacked(statements, packEvents(events, 1));
  assert.equal(seqs[999], 1_000);
  // 4 lookups of 256 hashes; 1,000 rows = 3 × 256 + 128 + 64 + 32 + 8.
  assert.equal(executed, Math.ceil(1_000 / PACKED_CHUNK) + 7);
  db.close();
});

/**
 * The writer's side run in this thread on an in-memory log: what it sent and when it committed, in
 * order (`logged`, `durable`, `seqs` or `error` per answer; `commit` per COMMIT it ran). The first
 * `failingCommits` COMMITs throw, as a full disk or an I/O error would, before committing anything.
 */
function inProcessWriter(failingCommits = 0) {
  const db = migrated();
  const order: string[] = [];
  const replies: AppendReply[] = [];
  const prepare = db.prepare.bind(db);
  let failures = failingCommits;
  db.prepare = ((sql: string) => {
    const statement = prepare(sql);
    if (sql !== 'COMMIT') return statement;
    return {
      run: () => {
        order.push('commit');
        if (failures-- > 0) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        return statement.run();
      },
    };
  }) as typeof db.prepare;
  const { port1, port2 } = new MessageChannel();
  const post = port2.postMessage.bind(port2);
  port2.postMessage = (message: unknown, transfer?: readonly Transferable[]) => {
    const reply = message as AppendReply;
    order.push(
      'logged' in reply ? 'logged' : 'durable' in reply ? 'durable' : 'seqs' in reply ? 'seqs' : 'error',
    );
    post(message, transfer);
  };
  serveAppends(db, port2);
  port1.on('message', (reply: AppendReply) => replies.push(reply));
  let id = 0;
  return {
    db,
    order,
    replies,
    /** Posts appends in one turn, so that the writer takes them in one transaction. */
    append(batches: readonly { ids: readonly string[]; early: boolean }[]): void {
      for (const batch of batches) {
        const events = batch.ids.map(
          (eventId): EventRecord => ({
            id: eventId,
            userId: 'u' as UserId,
            itemId: 'i' as ItemId,
            type: 'view',
            at: 1,
          }),
        );
        port1.postMessage({ id: id++, early: batch.early, ...packEvents(events, 1) });
      }
    },
    async answers(count: number): Promise<AppendReply[]> {
      while (replies.filter((r) => !('logged' in r)).length < count) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      return replies;
    },
    close(): void {
      port1.close();
      db.close();
    },
  };
}

test('an append that asks to hear early gets its seqs before its transaction commits, and is answered once durable', async () => {
  const writer = inProcessWriter();
  writer.append([
    { ids: ['a', 'b'], early: true },
    { ids: ['c'], early: false },
    { ids: ['d', 'a'], early: true },
  ]);
  const replies = await writer.answers(3);
  // One transaction: both early appends are told, then the commit, then every answer.
  assert.deepEqual(writer.order, ['logged', 'logged', 'commit', 'durable', 'seqs', 'durable']);
  const told = replies.filter((r) => 'logged' in r).map((r) => [r.id, Array.from(r.logged)]);
  assert.deepEqual(told, [
    [0, [1, 2]],
    [2, [4, 0]],
  ]);
  const committed = replies.find((r) => r.id === 1);
  assert.deepEqual(committed !== undefined && 'seqs' in committed && Array.from(committed.seqs), [3]);
  // The transaction's figures travel with its last answer only.
  assert.equal(replies.filter((r) => 'commit' in r && r.commit !== undefined).length, 1);
  assert.equal(logRows(writer.db).length, 4);
  writer.close();
});

test('a commit that fails after seqs were told fails every append of its transaction, and writes nothing', async () => {
  const writer = inProcessWriter(1);
  writer.append([
    { ids: ['a', 'b'], early: true },
    { ids: ['c'], early: false },
  ]);
  const replies = await writer.answers(2);
  assert.deepEqual(writer.order, ['logged', 'commit', 'error', 'error']);
  assert.deepEqual(
    replies.filter((r) => 'error' in r).map((r) => [r.id, 'error' in r && r.code]),
    [
      [0, 'SQLITE_IOERR'],
      [1, 'SQLITE_IOERR'],
    ],
  );
  assert.equal(logRows(writer.db).length, 0);
  // The next append is logged from seq 1: told seqs of a failed commit are given again.
  writer.append([{ ids: ['e'], early: false }]);
  const after = await writer.answers(3);
  const last = after[after.length - 1]!;
  assert.deepEqual('seqs' in last && Array.from(last.seqs), [1]);
  writer.close();
});

test('a commit that fails before anything was told gives each append of the group a transaction of its own', async () => {
  const writer = inProcessWriter(1);
  writer.append([
    { ids: ['a'], early: false },
    { ids: ['b', 'c'], early: false },
  ]);
  await writer.answers(2);
  assert.deepEqual(writer.order, ['commit', 'commit', 'seqs', 'commit', 'seqs']);
  assert.deepEqual(
    logRows(writer.db).map((row) => row[1]),
    ['a', 'b', 'c'],
  );
  writer.close();
});
