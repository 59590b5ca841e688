// Training time and test NDCG@10 / Recall@20 of each model on ml-latest-small (the protocol's split,
// seed 42), with fixed mid-grid parameters; ratios are against the popularity baseline of the same run.
// Run: npm run bench:train
import { fitGrid, type ModelParams } from '../src/core/model-fitters.js';
import { loadMovieLensSmall } from '../src/eval/dataset.js';
import { evaluateModel } from '../src/eval/evaluate.js';
import { filterInteractions, splitPerUser } from '../src/eval/protocol.js';

const raw = loadMovieLensSmall();
if (raw === undefined) {
  console.log('bench:train skipped: ml-latest-small not found (set SETLIST_DATA_DIR)');
  process.exit(0);
}
const data = filterInteractions(raw);
const { train, test } = splitPerUser(data.matrix, 0.2, 42);
console.log(`ml-latest-small: ${train.rows} users, ${train.cols} items`);

const runs: { kind: string; params: ModelParams }[] = [
  { kind: 'popularity', params: {} },
  { kind: 'item-knn', params: { k: 100, shrink: 20 } },
  { kind: 'rp3beta', params: { alpha: 0.75, beta: 0.3, k: 100 } },
  { kind: 'ials', params: { factors: 64, alpha: 4, lambda: 0.5, epochs: 8 } },
  { kind: 'ease', params: { lambda: 200 } },
];

let baseline: { ms: number; ndcg: number } | undefined;
console.log(['model', 'fit ms', 'NDCG@10', 'Recall@20', 'NDCG ÷ popularity'].join('\t'));
for (const run of runs) {
  const [fitted] = fitGrid(run.kind, train, [run.params], () => performance.now());
  if (fitted === undefined || !fitted.result.ok) {
    console.log(`${run.kind}\tnot fitted: ${fitted?.result.ok === false ? fitted.result.issue : '?'}`);
    continue;
  }
  const metrics = evaluateModel(fitted.result.model, train, test);
  baseline ??= { ms: fitted.fitMs, ndcg: metrics.ndcg10 };
  console.log(
    [
      run.kind,
      fitted.fitMs.toFixed(0),
      metrics.ndcg10.toFixed(4),
      metrics.recall20.toFixed(4),
      `${(metrics.ndcg10 / baseline.ndcg).toFixed(2)}×`,
    ].join('\t'),
  );
}
