import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createClock, openEngine, T0, tempDbPath } from '../../test/helpers.js';
import { loadDemo } from '../cli/demo.js';
import { parseDurationMs } from '../cli/train.js';
import type { Model } from '../core/model.js';
import { modelFromBytes } from '../core/model-codec.js';
import { SetlistError } from '../errors.js';
import { decodeItemIdSection } from '../store/item-id-section.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { CreatorId, ItemId } from '../types.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { createEngine, type Engine, SERVING_SNAPSHOT } from './engine.js';
import { OnlineState } from './online-state.js';
import { engineToModel, ServingModel, trainingMatrix } from './serving-model.js';

test('training swaps in a blend that feeds model picks, and the snapshot survives a restart', async () => {
  const path = tempDbPath('train');
  const engine = await loadDemo(path, 7, T0, { creators: 20, items: 300, users: 120, eventsPerUser: 25 });
  const before = await engine.status();
  assert.equal(
    before.models.some((m) => m.kind === 'batch'),
    false,
  );
  const result = await engine.train();
  assert.ok(result !== undefined);
  assert.equal(result.version, 1);
  assert.ok(result.report.validation.ndcg10 > 0, `validation NDCG ${result.report.validation.ndcg10}`);
  assert.ok(result.report.members.length >= 3);
  const status = await engine.status();
  assert.deepEqual(
    status.models.filter((m) => m.kind === 'batch').map((m) => [m.name, m.version]),
    [
      ['blend', 1],
      ['labels', 1],
    ],
  );
  const { reports } = await engine.quality();
  assert.match((reports[0] as { name: string }).name, /serving blend v1/);
  const feed = await engine.feed('u0001', 20);
  assert.equal(feed.items.length, 20);
  const sources = new Set(feed.items.map((i) => i.reason.source));
  assert.ok(sources.has('model') || sources.has('facet'), [...sources].join());
  await engine.close();

  const reopened = createEngine({ store: createSqliteStore({ path }), now: () => T0 });
  await reopened.open();
  const again = await reopened.status();
  assert.deepEqual(
    again.models.filter((m) => m.kind === 'batch').map((m) => [m.name, m.version]),
    [
      ['blend', 1],
      ['labels', 1],
    ],
  );
  // Exploration slots are sampled; everything else must come back the same.
  const ranked = (items: typeof feed.items) =>
    items.filter((i) => !i.reason.exploration).map((i) => i.itemId);
  assert.deepEqual(ranked((await reopened.feed('u0001', 20)).items), ranked(feed.items));
  await reopened.close();
});

/** A demo platform trained once, its database copied by each test that changes it. */
const trained = (async () => {
  const path = tempDbPath('trained');
  const engine = await loadDemo(path, 11, T0, { creators: 20, items: 300, users: 120, eventsPerUser: 25 });
  await engine.train();
  await engine.close();
  // The feed of the engine restarted from its snapshot: what the variants below must serve.
  const reopened = createEngine({
    store: createSqliteStore({ path: copyOf(path, 'trained-reopened') }),
    now: () => T0,
  });
  await reopened.open();
  const feed = await reopened.feed('u0001', 20);
  const neighbours = await modelNeighbours(reopened);
  await reopened.close();
  return { path, ranked: rankedOf(feed.items), neighbours };
})();

/** The serving model's neighbours of a few items, as `similar` lists them: model scores alone. */
async function modelNeighbours(engine: Engine): Promise<string[][]> {
  const lists: string[][] = [];
  for (const id of ['v00001', 'v00002', 'v00003', 'v00050', 'v00100']) {
    const { items } = await engine.similar(id, 100);
    lists.push(items.filter((i) => i.reason.source === 'model').map((i) => i.itemId));
  }
  return lists;
}

function copyOf(path: string, name: string): string {
  const copy = tempDbPath(name);
  copyFileSync(path, copy);
  return copy;
}

/** Exploration slots are sampled; everything else in a feed is the same for the same model and state. */
function rankedOf(items: readonly { itemId: string; reason: { exploration?: unknown } }[]): string[] {
  return items.filter((i) => !i.reason.exploration).map((i) => i.itemId);
}

async function copyOfTrained(name: string): Promise<string> {
  return copyOf((await trained).path, name);
}

test('a trained model is saved with its item ids as a binary section, not in the meta', async () => {
  const store = createSqliteStore({ path: (await trained).path });
  const snapshot = await store.loadSnapshot(SERVING_SNAPSHOT);
  assert.ok(snapshot?.itemIds !== undefined);
  assert.deepEqual(Object.keys(snapshot.meta), ['report']);
  const ids: string[] = [];
  await decodeItemIdSection(snapshot.itemIds, modelFromBytes(snapshot.data).meta.itemCount, (m, id) => {
    ids[m] = id;
  });
  assert.ok(ids.length > 100);
  // Every id decodes to an item of the catalogue, each once.
  const missing: string[] = [];
  for (const id of ids) if ((await store.getItem(id as ItemId)) === undefined) missing.push(id);
  await store.close();
  assert.deepEqual(missing, []);
  assert.equal(new Set(ids).size, ids.length);
});

test('a snapshot stored by the previous version (ids in its meta) serves the same feeds after an upgrade', async () => {
  const path = await copyOfTrained('old-layout');
  // Back to schema version 2, its serving snapshot written as that version wrote it.
  const raw = new Database(path);
  const row = raw
    .prepare('SELECT version, meta, data, item_ids FROM snapshots WHERE name = ?')
    .get(SERVING_SNAPSHOT) as {
    version: number;
    meta: string;
    data: Buffer;
    item_ids: Buffer;
  };
  const itemIds: string[] = [];
  await decodeItemIdSection(row.item_ids, modelFromBytes(row.data).meta.itemCount, (m, id) => {
    itemIds[m] = id;
  });
  const meta = { itemIds, report: (JSON.parse(row.meta) as { report: unknown }).report };
  raw.prepare('UPDATE snapshots SET meta = ? WHERE name = ?').run(JSON.stringify(meta), SERVING_SNAPSHOT);
  raw.exec('ALTER TABLE snapshots DROP COLUMN item_ids');
  raw.pragma('user_version = 2');
  raw.close();

  const reopened = createEngine({ store: createSqliteStore({ path }), now: () => T0 });
  await reopened.open();
  const status = await reopened.status();
  assert.equal(status.models.find((m) => m.name === 'blend')?.version, row.version);
  assert.deepEqual(rankedOf((await reopened.feed('u0001', 20)).items), (await trained).ranked);
  await reopened.close();
});

test('a node whose catalogue is numbered otherwise maps a snapshot written elsewhere by item id', async () => {
  const path = await copyOfTrained('renumbered');
  // Hidden items whose ids sort first: the node opening this store numbers every trained item 5 higher.
  const store = createSqliteStore({ path });
  const hidden = Array.from({ length: 5 }, (_, k) => ({
    id: `0-hidden-${k}` as ItemId,
    tags: [],
    createdAt: T0,
    updatedAt: T0,
    visibility: 'hidden' as const,
  }));
  await store.writeItems(hidden);
  await store.close();
  const node = createEngine({ store: createSqliteStore({ path }), now: () => T0 });
  await node.open();
  const { neighbours } = await trained;
  assert.ok(neighbours.every((list) => list.length > 0));
  assert.deepEqual(await modelNeighbours(node), neighbours);
  await node.close();
});

test('a damaged item id section fails the engine open with a clear error', async () => {
  const path = await copyOfTrained('damaged');
  const raw = new Database(path);
  raw
    .prepare('UPDATE snapshots SET item_ids = substr(item_ids, 1, length(item_ids) - 3) WHERE name = ?')
    .run(SERVING_SNAPSHOT);
  raw.close();
  const engine = createEngine({ store: createSqliteStore({ path }), now: () => T0 });
  await assert.rejects(
    () => engine.open(),
    (err: unknown) =>
      err instanceof SetlistError &&
      err.code === 'SETLIST_ERR_INTERNAL' &&
      /item id section is damaged \(record \d+ of \d+ ends past/.test(err.message),
  );
  await engine.close();
});

test('training with too few events trains nothing and says so', async () => {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  await engine.putItems({ items: [{ id: 'a' }, { id: 'b' }] });
  await engine.ingest({ events: [{ userId: 'u', itemId: 'a', type: 'like' }] });
  assert.equal(await engine.train(), undefined);
});

test('durations for --train-every parse with units and refuse nonsense', () => {
  assert.equal(parseDurationMs('10m'), 600_000);
  assert.equal(parseDurationMs('1.5h'), 5_400_000);
  assert.throws(() => parseDurationMs('soon'), /not a duration/);
  assert.throws(() => parseDurationMs('10ms'), /at least 1s/);
});

test('an item posted after training is scored from its creator and tags until the next training', () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const item = (id: string, creatorId: string, tags: string[]) =>
    state.upsertItem({
      id: id as ItemId,
      creatorId: creatorId as CreatorId,
      tags,
      createdAt: T0,
      updatedAt: T0,
      visibility: 'visible',
    });
  const a = item('a', 'c1', ['cats']);
  const b = item('b', 'c1', ['cats']);
  const c = item('c', 'c2', ['cars']);
  // The model knows a, b, c and scores b highest, c lowest for any history.
  const model: Model = {
    kind: 'fixed',
    itemCount: 3,
    capabilities: { incremental: true, needsItemVectors: false, personalised: true },
    scoreHistory: (_items, _weights, out) => out.set([0.5, 0.9, 0.1]),
    toTransferable: () => ({ meta: { kind: 'fixed', itemCount: 3, params: {}, ownBuffers: 0 }, buffers: [] }),
  };
  const report = {
    users: 0,
    items: 3,
    pairs: 0,
    weights: {},
    validation: { ndcg10: 0, recall20: 0, users: 0 },
    members: [],
    trainMs: 0,
  };
  const serving = new ServingModel(state, model, ['a', 'b', 'c'], { version: 1, trainedAt: T0, report });
  const catLike = item('new-cat', 'c1', ['cats']);
  const unrelated = item('new-other', 'c9', ['boats']);
  const ranked = [...serving.recommend([{ item: a, weight: 1 }], 10, (i) => i === a, [catLike, unrelated])];
  assert.deepEqual(ranked, [b, catLike, c]);
  assert.ok(!ranked.includes(unrelated));
  assert.ok(b !== c);
});

test("the training matrix holds each user's positive items as sorted rows, in shared memory", async () => {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const event = (userId: string, itemId: string, type: 'like' | 'skip', at: number) =>
    state.apply({ userId: userId as never, itemId: itemId as ItemId, type, at });
  event('u1', 'c', 'like', 1);
  event('u1', 'a', 'like', 2);
  event('u1', 'b', 'skip', 3);
  event('u2', 'b', 'skip', 4);
  event('u3', 'b', 'like', 5);
  event('u3', 'c', 'like', 6);
  const { data, items } = await trainingMatrix(state);
  assert.equal(data.rows, 2);
  assert.equal(data.cols, 3);
  // Columns in order of first sight: c, a, b; u2 (a skip only) has no row.
  assert.deepEqual(
    Array.from(items, (i) => state.items.id(i)),
    ['c', 'a', 'b'],
  );
  assert.deepEqual([...data.indptr], [0, 2, 4]);
  assert.deepEqual([...data.indices], [0, 1, 0, 2]);
  assert.deepEqual([...data.values], [1, 1, 1, 1]);
  for (const a of [data.indptr, data.indices, data.values]) assert.ok(a.buffer instanceof SharedArrayBuffer);
});

test('engine items map back to model items, -1 where the model has none', async () => {
  assert.deepEqual([...(await engineToModel(Int32Array.of(2, 0, 5)))], [1, -1, 0, -1, -1, 2]);
  assert.deepEqual([...(await engineToModel(new Int32Array(0)))], []);
});

test("a user's model history is each positive item with its weight decayed by the signal half-life", async () => {
  const clock = createClock();
  const engine = await openEngine(':memory:', { now: clock.now });
  await engine.putItem('a', { creatorId: 'c1', tags: ['x'], createdAt: clock.now() });
  await engine.putItem('b', { creatorId: 'c1', tags: ['x'], createdAt: clock.now() });
  await engine.ingest({ events: [{ id: 'e1', userId: 'u', itemId: 'a', type: 'like', at: clock.now() }] });
  const [fresh] = engine.modelHistory('u');
  assert.ok(fresh !== undefined && fresh.weight > 0);
  clock.advance(DEFAULT_ENGINE_CONFIG.signalHalfLifeMs);
  const [later] = engine.modelHistory('u');
  assert.equal(later?.item, fresh.item);
  assert.ok(Math.abs(later!.weight - fresh.weight / 2) < 1e-9 * fresh.weight);
  assert.deepEqual(engine.modelHistory('nobody'), []);
  assert.equal(engine.servingModel(), undefined);
  await engine.close();
});
