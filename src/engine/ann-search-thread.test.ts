import assert from 'node:assert/strict';
import { test } from 'node:test';
import { twoGroupInteractions } from '../../test/fixtures/interactions.js';
import { openLargeCatalogueEngine } from '../../test/fixtures/large-catalogue.js';
import { postItem } from '../../test/fixtures/posted-items.js';
import { crashSearchThread, servedAfter } from '../../test/fixtures/search-thread.js';
import { EMPTY_TRAIN_REPORT } from '../../test/fixtures/train-report.js';
import { T0 } from '../../test/helpers.js';
import { fitIals, IALS_DEFAULTS } from '../core/ials.js';
import { modelFromBytes, modelFromTransferable, modelToBytes } from '../core/model-codec.js';
import { annHandoffPath, buildAnnIndex } from './ann-index.js';
import { AnnSearchThread } from './ann-search-thread.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import type { Engine } from './engine.js';
import { OnlineState } from './online-state.js';
import { RetrievalNeeded, ServingModel } from './serving-model.js';

const report = EMPTY_TRAIN_REPORT;

const ITEMS = 600;
const FACTORS = 16;

/**
 * One iALS model served three ways over the same catalogue: through an index searched on the
 * calling thread, through the same index on a search thread of its own (the model read from shared
 * bytes, as training hands it over), and by scoring every item. Items 0-39 are new (after training).
 */
async function servedThreeWays(): Promise<{
  state: OnlineState;
  local: ServingModel;
  remote: ServingModel;
  scan: ServingModel;
  thread: AnnSearchThread;
  fresh: number[];
}> {
  const x = twoGroupInteractions(200, ITEMS, 12, 4);
  const { model } = fitIals(x, { ...IALS_DEFAULTS, factors: FACTORS, epochs: 4 });
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const post = (id: string, creator: number, tags: string[]) => postItem(state, id, creator, tags);
  const ids = Array.from({ length: ITEMS }, (_, m) => `item-${m}`);
  for (let m = 0; m < ITEMS; m++) post(ids[m]!, Math.floor(m / 30), [`tag-${Math.floor(m / 100)}`]);
  const fresh = Array.from({ length: 40 }, (_, n) => post(`new-${n}`, n % 20, [`tag-${n % 6}`, 'tag-new']));
  const ann = buildAnnIndex(model.itemFactors, ITEMS, FACTORS);
  const path = annHandoffPath();
  ann.save(path);
  const bytes = modelToBytes(model.toTransferable(), { shared: true });
  const thread = await AnnSearchThread.start(bytes, path, ITEMS, FACTORS);
  const meta = { version: 1, trainedAt: T0, report };
  const shared = modelFromTransferable(modelFromBytes(bytes, { copy: false }));
  return {
    state,
    local: new ServingModel(state, model, ids, { ...meta, ann }),
    remote: new ServingModel(state, shared, ids, { ...meta, ann: thread }),
    scan: new ServingModel(state, model, ids, meta),
    thread,
    fresh,
  };
}

/** `recommend` as a feed calls it on a model with a search thread: retrieving what it says it needs. */
async function recommendRetrieving(
  serving: ServingModel,
  history: { item: number; weight: number }[],
  k: number,
  excluded: (i: number) => boolean,
  fresh: number[],
): Promise<{ items: number[]; retrievals: number[] }> {
  const retrievals: number[] = [];
  const first = serving.retrievalFor(history, k);
  let retrieved = first === undefined ? undefined : await serving.retrieve(first);
  if (first !== undefined) retrievals.push(first.ask);
  for (;;) {
    try {
      return { items: [...serving.recommend(history, k, excluded, fresh, retrieved)], retrievals };
    } catch (err) {
      if (!(err instanceof RetrievalNeeded)) throw err;
      retrievals.push(err.request.ask);
      retrieved = await serving.retrieve(err.request);
    }
  }
}

test('a model searched on a thread of its own recommends what it recommends searching on the calling thread', async () => {
  const { state, local, remote, thread, fresh } = await servedThreeWays();
  try {
    assert.equal(remote.searchThread, true);
    assert.equal(remote.retrieval, 'index');
    const item = (m: number) => state.items.get(`item-${m}`);
    const histories = [
      [3, 40, 77, 150].map((m) => ({ item: item(m), weight: 1 })),
      [310, 320, 599].map((m, r) => ({ item: item(m), weight: 0.5 + r })),
      [5].map((m) => ({ item: item(m), weight: 2 })),
    ];
    let newcomers = 0;
    for (const history of histories) {
      const seen = new Set(history.map((h) => h.item));
      for (const k of [20, 300]) {
        const expected = [...local.recommend(history, k, (i) => seen.has(i), fresh)];
        const got = await recommendRetrieving(remote, history, k, (i) => seen.has(i), fresh);
        assert.deepEqual(got.items, expected);
        assert.equal(got.retrievals.length, 1, 'one retrieval, asked for before the first call');
        newcomers += expected.filter((i) => fresh.includes(i)).length;
      }
    }
    // New items are scored from the user vector the thread folded in.
    assert.ok(newcomers > 0);
    // Most of what the index finds excluded: the thread is asked again for four times as many.
    const history = histories[0]!;
    const sparse = (i: number) => i % 5 !== 0;
    const expected = [...local.recommend(history, 60, sparse, fresh)];
    const got = await recommendRetrieving(remote, history, 60, sparse, fresh);
    assert.deepEqual(got.items, expected);
    assert.deepEqual(got.retrievals, [94, 376]);
  } finally {
    await thread.release();
  }
});

test('without what it needs retrieved, a model with a search thread throws what to retrieve', async () => {
  const { state, remote, scan, thread, fresh } = await servedThreeWays();
  try {
    const history = [3, 40, 77].map((m) => ({ item: state.items.get(`item-${m}`), weight: 1 }));
    const other = [3, 40, 78].map((m) => ({ item: state.items.get(`item-${m}`), weight: 1 }));
    const needed = (call: () => unknown): RetrievalNeeded => {
      try {
        call();
      } catch (err) {
        if (err instanceof RetrievalNeeded) return err;
        throw err;
      }
      assert.fail('nothing was asked for');
    };
    const asked = needed(() => remote.recommend(history, 20, () => false, fresh));
    assert.equal(asked.request.model, remote);
    assert.deepEqual([...asked.request.items], [3, 40, 77]);
    assert.equal(asked.request.ask, 20 + 10 + 3);
    assert.deepEqual(remote.retrievalFor(history, 20), asked.request);
    // Found for another history (an event of the user's applied while the thread searched).
    const stale = await remote.retrieve(remote.retrievalFor(other, 20)!);
    assert.ok(stale !== undefined);
    needed(() => remote.recommend(history, 20, () => false, fresh, stale));
    assert.equal(
      remote.recommend(history, 20, () => false, fresh, { ...stale, anyHistory: true }).length,
      20,
    );
    // Found for fewer items than the call needs.
    const short = await remote.retrieve(remote.retrievalFor(history, 10)!);
    assert.equal(needed(() => remote.recommend(history, 20, () => false, fresh, short)).request.ask, 33);
    // A model without a search thread needs nothing retrieved.
    assert.equal(scan.retrievalFor(history, 20), undefined);
  } finally {
    await thread.release();
  }
});

test('once its search thread has stopped, a model scores every item and searches answer nothing', async () => {
  const { state, remote, scan, thread, fresh } = await servedThreeWays();
  const history = [3, 40, 77, 150].map((m) => ({ item: state.items.get(`item-${m}`), weight: 1 }));
  const request = remote.retrievalFor(history, 20)!;
  const pending = remote.retrieve(request);
  await remote.releaseIndex();
  await thread.release();
  // A search asked for before the release is answered or resolves to nothing: it never hangs.
  const answered = await pending;
  assert.ok(answered === undefined || answered.found.length > 0);
  assert.equal(await remote.retrieve(request), undefined);
  assert.equal(await thread.search(new Float32Array(FACTORS), 5), undefined);
  assert.equal(thread.alive, false);
  assert.equal(remote.retrieval, 'scan');
  assert.equal(remote.searchThread, false);
  assert.equal(remote.retrievalFor(history, 20), undefined);
  const seen = new Set(history.map((h) => h.item));
  assert.deepEqual(
    [...remote.recommend(history, 20, (i) => seen.has(i), fresh)],
    [...scan.recommend(history, 20, (i) => seen.has(i), fresh)],
  );
});

test('a thread that cannot read its index fails to start', async () => {
  const bytes = modelToBytes(
    fitIals(twoGroupInteractions(50, 100, 5, 2), IALS_DEFAULTS).model.toTransferable(),
  );
  await assert.rejects(AnnSearchThread.start(bytes, annHandoffPath(), 100, IALS_DEFAULTS.factors), /ENOENT/);
});

/** A large catalogue's engine (see the fixture), trained: its model is served from a search thread. */
async function trainedLargeEngine(): Promise<Engine> {
  const engine = await openLargeCatalogueEngine();
  assert.ok((await engine.train()) !== undefined);
  return engine;
}

test('feeds asked for all at once, their searches interleaved on the thread, are the feeds asked for one by one', async () => {
  const [one, all] = [await trainedLargeEngine(), await trainedLargeEngine()];
  for (const engine of [one, all]) {
    const status = (await engine.status()).models.find((m) => m.name === 'blend');
    assert.deepEqual([status?.retrieval, status?.thread], ['index', true]);
  }
  const users = Array.from({ length: 40 }, (_, u) => `u${u}`);
  const byOne = [];
  for (const u of users) byOne.push(await one.feed(u, 10));
  const byAll = await Promise.all(users.map((u) => all.feed(u, 10)));
  assert.deepEqual(byAll, byOne);
  for (const { items } of byAll) assert.equal(items.length, 10);
  // Similar items rank what the thread found too.
  const similar = await Promise.all(['v0', 'v1'].map((v) => all.similar(v, 40)));
  for (const { items } of similar) assert.ok(items.some((i) => i.reason.source === 'model'));
  await one.close();
  // A feed waiting for its search when the engine closes is refused, not left hanging.
  const refused = assert.rejects(all.feed('u70', 10), /not open/);
  await all.close();
  await refused;
});

test("a serving model's search thread that fails is started again, and its feeds are those of a thread that never failed", async () => {
  const [steady, restarted] = [await trainedLargeEngine(), await trainedLargeEngine()];
  const blend = async () => (await restarted.status()).models.find((m) => m.name === 'blend');
  const failed = await crashSearchThread(restarted);
  const meanwhile = await blend();
  assert.deepEqual([meanwhile?.retrieval, meanwhile?.thread], ['none', undefined]);
  // Meanwhile feeds and similar items rank without the model (no full scan per request).
  const feed = await restarted.feed('u4', 10);
  assert.equal(feed.items.length, 10);
  assert.ok(!feed.items.some((i) => i.reason.source === 'model'));
  assert.ok(!(await restarted.similar('v0', 40)).items.some((i) => i.reason.source === 'model'));
  await servedAfter(restarted, failed);
  const back = await blend();
  assert.deepEqual([back?.retrieval, back?.thread, back?.version], ['index', true, failed.version]);
  assert.ok((await restarted.similar('v0', 40)).items.some((i) => i.reason.source === 'model'));
  for (let u = 10; u < 20; u++) {
    assert.deepEqual(await restarted.feed(`u${u}`, 10), await steady.feed(`u${u}`, 10));
  }
  await Promise.all([steady.close(), restarted.close()]);
});

test('a search thread that keeps failing is started again once per delay, then feeds rank without the model', async () => {
  const engine = await openLargeCatalogueEngine({ threadRestartDelaysMs: [0, 0] });
  assert.ok((await engine.train()) !== undefined);
  const blend = async () => (await engine.status()).models.find((m) => m.name === 'blend');
  for (let restart = 0; restart < 2; restart++) {
    await servedAfter(engine, await crashSearchThread(engine));
    assert.equal((await blend())?.thread, true);
  }
  const last = await crashSearchThread(engine);
  // The restarts above came well within a second: none comes now.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(engine.servingModel(), last);
  assert.deepEqual([(await blend())?.retrieval, (await blend())?.thread], ['none', undefined]);
  assert.equal((await engine.feed('u4', 10)).items.length, 10);
  // A new model gets restarts of its own.
  assert.equal((await engine.train())?.version, 2);
  await servedAfter(engine, await crashSearchThread(engine));
  assert.deepEqual([(await blend())?.version, (await blend())?.thread], [2, true]);
  await engine.close();
});
