import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport } from '../cli/simulate.js';
import { defaultKuaiRecDir, hasKuaiRecData } from '../import/kuairec.js';
import { generateCatalogue, readKuaiRecCatalogue } from './catalogue.js';
import { DEFAULT_SIMULATION_OPTIONS, runSimulation, type SimulationOptions } from './simulate.js';

const TINY: SimulationOptions = {
  ...DEFAULT_SIMULATION_OPTIONS,
  users: 24,
  rounds: 8,
  seed: 5,
  newItemShare: 0.05,
};

test('a simulation on a tiny generated catalogue reports curves, shares, adaptation, new items and targets', async () => {
  const items = generateCatalogue({ items: 300, categories: 8, seed: 5 });
  const report = await runSimulation(items, TINY);
  assert.deepEqual(
    report.policies.map((p) => p.name),
    ['setlist', 'random', 'popularity', 'oracle'],
  );
  for (const p of report.policies) {
    assert.equal(p.curve.length, TINY.rounds);
    assert.ok(p.lastQuarter > 0 && p.lastQuarter < 1);
    assert.ok(p.coverage > 0 && p.coverage <= 1);
    assert.ok(p.newItems.counted > 0);
  }
  const [setlist, random, , oracle] = report.policies;
  assert.equal(oracle?.oracleShare, 1);
  assert.ok(setlist!.adaptation!.shifted > 0);
  assert.ok(setlist!.adaptation!.adapted <= setlist!.adaptation!.shifted);
  assert.equal(random!.adaptation, null);
  assert.ok(oracle!.lastQuarter > random!.lastQuarter);
  assert.ok(setlist!.sources.some((s) => s.source === 'exploration'));
  assert.notEqual(report.trending, null);
  assert.deepEqual(
    report.targets.map((t) => t.target),
    ['>= 0.70', '>= 1.30', '>= 0.50', '>= 0.90', '>= 0.50'],
  );
  const text = formatReport(report);
  assert.match(text, /learning curve/);
  assert.match(text, /new items with >= 20 impressions in their first hour/);
  assert.match(text, /interest shift: \d+ of \d+ users/);
});

test('a simulation is reproducible from its seed', async () => {
  const items = generateCatalogue({ items: 200, categories: 6, seed: 9 });
  const options: SimulationOptions = { ...TINY, users: 12, rounds: 4, policies: ['setlist', 'popularity'] };
  const strip = (r: Awaited<ReturnType<typeof runSimulation>>) =>
    r.policies.map(({ elapsedMs: _, ...rest }) => rest);
  assert.deepEqual(strip(await runSimulation(items, options)), strip(await runSimulation(items, options)));
});

test('the KuaiRec catalogue loads whole, a bare carriage return kept as a line break, and drives a short simulation', async (t) => {
  const dir = defaultKuaiRecDir();
  if (!hasKuaiRecData(dir)) {
    assert.notEqual(
      process.env.CI,
      'true',
      `KuaiRec data missing in ${dir}: CI needs it (set SETLIST_DATA_DIR)`,
    );
    // Deliberate: outside CI the shared data may be absent (under CI=true the test fails instead).
    t.skip(`KuaiRec data not found in ${dir}; set SETLIST_DATA_DIR to run this test`);
    return;
  }
  const items = readKuaiRecCatalogue(dir);
  assert.equal(items.length, 10_728);
  assert.equal(new Set(items.map((i) => i.category)).size, 39);
  const video1378 = items.find((i) => i.id === 'kr1378');
  assert.ok(video1378?.caption?.includes('王朝\n！'));
  const report = await runSimulation(items, {
    ...DEFAULT_SIMULATION_OPTIONS,
    users: 20,
    rounds: 4,
    policies: ['setlist', 'oracle'],
  });
  assert.equal(report.options.items, 10_728);
  assert.ok(report.policies[0]!.lastQuarter > 0);
});

test('with trainEvery, setlist trains its model on schedule and feeds serve its candidates; without, none', async () => {
  const items = generateCatalogue({ items: 300, categories: 8, seed: 5 });
  const options: SimulationOptions = { ...TINY, policies: ['setlist'] };
  const modelSlots = (report: Awaited<ReturnType<typeof runSimulation>>) =>
    report.policies[0]!.sources.find((s) => s.source === 'model')?.served ?? 0;
  const untrained = await runSimulation(items, options);
  assert.equal(untrained.options.trainEvery, 0);
  assert.equal(modelSlots(untrained), 0);
  const trained = await runSimulation(items, { ...options, trainEvery: 4 });
  assert.equal(trained.options.trainEvery, 4);
  assert.ok(modelSlots(trained) > 0, 'no slot came from the model');
  assert.match(formatReport(trained), /setlist's model trained every 4 rounds/);
});
