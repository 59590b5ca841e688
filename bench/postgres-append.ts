// Measures event appends on Postgres (throughput at a batch size, bytes per stored event) for sizing.
// Run: eval "$(scripts/services.sh start)"; node --import tsx bench/postgres-append.ts [events] [batch]
import pg from 'pg';
import { createRandom } from '../src/core/random.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { EVENT_TYPES, type EventRecord, type ItemId, type UserId } from '../src/types.js';

const url = process.env.SETLIST_TEST_PG_URL ?? process.env.SETLIST_PG_URL;
if (url === undefined) throw new Error('set SETLIST_TEST_PG_URL (scripts/services.sh start)');
const events = Number(process.argv[2] ?? 100_000);
const batch = Number(process.argv[3] ?? 100);
const schema = `bench_${process.pid}`;
const store = createPostgresStore({ connectionString: url, schema, poolSize: 8 });
await store.migrate();
const random = createRandom(3);
const make = (k: number): EventRecord => ({
  id: `evt-${k}`,
  userId: `user-${random.int(50_000)}` as UserId,
  itemId: `item-${random.int(100_000)}` as ItemId,
  type: EVENT_TYPES[random.int(EVENT_TYPES.length)]!,
  at: 1_790_000_000_000 + k,
  watchRatio: random.next(),
});

const started = performance.now();
// Eight concurrent writers, as eight busy API node connections would be.
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < events) {
      const from = next;
      next += batch;
      const list = Array.from({ length: Math.min(batch, events - from) }, (_, k) => make(from + k));
      await store.appendEvents(list, Date.now());
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const db = new pg.Client({ connectionString: url });
await db.connect();
const { rows } = await db.query(`SELECT pg_total_relation_size('${schema}.events') AS bytes`);
await db.query(`DROP SCHEMA ${schema} CASCADE`);
await db.end();
await store.close();
console.log(`${events} events in batches of ${batch}, 8 writers: ${(events / seconds).toFixed(0)} events/s`);
console.log(
  `Postgres bytes per stored event (table and indexes): ${(Number(rows[0].bytes) / events).toFixed(0)}`,
);
