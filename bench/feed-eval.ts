// The offline protocol (PRODUCT.md: ml-latest-small positives, items with >= 3 and users with >= 5,
// a seeded per-user 20% test split) applied to the engine's own feeds, with its trained model and
// without it: what a feed loses while a large catalogue's model has no index to search (retrieval
// 'none' in /v1/status: from startup until a snapshot's index is built, or while a failed search
// thread is started again), and what the whole feed (exploration, calibration, diversity) scores
// against the models' own rankings of `setlist eval`.
// With --no-exploration the feeds keep no slots for exploration (exploration.share 0).
// Run: npm run eval:feeds -- [--seed N] [--no-exploration] [--json]
import { DEFAULT_ENGINE_CONFIG } from '../src/engine/config.js';
import { loadMovieLensGenres } from '../src/eval/dataset.js';
import { evaluateFeeds, type FeedMetrics } from '../src/eval/feeds.js';
import { loadProtocolSplit, PROTOCOL_DEFAULTS } from '../src/eval/protocol.js';

const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : PROTOCOL_DEFAULTS.seed;
const data = loadProtocolSplit('ml-latest-small', seed);
if (data === undefined) {
  console.error('ml-latest-small is not in the data folder (../shared/data or $SETLIST_DATA_DIR)');
  process.exit(1);
}
const genres = loadMovieLensGenres(data.itemIds);
const itemTags = genres?.itemGroups.map((groups) => groups.map((g) => genres.groupNames[g]!));
const noExploration = args.includes('--no-exploration');
const config = noExploration
  ? { exploration: { ...DEFAULT_ENGINE_CONFIG.exploration, share: 0 } }
  : undefined;
const rows: { feed: string; metrics: FeedMetrics }[] = [];
for (const model of [true, false]) {
  const metrics = await evaluateFeeds(data.itemIds, data.train, data.test, {
    model,
    seed,
    ...(config === undefined ? {} : { config }),
    ...(itemTags === undefined ? {} : { itemTags }),
  });
  rows.push({ feed: model ? 'with the trained model' : "without it (retrieval 'none')", metrics });
}
if (args.includes('--json')) {
  console.log(
    JSON.stringify({ seed, noExploration, users: data.userIds.length, items: data.itemIds.length, rows }),
  );
} else {
  console.log(
    `engine feeds on ml-latest-small (${data.userIds.length} users, ${data.itemIds.length} items, seed ${seed}${noExploration ? ', no exploration slots' : ''})`,
  );
  console.log('feed                            NDCG@10  Recall@20  pop. pct  mean length  train s');
  for (const { feed, metrics: m } of rows)
    console.log(
      `${feed.padEnd(32)}${m.ndcg10.toFixed(4).padStart(7)}  ${m.recall20.toFixed(4).padStart(9)}  ` +
        `${m.popularityPercentile.toFixed(3).padStart(8)}  ${m.meanFeedLength.toFixed(1).padStart(11)}  ${(m.trainMs / 1000).toFixed(1).padStart(7)}`,
    );
  const [withModel, without] = rows.map((r) => r.metrics);
  console.log(
    `without the model: NDCG@10 ${((without!.ndcg10 / withModel!.ndcg10) * 100).toFixed(1)}% of the trained feed's, ` +
      `Recall@20 ${((without!.recall20 / withModel!.recall20) * 100).toFixed(1)}%`,
  );
}
