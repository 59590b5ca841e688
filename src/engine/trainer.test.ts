import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples } from '../core/csr.js';
import { fitIals, IALS_DEFAULTS } from '../core/ials.js';
import type { Model } from '../core/model.js';
import { fitPopularity } from '../core/popularity.js';
import { createRandom } from '../core/random.js';
import { fallbackItemVector, runTrainJob, trainAll } from './trainer.js';

const rng = createRandom(5);
const x = csrFromTriples(
  40,
  20,
  Int32Array.from({ length: 300 }, () => rng.int(40)),
  Int32Array.from({ length: 300 }, () => rng.int(20)),
);

function scores(model: Model): number[] {
  const out = new Float32Array(20);
  model.scoreHistory(Int32Array.of(2, 3), Float32Array.of(1, 1), out);
  return [...out];
}

test('models trained in worker threads score exactly like the same jobs run inline', async () => {
  const jobs = [
    { kind: 'ease', grid: [{ lambda: 10 }, { lambda: 50 }] },
    { kind: 'item-knn', grid: [{ k: 5, shrink: 1 }] },
    { kind: 'ials', grid: [{ factors: 4, epochs: 2 }] },
  ];
  const inWorkers = await trainAll(x, jobs, { workers: 2 });
  jobs.forEach((job, j) => {
    const inline = runTrainJob(x, job);
    inline.forEach((candidate, c) => {
      const remote = inWorkers[j]![c]!;
      assert.ok(candidate.result.ok && remote.result.ok);
      assert.deepEqual(scores(remote.result.model), scores(candidate.result.model));
    });
  });
});

test('a job for an unknown kind rejects its promise', async () => {
  await assert.rejects(trainAll(x, [{ kind: 'nope', grid: [{}] }], { workers: 1 }), /unknown model kind/);
});

test('a new item gets the mean vector of items sharing its creator and tags', () => {
  const { model } = fitIals(x, { ...IALS_DEFAULTS, factors: 3, epochs: 1 });
  const catalogue = [{ creatorId: 'a' }, { tags: ['t'] }, { creatorId: 'b', tags: ['u'] }];
  const v = fallbackItemVector(model, { creatorId: 'a', tags: ['t'] }, catalogue)!;
  for (let f = 0; f < 3; f++) {
    const expected = (2 * model.itemVector!(0)[f]! + model.itemVector!(1)[f]!) / 3;
    assert.ok(Math.abs(v[f]! - expected) < 1e-6);
  }
});

test('models without item vectors get no fallback vector', () => {
  assert.equal(fallbackItemVector(fitPopularity(x), { creatorId: 'a' }, [{ creatorId: 'a' }]), undefined);
});
