import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { defaultKuaiRecDir, hasKuaiRecData } from '../import/kuairec.js';
import { evaluateLabels, formatEvalLabelsReport, registerEvalLabels } from './eval-labels.js';

const dir = defaultKuaiRecDir();
const present = hasKuaiRecData(dir);
const realData =
  present || process.env.CI === 'true'
    ? {}
    : { skip: `KuaiRec data not found in ${dir}; set SETLIST_DATA_DIR to run this test` };

test('eval-labels is registered with its options', () => {
  const program = new Command('setlist');
  registerEvalLabels(program);
  const command = program.commands.find((c) => c.name() === 'eval-labels');
  assert.ok(command);
  assert.deepEqual(
    command.options.map((o) => o.long),
    ['--data', '--seed', '--text-only', '--json'],
  );
});

test('on KuaiRec, labels are calibrated, abstain on wordless text and beat naive bayes', realData, () => {
  if (!present) assert.fail(`KuaiRec data not found in ${dir}: CI needs it (set SETLIST_DATA_DIR)`);
  const report = evaluateLabels({ dataDir: dir, seed: 42 });
  assert.equal(report.evidence, 'text+item-tags');
  assert.equal(report.hiddenItems + report.trainItems, 10688);
  assert.ok(report.model.ece <= 0.05, `ECE ${report.model.ece}`);
  assert.ok(report.noWordContent.unknownRate >= 0.95, `unknown rate ${report.noWordContent.unknownRate}`);
  report.coverages.forEach((coverage, i) => {
    const gain = report.model.accuracy[i]! - report.baseline.accuracy[i]!;
    assert.ok(gain >= 0.1, `coverage ${coverage}: gain ${gain}`);
  });
  assert.ok(report.model.accuracy[5]! >= 0.7, `accuracy at 50% coverage ${report.model.accuracy[5]}`);
  assert.match(formatEvalLabelsReport(report), /coverage {2}tfidf\+LR {2}naive-NB/);
});
