// Feed CPU of two or more source trees side by side in one process: each tree's `OnlineState` loaded
// with the same items and events (`npm run bench`'s platform), one iALS model trained once and served
// by each tree's `ServingModel`, each tree's `buildFeed`, facet index and caches; the same random users,
// in chunks of 50 feeds rotated across the trees. Prints CPU per feed per tree and round, the ratio of
// each tree to the first, and each tree's digest (equal digests mean the same feeds).
// Run: node --max-old-space-size=16000 --import tsx bench/feed-ab.ts <items> <users> <events> <feeds per round> <rounds> <tree dir> <tree dir> ...
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRandom } from '../src/core/random.js';
import type { FeedItem } from '../src/engine/feed.js';
import { generatePlatform, platformEvents, platformItems } from './synthetic.js';
import { SYNTHETIC_T0 } from './synthetic-stream.js';

const CHUNK = 50;

interface Tree {
  dir: string;
  feed: (userId: string) => FeedItem[];
  cpuMs: number;
  feeds: number;
  digest: number;
}

type Mod = Record<string, never>;

async function load(dir: string, file: string): Promise<Mod> {
  return (await import(pathToFileURL(resolve(dir, 'src', file)).href)) as Mod;
}

const [items = 200_000, users = 200_000, events = 2_000_000, perRound = 2_000, rounds = 3] = process.argv
  .slice(2, 7)
  .map(Number);
const dirs = process.argv.slice(7);
if (dirs.length === 0) throw new Error('name at least one source tree');
const options = { items, users, events };
const platform = generatePlatform(options);
const nowMs = SYNTHETIC_T0 + events + 86_400_000;
const trees: Tree[] = [];
let fit: { model: unknown; report: object; ann: unknown } | undefined;
let matrixItems: unknown;
for (const dir of dirs) {
  const { DEFAULT_ENGINE_CONFIG: config } = (await load(dir, 'engine/config.ts')) as unknown as {
    DEFAULT_ENGINE_CONFIG: object;
  };
  const { OnlineState } = (await load(dir, 'engine/online-state.ts')) as unknown as {
    OnlineState: new (c: object) => { upsertItem(i: unknown): void; apply(e: unknown): void };
  };
  const { FacetIndex } = (await load(dir, 'engine/facets.ts')) as unknown as {
    FacetIndex: new (s: unknown, c: object) => unknown;
  };
  const feedModule = (await load(dir, 'engine/feed.ts')) as unknown as {
    buildFeed: (...args: unknown[]) => FeedItem[];
    createFeedCaches: () => unknown;
  };
  const serving = (await load(dir, 'engine/serving-model.ts')) as unknown as {
    trainingMatrix: (s: unknown) => Promise<{ data: unknown; items: unknown }>;
    fitServingModel: (d: unknown, o: object) => Promise<{ model: unknown; report: object; ann: unknown }>;
    ServingModel: new (s: unknown, m: unknown, items: unknown, o: object) => unknown;
  };
  const started = performance.now();
  const state = new OnlineState(config);
  let seq = 0;
  for (let start = 0; start < items; start += 10_000) {
    for (const item of platformItems(platform, start, start + 10_000, SYNTHETIC_T0)) state.upsertItem(item);
  }
  for (let start = 0; start < events; start += 10_000) {
    for (const e of platformEvents(platform, start, start + 10_000, SYNTHETIC_T0))
      state.apply({ ...e, seq: ++seq });
  }
  if (fit === undefined) {
    const matrix = await serving.trainingMatrix(state);
    fit = await serving.fitServingModel(matrix.data, { workers: 2, seed: 42 });
    matrixItems = matrix.items;
  }
  const report = { ...fit.report, trainMs: 0 };
  const model = new serving.ServingModel(state, fit.model, matrixItems, {
    version: 1,
    trainedAt: 0,
    report,
    ann: fit.ann,
  });
  const facets = new FacetIndex(state, config);
  const random = createRandom(7);
  const caches = feedModule.createFeedCaches();
  const feed = (userId: string): FeedItem[] =>
    feedModule.buildFeed(state, config, facets, userId, 20, nowMs, model, random, caches);
  // Warm up: the first feeds compile the code and cluster facets.
  const pick = createRandom(11);
  for (let k = 0; k < 200; k++) feed(`user-${pick.int(users)}`);
  trees.push({ dir, feed, cpuMs: 0, feeds: 0, digest: 0x811c9dc5 });
  console.log(`${dir}: loaded and warmed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function fnv(h: number, text: string): number {
  let x = h;
  for (let k = 0; k < text.length; k++) x = Math.imul(x ^ text.charCodeAt(k), 0x01000193);
  return x;
}

const pick = createRandom(13);
for (let round = 1; round <= rounds; round++) {
  for (const t of trees) {
    t.cpuMs = 0;
    t.feeds = 0;
  }
  for (let chunk = 0; chunk < perRound / CHUNK; chunk++) {
    const userIds = Array.from({ length: CHUNK }, () => `user-${pick.int(users)}`);
    // Rotate which tree goes first, so no tree always follows the same one.
    for (let o = 0; o < trees.length; o++) {
      const t = trees[(chunk + o) % trees.length]!;
      const cpu = process.cpuUsage();
      const out: FeedItem[][] = [];
      for (const u of userIds) out.push(t.feed(u));
      const used = process.cpuUsage(cpu);
      t.cpuMs += (used.user + used.system) / 1000;
      t.feeds += CHUNK;
      for (const feed of out)
        for (const item of feed) t.digest = fnv(t.digest, `${item.itemId}:${item.score}`);
    }
  }
  const base = trees[0]!.cpuMs / trees[0]!.feeds;
  const cells = trees.map((t) => {
    const ms = t.cpuMs / t.feeds;
    return `${ms.toFixed(3)} ms (${(ms / base).toFixed(3)}) digest ${(t.digest >>> 0).toString(16)}`;
  });
  const { loadavg } = await import('node:os');
  console.log(`round ${round}: ${cells.join(' | ')}; load ${loadavg()[0]!.toFixed(1)}`);
}
