import { loadMovieLensSmall } from './eval/dataset.ts';
import { runPipeline } from './eval/pipeline.ts';
import { filterInteractions, splitPerUser } from './eval/protocol.ts';

const t = performance.now();
const d = filterInteractions(loadMovieLensSmall()!);
const s = splitPerUser(d.matrix, 0.2, 42);
const { report } = await runPipeline(s.train, s.test, { log: console.log });
for (const m of report.models)
  console.log(
    m.kind,
    JSON.stringify(m.params),
    m.validation.ndcg10.toFixed(4),
    m.test.ndcg10.toFixed(4),
    m.test.recall20.toFixed(4),
    (m.fitMs / 1000).toFixed(1),
  );
console.log(
  'blend',
  JSON.stringify(report.blend.weights),
  report.blend.validation.ndcg10.toFixed(4),
  report.blend.test.ndcg10.toFixed(4),
  report.blend.test.recall20.toFixed(4),
);
console.log('total', ((performance.now() - t) / 1000).toFixed(1));
