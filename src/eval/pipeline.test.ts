import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromTriples, csrRow } from '../core/csr.js';
import { createRandom } from '../core/random.js';
import { runPipeline, sampleUsers } from './pipeline.js';
import { splitPerUser } from './protocol.js';

// 60 users in 3 taste groups of 10 items; each user likes 7 of their group's items.
const rng = createRandom(4);
const rows: number[] = [];
const cols: number[] = [];
for (let u = 0; u < 60; u++) {
  const items = rng.shuffle(Array.from({ length: 10 }, (_, i) => (u % 3) * 10 + i)).slice(0, 7);
  for (const i of items) {
    rows.push(u);
    cols.push(i);
  }
}
const data = csrFromTriples(60, 30, Int32Array.from(rows), Int32Array.from(cols));
const { train, test: heldOut } = splitPerUser(data, 0.2, 42);

test('a kind whose every fit is refused is left out, and the blend is built from the rest', async () => {
  const { report, model } = await runPipeline(train, heldOut, {
    workers: 0,
    search: [
      // XᵀX − 1000·I is not positive definite, so EASE refuses.
      { kind: 'ease', jobs: [[{ lambda: -1000 }]] },
      { kind: 'item-knn', jobs: [[{ k: 10, shrink: 0 }]] },
      { kind: 'popularity', jobs: [[{}]] },
    ],
  });
  assert.deepEqual(report.models.map((m) => m.kind).sort(), ['item-knn', 'popularity']);
  assert.equal(model.kind, 'blend');
  assert.ok(report.blend.test.ndcg10 >= Math.max(...report.models.map((m) => m.test.ndcg10)) - 0.1);
});

test('with fewer tuning scores than validation users × items, tuning ranks a seeded sample of users', async () => {
  const search = [{ kind: 'item-knn', jobs: [[{ k: 10, shrink: 0 }]] }];
  const all = await runPipeline(train, heldOut, { workers: 0, search });
  const sampled = await runPipeline(train, heldOut, { workers: 0, search, tuningScores: 10 * 30 });
  assert.ok(all.report.blend.validation.users > 10);
  assert.equal(sampled.report.blend.validation.users, 10);
  assert.equal(sampled.report.models[0]!.validation.users, 10);
  // Test is still every user.
  assert.equal(sampled.report.blend.test.users, all.report.blend.test.users);
});

test('sampleUsers keeps the rows of a seeded sample of users and empties the others', () => {
  assert.equal(sampleUsers(heldOut, 1_000, 1), heldOut);
  const a = sampleUsers(heldOut, 7, 1);
  const b = sampleUsers(heldOut, 7, 1);
  assert.deepEqual(a, b);
  let users = 0;
  for (let u = 0; u < a.rows; u++) {
    const row = csrRow(a, u).indices;
    if (row.length === 0) continue;
    users++;
    assert.deepEqual([...row], [...csrRow(heldOut, u).indices]);
  }
  assert.equal(users, 7);
});

test('an EASE λ at the edge of the grid is extended one step', async () => {
  const lines: string[] = [];
  await runPipeline(train, heldOut, {
    workers: 0,
    search: [
      {
        kind: 'ease',
        jobs: [[{ lambda: 1000 }], [{ lambda: 4000 }]],
        extend: { param: 'lambda', factor: 4 },
      },
    ],
    log: (line) => lines.push(line),
  });
  assert.ok(
    lines.some((l) => /"lambda":250\b/.test(l)),
    lines.join('\n'),
  );
});

test('the second validation split is a fresh split of train with the blend refit on its train part', async () => {
  const { secondValidation, validationModel } = await runPipeline(train, heldOut, {
    workers: 0,
    secondValidation: true,
    search: [
      { kind: 'item-knn', jobs: [[{ k: 10, shrink: 0 }]] },
      { kind: 'popularity', jobs: [[{}]] },
    ],
  });
  const second = secondValidation!;
  const fresh = splitPerUser(train, 0.2, 42 + 2);
  assert.deepEqual(second.validation.indices, fresh.test.indices);
  assert.deepEqual(second.train.indices, fresh.train.indices);
  assert.equal(second.model.kind, 'blend');
  assert.notEqual(second.model, validationModel);
});

test('without asking, the pipeline fits no second validation split', async () => {
  const result = await runPipeline(train, heldOut, {
    workers: 0,
    search: [{ kind: 'popularity', jobs: [[{}]] }],
  });
  assert.equal(result.secondValidation, undefined);
});
