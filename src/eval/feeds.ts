import { type Csr, csrRow } from '../core/csr.js';
import { createRandom } from '../core/random.js';
import type { EngineConfig } from '../engine/config.js';
import { createEngine } from '../engine/engine.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ItemId, UserId } from '../types.js';
import { type Metrics, MetricsTally } from './evaluate.js';

/** Events and items go to the engine in batches of this many. */
const BATCH = 1_000;
/** The protocol's clock: every train event happened in the hour before it, in a shuffled order per user. */
const EVAL_NOW = Date.UTC(2026, 0, 1);
const HOUR_MS = 3_600_000;

export interface FeedEvalOptions {
  /** Whether the engine trains its batch model before the feeds are asked for (as a trained server serves). */
  model: boolean;
  /** Tags of each item (by dataset index), e.g. MovieLens genres: what facets, calibration and exploration read. */
  itemTags?: readonly (readonly string[])[];
  /** Seeds the engine's exploration and each user's event order; default 42. */
  seed?: number;
  /** The engine's configuration where it differs from the default (e.g. no exploration slots). */
  config?: Partial<EngineConfig>;
}

export interface FeedMetrics extends Metrics {
  /** Milliseconds the engine spent training its model (0 without one). */
  trainMs: number;
  /** Mean feed length: a feed shorter than 20 counts its missing places as misses. */
  meanFeedLength: number;
}

/**
 * The offline protocol applied to the engine's own feeds rather than to a model's ranking: a fresh
 * in-memory engine is given the catalogue and every train pair as a `like` (each user's in a seeded
 * random order, within the hour before the protocol's clock), trains its model when asked to, and
 * then serves each test user a feed of 20. NDCG@10 and Recall@20 are read from those feeds against
 * the held-out items, as {@link evaluateModel} reads them from a model's ranking; the feed leaves
 * out what the user has seen, as the protocol leaves out train items. Exploration, calibration and
 * creator diversity all stay on: it is the feed a user would get.
 *
 * @example
 * const split = splitPerUser(data.matrix, 0.2, 42);
 * const withModel = await evaluateFeeds(data.itemIds, split.train, split.test, { model: true });
 */
export async function evaluateFeeds(
  itemIds: readonly string[],
  train: Csr,
  heldOut: Csr,
  options: FeedEvalOptions,
): Promise<FeedMetrics> {
  const seed = options.seed ?? 42;
  const engine = createEngine({
    store: createSqliteStore({ path: ':memory:' }),
    now: () => EVAL_NOW,
    random: createRandom(seed),
    ...(options.config === undefined ? {} : { config: options.config }),
  });
  await engine.open();
  try {
    const created = EVAL_NOW - 365 * 24 * HOUR_MS;
    for (let start = 0; start < itemIds.length; start += BATCH) {
      const items = [];
      for (let i = start; i < Math.min(itemIds.length, start + BATCH); i++)
        items.push({ id: itemIds[i]!, tags: [...(options.itemTags?.[i] ?? [])], createdAt: created });
      await engine.putItems({ items });
    }
    const rng = createRandom(seed + 1);
    const events: { userId: UserId; itemId: ItemId; type: 'like'; at: number }[] = [];
    for (let u = 0; u < train.rows; u++) {
      const row = Array.from(csrRow(train, u).indices);
      for (let k = row.length - 1; k > 0; k--) {
        const j = rng.int(k + 1);
        [row[k], row[j]] = [row[j]!, row[k]!];
      }
      // Spread over the hour before the clock, in order: the user's "recent" items are the last ones.
      row.forEach((i, k) => {
        const at = EVAL_NOW - HOUR_MS + Math.floor(((k + 1) / (row.length + 1)) * HOUR_MS);
        events.push({ userId: userIdOf(u), itemId: itemIds[i]! as ItemId, type: 'like', at });
      });
    }
    for (let start = 0; start < events.length; start += BATCH)
      await engine.ingest({ events: events.slice(start, start + BATCH) });
    let trainMs = 0;
    if (options.model) {
      const started = performance.now();
      const trained = await engine.train();
      if (trained === undefined) throw new Error('the engine trained no model from the train split');
      trainMs = performance.now() - started;
    }
    const indexOf = new Map(itemIds.map((id, i) => [id, i]));
    const tally = new MetricsTally(train, itemIds.length);
    let length = 0;
    for (let u = 0; u < heldOut.rows; u++) {
      const relevant = new Set(csrRow(heldOut, u).indices);
      if (relevant.size === 0) continue;
      const { items } = await engine.feed(userIdOf(u), 20);
      const ranked = Int32Array.from(items, (item) => indexOf.get(item.itemId) ?? -1);
      tally.add(ranked, relevant);
      length += ranked.length;
    }
    const metrics = tally.metrics();
    return { ...metrics, trainMs, meanFeedLength: metrics.users === 0 ? 0 : length / metrics.users };
  } finally {
    await engine.close();
  }
}

function userIdOf(u: number): UserId {
  return `u${u}` as UserId;
}
