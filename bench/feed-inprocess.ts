// Feed latency in process: the online state loaded with a synthetic platform, then feeds for random
// users timed one by one (no HTTP, no trained model), with the engine's feed caches unless told not to,
// and optionally more events applied between feeds (timed apart), so tag rankings go stale as in service.
// With `model 1`, an iALS model is trained on the loaded state first and feeds retrieve from it through
// the ANN index (above 20,000 items), as a trained server does for users who miss the candidate cache.
// With `shape 1` the state is `npm run bench`'s platform instead (bench/synthetic.ts: topics of 1,000
// items, skewed user activity, so a few users have long histories, events a day old), as the HTTP run
// serves it. With `thread 1` the model's index is searched on a thread of its own, as a server that
// trained it does (each feed awaits its search; one feed at a time, so nothing overlaps it); the feeds
// are the same, and `serverThreadCpuMsPerFeed` is the calling thread's share.
// Run: node --import tsx bench/feed-inprocess.ts [items] [users] [events] [feeds] [eventsPerFeed] [cache 1|0] [model 1|0] [shape 0|1] [thread 0|1]
// FEED_CPU_PROFILE=<file.cpuprofile> writes a CPU profile of the timed feeds alone (not the load or training).
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { createRandom } from '../src/core/random.js';
import { annHandoffPath } from '../src/engine/ann-index.js';
import { AnnSearchThread } from '../src/engine/ann-search-thread.js';
import { DEFAULT_ENGINE_CONFIG } from '../src/engine/config.js';
import { FacetIndex } from '../src/engine/facets.js';
import { buildFeed, createFeedCaches, type FeedItem, feedRetrieval } from '../src/engine/feed.js';
import { OnlineState } from '../src/engine/online-state.js';
import { fitServingModel, ServingModel, trainingMatrix, withRetrieval } from '../src/engine/serving-model.js';
import type { ItemId, UserId } from '../src/types.js';
import { generatePlatform, platformEvents, platformItems } from './synthetic.js';
import { SYNTHETIC_T0, syntheticEvents, syntheticItem } from './synthetic-stream.js';

export interface FeedOptions {
  items: number;
  users: number;
  events: number;
  /** Feeds to time; default 2,000. */
  feeds?: number;
  /** Items per feed; default 20. */
  n?: number;
  /** Events applied before each timed feed (not timed); default 0. */
  eventsPerFeed?: number;
  /** Whether feeds share the engine's caches (model candidates, tag rankings); default true. */
  cache?: boolean;
  /** Whether a model is trained first and serves the feeds' model candidates; default false. */
  model?: boolean;
  /** 'platform': `npm run bench`'s generated platform (bench/synthetic.ts); default 'stream' (synthetic-stream.ts). */
  shape?: 'stream' | 'platform';
  /** With a model behind an index: search it on a thread of its own, as a server does; default false. */
  thread?: boolean;
}

export interface FeedMeasurement {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Process CPU time per feed (includes the garbage collector's threads): steadier than wall time on a busy machine. */
  cpuMsPerFeed: number;
  /** The calling thread's CPU time per feed (Linux; the process's elsewhere). */
  serverThreadCpuMsPerFeed: number;
  /** Garbage collection pauses of the server's heap per feed, in milliseconds (all kinds). */
  gcMsPerFeed: number;
  /** Feeds per second on one thread, back to back. */
  feedsPerSecond: number;
  /** Milliseconds to load the items and apply the events. */
  loadMs: number;
  /** Milliseconds to train the model (0 without one). */
  trainMs: number;
  /** A hash of every timed feed's item ids and scores: equal digests mean the same feeds. */
  digest: string;
}

/**
 * Loads `items` and `events` into a fresh online state, then times `feeds` feeds of random users.
 *
 * @example
 * const { p99Ms } = measureFeedInProcess({ items: 100_000, users: 100_000, events: 2_000_000 });
 */
export async function measureFeedInProcess(options: FeedOptions): Promise<FeedMeasurement> {
  const config = DEFAULT_ENGINE_CONFIG;
  const state = new OnlineState(config);
  const started = performance.now();
  let seq = 0;
  let nowMs = SYNTHETIC_T0 + options.events;
  if (options.shape === 'platform') {
    // As bench/run.ts: events end a day before the feeds, items were created before the events.
    const platform = generatePlatform(options);
    for (let start = 0; start < options.items; start += 10_000) {
      for (const item of platformItems(platform, start, start + 10_000, SYNTHETIC_T0)) state.upsertItem(item);
    }
    for (let start = 0; start < options.events; start += 10_000) {
      for (const e of platformEvents(platform, start, start + 10_000, SYNTHETIC_T0))
        state.apply({ ...e, seq: ++seq });
    }
    nowMs += 86_400_000;
  } else {
    for (let i = 0; i < options.items; i++) {
      const item = syntheticItem(i);
      state.upsertItem({
        id: item.id as ItemId,
        creatorId: item.creatorId as never,
        tags: item.tags,
        createdAt: item.createdAt,
        updatedAt: SYNTHETIC_T0,
        visibility: 'visible',
      });
    }
    syntheticEvents(options, options.events, (e) =>
      state.apply({ ...e, userId: e.userId as UserId, itemId: e.itemId as ItemId, seq: ++seq }),
    );
  }
  const loadMs = performance.now() - started;
  const trainStarted = performance.now();
  const serving = options.model === true ? await trainServing(state, options.thread === true) : undefined;
  const trainMs = serving === undefined ? 0 : performance.now() - trainStarted;
  const facets = new FacetIndex(state, config);
  const random = createRandom(7);
  const pick = createRandom(11);
  const count = options.feeds ?? 2_000;
  const caches = options.cache === false ? undefined : createFeedCaches();
  let digest = 0x811c9dc5;
  const feed = (userId: string): Promise<FeedItem[]> =>
    withRetrieval(feedRetrieval(state, config, userId, nowMs, serving, caches), (retrieved) =>
      buildFeed(state, config, facets, userId, options.n ?? 20, nowMs, serving, random, caches, retrieved),
    );
  // Warm up: the first feeds compile the code and cluster facets.
  for (let k = 0; k < Math.min(200, count); k++) await feed(`user-${pick.int(options.users)}`);
  const perFeed = options.eventsPerFeed ?? 0;
  const more: Parameters<OnlineState['apply']>[0][] = [];
  syntheticEvents(
    options,
    perFeed * count,
    (e) => more.push({ ...e, userId: e.userId as UserId, itemId: e.itemId as ItemId, seq: ++seq }),
    2,
  );
  const times = new Float64Array(count);
  let cpuMs = 0;
  let threadCpuMs = 0;
  let gcMs = 0;
  const gcWatch = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gcWatch.observe({ entryTypes: ['gc'] });
  const profile = process.env.FEED_CPU_PROFILE;
  const session = profile === undefined || profile === '' ? undefined : new Session();
  if (session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (let k = 0; k < count; k++) {
    for (let e = k * perFeed; e < (k + 1) * perFeed; e++) state.apply(more[e]!);
    const userId = `user-${pick.int(options.users)}`;
    const cpu = process.cpuUsage();
    const threadCpu = threadCpuMsNow();
    const t = performance.now();
    const items = await feed(userId);
    times[k] = performance.now() - t;
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    threadCpuMs += threadCpuMsNow() - threadCpu;
    for (const item of items) digest = fnv(digest, `${item.itemId}:${item.score}`);
  }
  if (session !== undefined) {
    const { profile: taken } = await session.post('Profiler.stop');
    writeFileSync(profile!, JSON.stringify(taken));
    session.disconnect();
  }
  // Entries are delivered asynchronously: let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 100));
  gcWatch.disconnect();
  await serving?.releaseIndex();
  const total = times.reduce((s, t) => s + t, 0);
  times.sort();
  return {
    p50Ms: times[Math.floor(count * 0.5)]!,
    p99Ms: times[Math.min(count - 1, Math.floor(count * 0.99))]!,
    meanMs: total / count,
    cpuMsPerFeed: cpuMs / count,
    serverThreadCpuMsPerFeed: (Number.isNaN(threadCpuMs) ? cpuMs : threadCpuMs) / count,
    gcMsPerFeed: gcMs / count,
    feedsPerSecond: (count / total) * 1000,
    loadMs,
    trainMs,
    digest: (digest >>> 0).toString(16),
  };
}

/**
 * The serving model a trained engine would install: iALS (an ANN index above 20,000 items), with
 * `thread` searched on a thread of its own (the same index, handed over as a server's training does).
 */
async function trainServing(state: OnlineState, thread: boolean): Promise<ServingModel> {
  const matrix = await trainingMatrix(state);
  const fit = await fitServingModel(matrix.data, { workers: 2, seed: 42 });
  const report = { ...fit.report, trainMs: 0 };
  const meta = { version: 1, trainedAt: 0, report };
  if (!thread || fit.ann === undefined || fit.bytes === undefined) {
    return new ServingModel(state, fit.model, matrix.items, { ...meta, ann: fit.ann });
  }
  const path = annHandoffPath();
  fit.ann.save(path);
  await fit.ann.release();
  const ann = await AnnSearchThread.start(fit.bytes, path, fit.ann.count, fit.ann.dims);
  return new ServingModel(state, fit.model, matrix.items, { ...meta, ann });
}

/** The calling thread's CPU time so far in ms (Linux's schedstat), or NaN where there is none. */
function threadCpuMsNow(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

function fnv(h: number, text: string): number {
  let x = h;
  for (let k = 0; k < text.length; k++) x = Math.imul(x ^ text.charCodeAt(k), 0x01000193);
  return x;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [
    items = 100_000,
    users = 100_000,
    events = 2_000_000,
    feeds = 2_000,
    eventsPerFeed = 0,
    cache = 1,
    model = 0,
    shape = 0,
    thread = 0,
  ] = process.argv.slice(2).map(Number);
  const options: FeedOptions = {
    items,
    users,
    events,
    feeds,
    eventsPerFeed,
    cache: cache !== 0,
    model: model !== 0,
    shape: shape === 1 ? 'platform' : 'stream',
    thread: thread === 1,
  };
  const m = await measureFeedInProcess(options);
  console.log(JSON.stringify({ ...options, ...m }));
  console.log(
    `feed in process: p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms, mean ${m.meanMs.toFixed(2)} ms, CPU ${m.cpuMsPerFeed.toFixed(2)} ms/feed (this thread ${m.serverThreadCpuMsPerFeed.toFixed(2)}), GC ${m.gcMsPerFeed.toFixed(2)} ms/feed (${m.feedsPerSecond.toFixed(0)}/s one thread); load ${(m.loadMs / 1000).toFixed(1)} s; digest ${m.digest}`,
  );
}
