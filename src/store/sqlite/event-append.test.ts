import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createRandom } from '../../core/random.js';
import type { EventInput, EventType, ItemId, UserId } from '../../types.js';
import {
  eventRow,
  insertPacked,
  logEvent,
  PACKED_CHUNK,
  packEvents,
  prepareEventStatements,
  preparePackedStatements,
} from './event-append.js';
import { eventIdHash } from './event-id-hash.js';
import { migrateSqliteSchema } from './sqlite-store.js';

function migrated(options?: Database.Options): Database.Database {
  const db = new Database(':memory:', options);
  migrateSqliteSchema(db);
  return db;
}

/** Logs `events` one row at a time, as the store did before batches were packed. */
function logOneByOne(db: Database.Database, events: readonly EventInput[], receivedAt: number): number[] {
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
): EventInput[] {
  const events: EventInput[] = [];
  for (let k = 0; k < size; k++) {
    const pick = random.next();
    let id: string | undefined;
    if (pick < share && logged.length > 0) id = logged[random.int(logged.length)];
    else if (pick < 2 * share && used.length > 0) id = used[random.int(used.length)];
    else if (pick < 3 * share || share === 0) {
      id = `e-${random.int(1e9)}-${used.length}`;
      used.push(id);
    }
    const event: EventInput = {
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
  const event = (k: number): EventInput => ({
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
    (_, k): EventInput => ({
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
