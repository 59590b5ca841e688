import assert from 'node:assert/strict';
import { test } from 'node:test';
import { twoGroupInteractions } from '../../test/fixtures/interactions.js';
import { T0 } from '../../test/helpers.js';
import { fitIals, IALS_DEFAULTS } from '../core/ials.js';
import type { ItemId } from '../types.js';
import { buildAnnIndex } from './ann-index.js';
import { DEFAULT_ENGINE_CONFIG } from './config.js';
import { OnlineState } from './online-state.js';
import { LARGE_CATALOGUE_ITEMS, ServingModel, trainInWorker } from './serving-model.js';

const report = {
  users: 0,
  items: 0,
  pairs: 0,
  weights: {},
  validation: { ndcg10: 0, recall20: 0, users: 0 },
  members: [],
  trainMs: 0,
};

function catalogue(count: number): { state: OnlineState; ids: string[] } {
  const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
  const ids = Array.from({ length: count }, (_, i) => `item-${i}`);
  for (const id of ids) {
    state.upsertItem({ id: id as ItemId, tags: [], createdAt: T0, updatedAt: T0, visibility: 'visible' });
  }
  return { state, ids };
}

test('serving from the ANN index recommends what scoring every item recommends', () => {
  const x = twoGroupInteractions(200, 600, 12, 4);
  const { model } = fitIals(x, { ...IALS_DEFAULTS, factors: 16, epochs: 4 });
  const { state, ids } = catalogue(600);
  const exact = new ServingModel(state, model, ids, { version: 1, trainedAt: T0, report });
  const ann = buildAnnIndex(model.itemFactors, 600, 16);
  const indexed = new ServingModel(state, model, ids, { version: 1, trainedAt: T0, report, ann });
  const history = [3, 40, 77, 150].map((m) => ({ item: state.items.get(`item-${m}`), weight: 1 }));
  const seen = new Set(history.map((h) => h.item));
  const a = exact.recommend(history, 20, (i) => seen.has(i));
  const b = indexed.recommend(history, 20, (i) => seen.has(i));
  assert.deepEqual([...b], [...a]);
  assert.ok(![...b].some((i) => seen.has(i)));
});

test('a catalogue above the dense limit trains iALS alone in the worker and serves through an index', async () => {
  const items = LARGE_CATALOGUE_ITEMS + 1_000;
  const x = twoGroupInteractions(400, items, 30, 8);
  const result = await trainInWorker(x, { workers: 2, ials: { factors: 8, epochs: 2 } });
  assert.deepEqual(result.report.weights, { ials: 1 });
  assert.equal(result.model.meta.kind, 'ials');
  assert.equal(result.ann?.count, items);
  assert.equal(result.report.epochMs?.length, 2);
});
