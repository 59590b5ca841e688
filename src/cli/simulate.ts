import type { Command } from 'commander';
import { SetlistError } from '../errors.js';
import { defaultKuaiRecDir, hasKuaiRecData, KUAIREC_CAPTIONS } from '../import/kuairec.js';
import { generateCatalogue, readKuaiRecCatalogue } from '../sim/catalogue.js';
import type { PolicyName } from '../sim/policies.js';
import { DEFAULT_SIMULATION_OPTIONS, runSimulation, type SimulationReport } from '../sim/simulate.js';
import { seedOption, wholeNumber } from './options.js';
import { checkReportTarget, saveReport } from './reports.js';

interface SimulateCliOptions {
  users: number;
  rounds: number;
  seed: number;
  feedSize: number;
  data?: string;
  synthetic?: number;
  trainEvery: number;
  policies: string;
  json?: boolean;
  db?: string;
  store?: string;
  schema: string;
}

const POLICIES: readonly PolicyName[] = ['setlist', 'random', 'popularity', 'oracle'];

/** Formats a report as plain-text tables: learning curves, per-policy results, targets. */
export function formatReport(report: SimulationReport): string {
  const lines: string[] = [];
  const o = report.options;
  lines.push(
    `${o.items} items in ${o.categories} categories, ${o.users} users, ${o.rounds} rounds of ${o.feedSize} items ` +
      `every ${o.roundMs / 60_000} min, seed ${o.seed}` +
      (o.trainEvery !== undefined && o.trainEvery > 0
        ? `; setlist's model trained every ${o.trainEvery} rounds`
        : ''),
  );
  const step = Math.max(1, Math.ceil(o.rounds / 12));
  const shown: number[] = [];
  for (let r = 0; r < o.rounds; r += step) shown.push(r);
  if (shown[shown.length - 1] !== o.rounds - 1) shown.push(o.rounds - 1);
  lines.push('', 'mean watch ratio per round (learning curve)');
  lines.push(['round'.padEnd(11), ...shown.map((r) => String(r + 1).padStart(6))].join(''));
  for (const p of report.policies) {
    lines.push([p.name.padEnd(11), ...shown.map((r) => (p.curve[r] ?? 0).toFixed(3).padStart(6))].join(''));
  }
  lines.push('', `${'policy'.padEnd(11)}  last-quarter  of-oracle  new-20/1h  coverage`);
  for (const p of report.policies) {
    lines.push(
      [
        p.name.padEnd(11),
        p.lastQuarter.toFixed(3).padStart(14),
        (p.oracleShare === null ? '-' : p.oracleShare.toFixed(3)).padStart(11),
        p.newItems.share.toFixed(3).padStart(11),
        p.coverage.toFixed(3).padStart(10),
      ].join(''),
    );
  }
  const setlist = report.policies.find((p) => p.name === 'setlist');
  const a = setlist?.adaptation;
  if (a !== undefined && a !== null) {
    lines.push(
      '',
      `interest shift: ${a.exposed} of ${a.shifted} users were served their new interest; ` +
        `${a.adapted} got it as their profile's top facet, ` +
        `${a.withinTarget} within 10 interactions with it; median ${a.medianOnNewInterest ?? '-'} interactions ` +
        `with it (${a.medianInteractions ?? '-'} in all since the shift)`,
    );
  }
  if (setlist !== undefined && setlist.sources.length > 0) {
    lines.push('', 'setlist slots by reason source: served, mean watch ratio');
    for (const s of setlist.sources) {
      lines.push(
        `  ${s.source.padEnd(14)}${String(s.served).padStart(8)}${s.meanWatchRatio.toFixed(3).padStart(8)}`,
      );
    }
  }
  if (report.trending !== null) {
    const t = report.trending;
    lines.push('', `high-appeal new items that entered /v1/trending: ${t.entered} of ${t.highAppealNew}`);
  }
  lines.push('', 'targets');
  for (const t of report.targets) {
    lines.push(`  ${t.met ? 'met    ' : 'MISSED '} ${t.name}: ${t.value ?? '-'} (target ${t.target})`);
  }
  return lines.join('\n');
}

export function registerSimulate(program: Command): void {
  const d = DEFAULT_SIMULATION_OPTIONS;
  program
    .command('simulate')
    .description(
      'online simulation on the KuaiRec catalogue: setlist vs random, popularity-only and an oracle',
    )
    .option('--users <n>', 'simulated users', wholeNumber('--users', 1), d.users)
    .option(
      '--rounds <n>',
      'rounds (each user asks for one feed per round)',
      wholeNumber('--rounds', 1),
      d.rounds,
    )
    .option('--feed-size <n>', 'items per feed', wholeNumber('--feed-size', 1, 500), d.feedSize)
    .option('--seed <n>', 'random seed', seedOption(), d.seed)
    .option('--data <dir>', `KuaiRec folder (default: $SETLIST_DATA_DIR or ../shared/data/kuairec)`)
    .option(
      '--synthetic <items>',
      'use a generated catalogue of this many items instead of KuaiRec',
      wholeNumber('--synthetic', 1),
    )
    .option(
      '--train-every <rounds>',
      "train setlist's model every this many rounds (0: never)",
      wholeNumber('--train-every', 0),
      0,
    )
    .option('--policies <list>', 'comma-separated policies to run', POLICIES.join(','))
    .option('--json', 'print the report as JSON')
    .option('--db <path>', "save the report into this database for the dashboard's quality page")
    .option(
      '--store <url>',
      "postgres://... connection string: save the report there instead, for every API node's quality page",
    )
    .option('--schema <name>', 'Postgres schema that holds the tables (with --store)', 'public')
    .action(async (opts: SimulateCliOptions) => {
      const policies = opts.policies.split(',').map((p) => p.trim()) as PolicyName[];
      const unknown = policies.filter((p) => !POLICIES.includes(p));
      if (unknown.length > 0) {
        throw new SetlistError('SETLIST_ERR_CONFIG', {
          path: 'policies',
          message: `Unknown policies: ${unknown.join(', ')} (known: ${POLICIES.join(', ')})`,
        });
      }
      let items: ReturnType<typeof generateCatalogue>;
      if (opts.synthetic !== undefined) {
        items = generateCatalogue({ items: opts.synthetic, categories: 12, seed: opts.seed });
      } else {
        const dir = opts.data ?? defaultKuaiRecDir();
        if (!hasKuaiRecData(dir)) {
          throw new SetlistError('SETLIST_ERR_CONFIG', {
            path: 'data',
            message: `KuaiRec's ${KUAIREC_CAPTIONS} and item_categories.csv not found in ${dir}: pass --data, set SETLIST_DATA_DIR, or use --synthetic`,
          });
        }
        items = readKuaiRecCatalogue(dir);
      }
      const into = opts.store ?? opts.db;
      // Before the run, not after it: a store that cannot take the report fails in seconds, not minutes.
      if (into !== undefined) await checkReportTarget(into, { schema: opts.schema });
      const started = Date.now();
      const report = await runSimulation(items, {
        ...d,
        users: opts.users,
        rounds: opts.rounds,
        feedSize: opts.feedSize,
        seed: opts.seed,
        policies,
        trainEvery: opts.trainEvery,
        onRound: (name, r) => {
          if (!opts.json && (r + 1) % 12 === 0)
            process.stderr.write(`  ${name}: round ${r + 1}/${opts.rounds}\n`);
        },
      });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else {
        console.log(formatReport(report));
        console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
      if (into !== undefined) await saveReport(into, 'simulate', report, { schema: opts.schema });
    });
}
