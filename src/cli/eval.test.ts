import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { csrFromTriples } from '../core/csr.js';
import type { Model } from '../core/model.js';
import { createRandom } from '../core/random.js';
import { CALIBRATION_GRID } from '../eval/calibration.js';
import { calibrationReport, formatCalibration, registerEval, runEvalCommand } from './eval.js';
import { buildProgram } from './main.js';

// 80 users in 4 taste groups of 12 items each; each user likes 8 items of their group.
const dir = mkdtempSync(join(tmpdir(), 'setlist-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const rng = createRandom(9);
const trainLines = ['user,item,timestamp'];
const testLines = ['user,item,timestamp'];
for (let u = 0; u < 80; u++) {
  const group = u % 4;
  const items = rng.shuffle(Array.from({ length: 12 }, (_, i) => group * 12 + i)).slice(0, 8);
  items.forEach((item, r) => {
    (r < 6 ? trainLines : testLines).push(`u${u},i${item},${1000 + r}`);
  });
}
const trainPath = join(dir, 'train.csv');
const testPath = join(dir, 'test.csv');
writeFileSync(trainPath, `${trainLines.join('\n')}\n`);
writeFileSync(testPath, `${testLines.join('\n')}\n`);

test('eval on train and test files reports every model and a blend that finds the taste groups', async () => {
  let printed = '';
  const result = await runEvalCommand({ train: trainPath, test: testPath, workers: 0 }, (t) => {
    printed += t;
  });
  assert.deepEqual(result.models.map((m) => m.kind).sort(), [
    'ease',
    'ials',
    'item-knn',
    'popularity',
    'rp3beta',
  ]);
  assert.equal(result.users, 80);
  assert.ok(result.blend.test.ndcg10 > 0.5, `blend NDCG@10 ${result.blend.test.ndcg10}`);
  assert.match(printed, /blend \(default\)/);
  assert.match(printed, /tune on validation/);
  // Popularity bias: the popularity model recommends the most popular items of all.
  assert.match(printed, /pop\. pct/);
  const bias = (kind: string) => result.models.find((m) => m.kind === kind)!.test.popularityPercentile;
  for (const m of result.models)
    assert.ok(m.test.popularityPercentile >= 0 && m.test.popularityPercentile <= 1);
  assert.ok(bias('popularity') >= Math.max(...result.models.map((m) => m.test.popularityPercentile)));
});

test('--recs-out writes k ranked rows per test user, none of them a train item', async () => {
  const recsPath = join(dir, 'recs.csv');
  await runEvalCommand(
    { train: trainPath, test: testPath, recsOut: recsPath, k: 5, workers: 0, json: true },
    () => {},
  );
  const rows = readFileSync(recsPath, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'user,item,rank');
  assert.equal(rows.length - 1, 80 * 5);
  const trainPairs = new Set(trainLines.slice(1).map((l) => l.split(',').slice(0, 2).join(',')));
  for (const row of rows.slice(1)) {
    const [user, item, rank] = row.split(',');
    assert.ok(!trainPairs.has(`${user},${item}`));
    assert.ok(Number(rank) >= 1 && Number(rank) <= 5);
  }
});

test('--json prints a parseable report with phase timings', async () => {
  let printed = '';
  await runEvalCommand({ train: trainPath, test: testPath, json: true, workers: 0 }, (t) => {
    printed += t;
  });
  const report = JSON.parse(printed) as { phases: { name: string }[]; blend: { test: { ndcg10: number } } };
  assert.ok(report.phases.some((p) => p.name === 'tune on validation'));
  assert.equal(typeof report.blend.test.ndcg10, 'number');
});

test('the eval command parses its options and trains in worker threads', async () => {
  const recsPath = join(dir, 'recs-cli.csv');
  let printed = '';
  const program = new Command('setlist').exitOverride();
  registerEval(program, (t) => {
    printed += t;
  });
  await program.parseAsync(
    ['eval', '--train', trainPath, '--test', testPath, '--recs-out', recsPath, '--k', '3', '--json'],
    { from: 'user' },
  );
  assert.equal(readFileSync(recsPath, 'utf8').trim().split('\n').length - 1, 80 * 3);
  assert.equal(typeof JSON.parse(printed).totalMs, 'number');
});

test('setlist registers the eval command', () => {
  assert.ok(buildProgram().commands.some((c) => c.name() === 'eval'));
});

test('eval without data sources fails with a message saying what to pass', async () => {
  await assert.rejects(
    runEvalCommand({}, () => {}),
    /--train and --test/,
  );
});

/** 40 items ranked in index order: 0..29 are genre 0, 30..39 genre 1. */
const ranked: Model = {
  kind: 'fixed',
  itemCount: 40,
  capabilities: { incremental: true, needsItemVectors: false, personalised: false },
  scoreHistory: (_items, _weights, out) => {
    for (let i = 0; i < 40; i++) out[i] = 40 - i;
  },
  toTransferable: () => ({ meta: { kind: 'fixed', itemCount: 40, params: {}, ownBuffers: 0 }, buffers: [] }),
};

test('the calibration report sweeps the same lambdas on validation and test and marks the choice', () => {
  // Every user's history is 60/40 between the genres; one held item per user is of genre 1.
  const users = 10;
  const rows = (per: number) => Int32Array.from({ length: users * per }, (_, k) => Math.floor(k / per));
  const history = csrFromTriples(
    users,
    40,
    rows(5),
    Int32Array.from({ length: users * 5 }, (_, k) => [0, 1, 2, 30, 31][k % 5]!),
  );
  const held = csrFromTriples(
    users,
    40,
    rows(1),
    Int32Array.from({ length: users }, (_, u) => 32 + (u % 8)),
  );
  const genres = {
    itemGroups: Array.from({ length: 40 }, (_, i) => [i < 30 ? 0 : 1]),
    groupNames: ['a', 'b'],
  };
  const c = calibrationReport(
    history,
    held,
    ranked,
    { model: ranked, train: history, validation: held },
    genres,
  )!;
  assert.deepEqual(
    c.validationSweep.map((r) => r.lambda),
    [...CALIBRATION_GRID],
  );
  assert.deepEqual(
    c.testCurve.map((r) => r.lambda),
    [...CALIBRATION_GRID],
  );
  const chosen = c.validationSweep.find((r) => r.lambda === c.lambda)!;
  assert.ok(chosen.ndcgLoss <= c.maxNdcgLoss);
  assert.ok(c.klReduction > 0.5, `KL cut ${c.klReduction}`);
  const lines = formatCalibration(c);
  assert.equal(lines.filter((l) => l.includes('<- chosen')).length, 1);
  assert.ok(
    lines.some((l) => /^ {2}lambda {2}val KL cut {2}val NDCG loss {2}test KL cut {2}test NDCG loss$/.test(l)),
  );
});
