// Saves and loads a model snapshot of a 1M-item model's shape through the Postgres store: 64 float32
// factors per item (256 MB) and a million item ids, as the engine's serving snapshot: as an item id section
// when the tree has one (src/store/item-id-section.ts, session 12), else as JSON in the meta. Prints,
// for the save and for the load, the wall time, the peak RSS above the process's RSS before it, and
// the event loop's longest stall (bench/loop-watch.ts). `--tree DIR` runs another tree's store (e.g.
// /work/main) so two trees are measured side by side with this one script; `--chunk-bytes N` sets the
// store's `snapshotChunkBytes` (a tree without chunks ignores it).
// Run: eval "$(scripts/services.sh start)"
//      node --expose-gc --import tsx bench/postgres-snapshot.ts [items] [factors] [--tree DIR] [--chunk-bytes N]
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import type { Store } from '../src/store/store.js';
import type { ModelSnapshot } from '../src/types.js';
import { formatStalls, watchLoop } from './loop-watch.js';

const url = process.env.SETLIST_TEST_PG_URL ?? process.env.SETLIST_PG_URL;
if (url === undefined) throw new Error('set SETLIST_TEST_PG_URL (scripts/services.sh start)');
const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
};
const tree = flag('--tree') ?? new URL('..', import.meta.url).pathname;
const chunkBytes = flag('--chunk-bytes');
const [items, factors] = process.argv
  .slice(2)
  .filter((arg, i, all) => !arg.startsWith('--') && !all[i - 1]?.startsWith('--'))
  .map(Number);
const itemCount = items ?? 1_000_000;
const factorCount = factors ?? 64;

const { createPostgresStore } = (await import(`${tree}/src/store/postgres/postgres-store.ts`)) as {
  createPostgresStore: (options: {
    connectionString: string;
    schema: string;
    poolSize: number;
    snapshotChunkBytes?: number;
  }) => Store;
};
const schema = `bench_snap_${process.pid}`;
const store = createPostgresStore({
  connectionString: url,
  schema,
  poolSize: 4,
  ...(chunkBytes === undefined ? {} : { snapshotChunkBytes: Number(chunkBytes) }),
});
await store.migrate();

// Factors as a fit leaves them (not compressible); item ids as the synthetic platform names them.
const data = new Uint8Array(new SharedArrayBuffer(itemCount * factorCount * 4));
const floats = new Float32Array(data.buffer);
let seed = 7;
for (let i = 0; i < floats.length; i++) {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) | 0;
  floats[i] = (seed >> 8) / (1 << 23);
}
const itemIds = Array.from({ length: itemCount }, (_, i) => `item-${i}`);
const report = { users: itemCount, items: itemCount, trainMs: 1234, weights: { ials: 1 } };
const sectionModule = `${tree}/src/store/item-id-section.ts`;
const section = existsSync(sectionModule)
  ? ((await import(sectionModule)) as typeof import('../src/store/item-id-section.js'))
  : undefined;
const identity = Int32Array.from({ length: itemCount }, (_, i) => i);
// The engine encodes the section as part of its save: so does the measured save here.
const snapshotOf = async (version: number): Promise<ModelSnapshot> =>
  section === undefined
    ? { name: 'serving-blend', version, trainedAt: Date.now(), meta: { itemIds, report }, data }
    : {
        name: 'serving-blend',
        version,
        trainedAt: Date.now(),
        meta: { report },
        data,
        itemIds: await section.encodeItemIdSection(identity, itemCount, (i) => itemIds[i]!),
      };

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const settle = async (): Promise<number> => {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return process.memoryUsage.rss();
};
// The peak RSS is sampled by a thread of its own every 2 ms: a stalled event loop samples nothing.
const peak = new Float64Array(new SharedArrayBuffer(8));
const sampler = new Worker(
  `const { workerData } = require('node:worker_threads');
   const peak = new Float64Array(workerData);
   setInterval(() => { peak[0] = Math.max(peak[0], process.memoryUsage.rss()); }, 2);`,
  { eval: true, workerData: peak.buffer },
);

async function measure<T>(label: string, work: () => Promise<T>): Promise<T> {
  const before = await settle();
  peak[0] = before;
  const watch = watchLoop();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  const loop = watch.stop();
  const longest = Math.max(loop.maxMs, loop.longest[0]?.ms ?? 0);
  console.log(
    `${label}: ${(ms / 1000).toFixed(2)} s, peak RSS +${mib(Math.max(peak[0]!, loop.peakRss) - before)}, ` +
      `longest stall ${longest.toFixed(0)} ms, ${loop.stalls} over 50 ms: ${formatStalls(loop)}`,
  );
  return result;
}

console.log(
  `tree ${tree}${chunkBytes === undefined ? '' : ` (chunks of ${chunkBytes} B)`}: ${itemCount} items x ${factorCount} factors (${mib(data.byteLength)}), ` +
    `RSS ${mib(await settle())}`,
);
await measure('save', async () => store.saveSnapshot(await snapshotOf(1)));
const snapshot = await snapshotOf(2);
await measure('save again', async () => store.saveSnapshot(await snapshotOf(2)));
const loaded = await measure('load', () => store.loadSnapshot('serving-blend'));
const same =
  loaded !== undefined &&
  loaded.version === 2 &&
  Buffer.compare(Buffer.from(loaded.data), Buffer.from(data.buffer)) === 0 &&
  (section === undefined
    ? (loaded.meta.itemIds as string[]).length === itemCount
    : loaded.itemIds !== undefined &&
      Buffer.compare(Buffer.from(loaded.itemIds), Buffer.from(snapshot.itemIds!)) === 0);
if (!same) throw new Error('the loaded snapshot differs from the saved one');

await store.close();
await sampler.terminate();
const db = new pg.Client({ connectionString: url });
await db.connect();
await db.query(`DROP SCHEMA ${schema} CASCADE`);
await db.end();
