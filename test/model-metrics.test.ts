import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClusterHealth, createEngine } from '../src/engine/engine.js';
import { buildApp } from '../src/server/app.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { openLargeCatalogueEngine } from './fixtures/large-catalogue.js';
import { crashSearchThread, servedAfter } from './fixtures/search-thread.js';
import { openEngine } from './helpers.js';

test("metrics say how the trained model finds candidates, and count kept lists and its search thread's restarts", async () => {
  const engine = await openLargeCatalogueEngine({ threadRestartDelaysMs: [0] });
  const app = buildApp({ engine, webRoot: false });
  await app.ready();
  /** The metrics' samples by name and labels, e.g. `setlist_model_retrieval{mode="index"}`. */
  const samples = async (): Promise<Map<string, number>> => {
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const found = new Map<string, number>();
    for (const line of body.split('\n')) {
      const sample = /^(setlist_(?:model|search_thread)_\S+) (\S+)$/.exec(line);
      if (sample !== null) found.set(sample[1]!, Number(sample[2]));
    }
    return found;
  };
  // No trained model yet: no retrieval mode, and counts of 0.
  const untrained = await samples();
  assert.ok(![...untrained.keys()].some((name) => name.startsWith('setlist_model_retrieval')));
  assert.deepEqual([...untrained.values()], [0, 0, 0, 0]);
  assert.ok((await engine.train()) !== undefined);
  await engine.feed('u1', 10);
  await engine.feed('u1', 10);
  await engine.feed('u2', 10);
  const trained = await samples();
  assert.deepEqual(
    ['index', 'scan', 'none'].map((mode) => trained.get(`setlist_model_retrieval{mode="${mode}"}`)),
    [1, 0, 0],
  );
  assert.equal(trained.get('setlist_model_candidate_cache_hits_total'), 1);
  assert.equal(trained.get('setlist_model_candidate_cache_misses_total'), 2);
  assert.equal(trained.get('setlist_search_thread_failures_total'), 0);
  await servedAfter(engine, await crashSearchThread(engine));
  const restarted = await samples();
  assert.equal(restarted.get('setlist_search_thread_failures_total'), 1);
  assert.equal(restarted.get('setlist_search_thread_restarts_total'), 1);
  assert.equal(restarted.get('setlist_model_retrieval{mode="index"}'), 1);
  // Its one restart used, a second failure leaves feeds without the model.
  await crashSearchThread(engine);
  const failed = await samples();
  assert.equal(failed.get('setlist_search_thread_failures_total'), 2);
  assert.equal(failed.get('setlist_model_retrieval{mode="none"}'), 1);
  // Counts since start are Prometheus counters, so that rate() and increase() read them.
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  for (const name of [
    'setlist_model_candidate_cache_hits_total',
    'setlist_model_candidate_cache_misses_total',
    'setlist_search_thread_failures_total',
    'setlist_search_thread_restarts_total',
    'setlist_exploration_impressions_total',
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} counter$`, 'm'));
  }
  // Scraped again with nothing new, a counter stays at the engine's count rather than adding it twice.
  assert.equal((await samples()).get('setlist_search_thread_failures_total'), 2);
  await app.close();
  await engine.close();
});

test("a count since start is a counter that equals the engine's count at each scrape", async () => {
  const engine = await openEngine();
  let impressions = 3;
  const app = buildApp({
    engine: { ...engine, explorationAudit: () => ({ impressions, items: [] }) },
    webRoot: false,
  });
  const scrape = async (): Promise<string> => (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const first = await scrape();
  assert.match(first, /^# TYPE setlist_exploration_impressions_total counter$/m);
  assert.match(first, /^setlist_exploration_impressions_total 3$/m);
  impressions = 7;
  assert.match(await scrape(), /^setlist_exploration_impressions_total 7$/m);
  assert.match(await scrape(), /^setlist_exploration_impressions_total 7$/m);
  await app.close();
  await engine.close();
});

test('a node that takes events says so, and a single node has no cluster metrics', async () => {
  const engine = await openEngine();
  const app = buildApp({ engine, webRoot: false });
  const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(body, /^setlist_ingest_accepting 1$/m);
  assert.doesNotMatch(body, /setlist_cluster_/);
  await app.close();
  await engine.close();
});

test("a scaled-out node's metrics say whether it follows the Redis stream and count failed publishes", async () => {
  const cluster: ClusterHealth = {
    nodeId: 'n1',
    redis: 'up',
    publishFailures: 0,
    remoteEventsApplied: 0,
    caughtUpEvents: 0,
  };
  const engine = createEngine({ store: createSqliteStore({ path: ':memory:' }), cluster: () => cluster });
  await engine.open();
  const app = buildApp({ engine, webRoot: false });
  const scrape = async (): Promise<string> => (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const up = await scrape();
  assert.match(up, /^setlist_cluster_stream_connected 1$/m);
  assert.match(up, /^# TYPE setlist_cluster_publish_failures_total counter$/m);
  assert.match(up, /^setlist_cluster_publish_failures_total 0$/m);
  cluster.redis = 'down';
  cluster.publishFailures = 2;
  const down = await scrape();
  assert.match(down, /^setlist_cluster_stream_connected 0$/m);
  assert.match(down, /^setlist_cluster_publish_failures_total 2$/m);
  await app.close();
  await engine.close();
});

test('metric names keep Prometheus conventions: `_total` only on counters, one setlist_ prefix', async () => {
  const engine = await openEngine();
  const app = buildApp({ engine, webRoot: false });
  await app.ready();
  const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  await app.close();
  await engine.close();
  const types = new Map<string, string>();
  for (const match of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1]!, match[2]!);
  assert.ok(types.size > 20, `${types.size} metrics`);
  const misnamed = [...types].filter(([name, type]) => name.endsWith('_total') && type !== 'counter');
  assert.deepEqual(misnamed, []);
  assert.deepEqual(
    [...types.keys()].filter((name) => !name.startsWith('setlist_') || name.includes('process_process')),
    [],
  );
  assert.equal(types.get('setlist_process_cpu_seconds_total'), 'counter');
  assert.equal(types.get('setlist_nodejs_active_resources'), 'gauge');
  assert.match(body, /^setlist_nodejs_active_resources\{type="\w+"\} [1-9]/m);
});
