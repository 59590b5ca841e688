import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Csr, csrFromTriples } from '../core/csr.js';
import type { Model } from '../core/model.js';
import { SetlistError } from '../errors.js';
import {
  CALIBRATION_CANDIDATES,
  CALIBRATION_GRID,
  type CalibrationReport,
  calibrationSweep,
  chooseCalibrationLambda,
} from '../eval/calibration.js';
import { createIdIndex, loadInteractionsCsv, loadMovieLensGenres } from '../eval/dataset.js';
import { forEachRanking } from '../eval/evaluate.js';
import { type PipelineReport, runPipeline, type ValidationFit } from '../eval/pipeline.js';
import { loadProtocolSplit, PROTOCOL_DEFAULTS } from '../eval/protocol.js';
import { seedOption, wholeNumber } from './options.js';
import { checkReportTarget, saveReport } from './reports.js';

/** Published reference NDCG@10 (and Recall@20 where known) on ml-latest-small, from PRODUCT.md. */
export const ML_SMALL_REFERENCE: Record<string, { ndcg10: number; recall20?: number }> = {
  popularity: { ndcg10: 0.144 },
  'item-knn': { ndcg10: 0.237 },
  rp3beta: { ndcg10: 0.23 },
  ials: { ndcg10: 0.209 },
  ease: { ndcg10: 0.263, recall20: 0.306 },
};

export interface EvalCommandOptions {
  readonly train?: string;
  readonly test?: string;
  readonly dataset?: string;
  readonly k?: number;
  readonly recsOut?: string;
  readonly json?: boolean;
  readonly workers?: number;
  readonly seed?: number;
  /** Also save the report into this database, where the dashboard's quality page reads it. */
  readonly db?: string;
  /** Or into this Postgres store (`postgres://...`), where every API node's quality page reads it. */
  readonly store?: string;
  /** The Postgres schema of `store`'s tables. */
  readonly schema?: string;
}

/** The report of one `setlist eval` run, as printed with `--json`. */
export interface EvalCommandResult extends PipelineReport {
  readonly source: string;
  readonly reference?: typeof ML_SMALL_REFERENCE;
  /**
   * Miscalibration by genre with and without the calibrated re-rank (ml-latest-small): lambda is
   * chosen on a second validation split (the largest KL cut within `maxNdcgLoss` there), then
   * measured on test.
   */
  readonly calibration?: CalibrationReport & {
    readonly maxNdcgLoss: number;
    /** The sweep on the second validation split, which chooses lambda. */
    readonly validationSweep: readonly CalibrationReport[];
    /** The same lambdas on test, for reading (not for choosing). */
    readonly testCurve: readonly CalibrationReport[];
  };
}

/**
 * Adds `setlist eval` to the program.
 *
 * @example
 * registerEval(program); // setlist eval --dataset ml-latest-small
 */
export function registerEval(
  program: Command,
  print: (text: string) => void = (text) => process.stdout.write(text),
): void {
  program
    .command('eval')
    .description(
      'offline evaluation: tune on a validation split of train, fit every model, rank the full catalogue for test users',
    )
    .option('--train <file>', 'training interactions, CSV user,item[,timestamp]')
    .option('--test <file>', 'test interactions, CSV user,item[,timestamp]')
    .option('--dataset <name>', 'a dataset from the shared data folder, filtered and split by the protocol')
    .option('--k <n>', 'recommendations per user written by --recs-out', wholeNumber('--k', 1), 20)
    .option('--recs-out <file>', 'write the default model’s top k as user,item,rank (rank 1 best)')
    .option('--json', 'print the report as JSON')
    .option('--workers <n>', 'training worker threads (0 trains inline)', wholeNumber('--workers', 0, 64), 2)
    .option('--seed <n>', 'seed of the splits', seedOption(), PROTOCOL_DEFAULTS.seed)
    .option('--db <path>', "save the report into this database for the dashboard's quality page")
    .option(
      '--store <url>',
      "postgres://... connection string: save the report there instead, for every API node's quality page",
    )
    .option('--schema <name>', 'Postgres schema that holds the tables (with --store)', 'public')
    .action(async (options: EvalCommandOptions) => {
      await runEvalCommand(options, print);
    });
}

/**
 * What `setlist eval` does, callable in process: loads and splits the data, runs the pipeline,
 * writes the optional recommendations file and prints a table (or JSON) through `print`.
 */
export async function runEvalCommand(
  options: EvalCommandOptions,
  print: (text: string) => void,
): Promise<EvalCommandResult> {
  const loadStart = performance.now();
  const seed = options.seed ?? PROTOCOL_DEFAULTS.seed;
  const { train, test, userIds, itemIds, source } = loadSplit(options, seed);
  const loadMs = performance.now() - loadStart;
  const into = options.store ?? options.db;
  const reportOptions = options.schema === undefined ? {} : { schema: options.schema };
  // Before the run, not after it: a store that cannot take the report fails in seconds, not minutes.
  if (into !== undefined) await checkReportTarget(into, reportOptions);
  const log = options.json === true ? undefined : (line: string) => print(`${line}\n`);
  const genres = options.dataset === 'ml-latest-small' ? loadMovieLensGenres(itemIds) : undefined;
  const { report, model, secondValidation } = await runPipeline(train, test, {
    seed,
    workers: options.workers ?? 2,
    secondValidation: genres !== undefined,
    ...(log === undefined ? {} : { log }),
  });
  if (options.recsOut !== undefined) {
    const k = options.k ?? 20;
    const lines = ['user,item,rank'];
    forEachRanking(model, train, test, k, (u, ranked) => {
      ranked.forEach((item, r) => {
        lines.push(`${userIds[u]},${itemIds[item]},${r + 1}`);
      });
    });
    writeFileSync(options.recsOut, `${lines.join('\n')}\n`);
  }
  const calibration =
    genres === undefined || secondValidation === undefined
      ? undefined
      : calibrationReport(train, test, model, secondValidation, genres);
  const result: EvalCommandResult = {
    source,
    ...report,
    ...(calibration === undefined ? {} : { calibration }),
    phases: [{ name: 'load and split', ms: loadMs }, ...report.phases],
    totalMs: report.totalMs + loadMs,
    ...(options.dataset === 'ml-latest-small' ? { reference: ML_SMALL_REFERENCE } : {}),
  };
  print(options.json === true ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result));
  if (into !== undefined) await saveReport(into, 'eval', result, reportOptions);
  return result;
}

function loadSplit(options: EvalCommandOptions, seed: number) {
  if (options.dataset !== undefined && (options.train !== undefined || options.test !== undefined)) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      path: options.train !== undefined ? 'train' : 'test',
      message: `Pass either --dataset or --train and --test, not both: --dataset ${options.dataset} makes its own split.`,
    });
  }
  if (options.dataset !== undefined) {
    const split = loadProtocolSplit(options.dataset, seed);
    if (split === undefined) {
      throw new SetlistError('SETLIST_ERR_CONFIG', {
        path: 'dataset',
        message: `Dataset "${options.dataset}" was not found under the data folder: set SETLIST_DATA_DIR or pass --train and --test.`,
      });
    }
    return {
      train: split.train,
      test: split.test,
      userIds: split.userIds,
      itemIds: split.itemIds,
      source: options.dataset,
    };
  }
  if (options.train === undefined || options.test === undefined) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      path: 'train',
      message: 'Pass --train and --test files, or --dataset <name>.',
    });
  }
  const index = createIdIndex();
  const trainRaw = loadInteractionsCsv(options.train, {}, index);
  const testRaw = loadInteractionsCsv(options.test, {}, index);
  const users = index.users.size;
  const items = index.items.size;
  const train = csrFromTriples(users, items, trainRaw.users, trainRaw.items);
  const test = csrFromTriples(users, items, testRaw.users, testRaw.items);
  // Repeated pairs count once: the protocol is binary.
  train.values.fill(1);
  test.values.fill(1);
  return {
    train,
    test,
    userIds: [...index.users.keys()],
    itemIds: [...index.items.keys()],
    source: `${options.train} / ${options.test}`,
  };
}

function formatReport(r: EvalCommandResult): string {
  const out: string[] = [];
  out.push(
    `\nsetlist eval on ${r.source}: ${r.users} users, ${r.items} items, ${r.trainPairs} train and ${r.testPairs} test pairs\n`,
  );
  const header = [
    'model',
    'val NDCG@10',
    'NDCG@10',
    'Recall@20',
    'pop. pct',
    'reference NDCG@10',
    'fit s',
    'params',
  ];
  const rows: string[][] = r.models.map((m) => [
    m.kind,
    m.validation.ndcg10.toFixed(4),
    m.test.ndcg10.toFixed(4),
    m.test.recall20.toFixed(4),
    m.test.popularityPercentile.toFixed(3),
    r.reference?.[m.kind]?.ndcg10.toFixed(3) ?? '-',
    (m.fitMs / 1000).toFixed(2),
    JSON.stringify(m.params),
  ]);
  const weights = Object.entries(r.blend.weights)
    .filter(([, w]) => w !== 0)
    .map(([kind, w]) => `${kind}×${w}`)
    .join(' + ');
  rows.push([
    'blend (default)',
    r.blend.validation.ndcg10.toFixed(4),
    r.blend.test.ndcg10.toFixed(4),
    r.blend.test.recall20.toFixed(4),
    r.blend.test.popularityPercentile.toFixed(3),
    r.reference === undefined ? '-' : `${r.reference.ease?.ndcg10.toFixed(3)} (EASE, to beat)`,
    '-',
    weights,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
  out.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line));
  if (r.calibration !== undefined) out.push(...formatCalibration(r.calibration));
  out.push(
    '',
    `phases: ${r.phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)} s`).join(', ')}; total ${(r.totalMs / 1000).toFixed(1)} s`,
    '',
  );
  return out.join('\n');
}

/**
 * The calibration part of the eval report: the plain and calibrated top 10 at the chosen lambda,
 * then lambda against KL cut and NDCG loss on validation and test.
 *
 * @example
 * print(formatCalibration(result.calibration!).join('\n'));
 */
export function formatCalibration(c: NonNullable<EvalCommandResult['calibration']>): string[] {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const header = ['lambda', 'val KL cut', 'val NDCG loss', 'test KL cut', 'test NDCG loss'];
  const rows = c.testCurve.map((t, i) => {
    const v = c.validationSweep[i]!;
    const mark = t.lambda === c.lambda ? ' <- chosen' : '';
    return [
      t.lambda.toFixed(2),
      pct(v.klReduction),
      pct(v.ndcgLoss),
      pct(t.klReduction),
      `${pct(t.ndcgLoss)}${mark}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [
    '',
    `calibration by genre (Steck 2018): top 10 re-ranked from the top ${CALIBRATION_CANDIDATES}, KL(p‖q̃) with α = 0.01`,
    `  plain top 10: KL ${c.plain.kl.toFixed(4)}, NDCG@10 ${c.plain.ndcg10.toFixed(4)}; ` +
      `calibrated (lambda ${c.lambda.toFixed(2)}): KL ${c.calibrated.kl.toFixed(4)} (${pct(c.klReduction)} less), ` +
      `NDCG@10 ${c.calibrated.ndcg10.toFixed(4)} (${pct(c.ndcgLoss)} loss)`,
    `  lambda chosen on a second validation split: the largest KL cut within ${pct(c.maxNdcgLoss)} NDCG loss there`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
}

/** The NDCG@10 loss the chosen lambda may cost on validation, below the 2% budget on test. */
const CALIBRATION_MAX_LOSS = 0.015;

/**
 * Picks the calibration strength on the second validation split, with the blend refit there, then
 * measures the blend on test. The tuning split would flatter the plain list, which was picked on it.
 */
export function calibrationReport(
  train: Csr,
  test: Csr,
  model: Model,
  second: ValidationFit,
  genres: { itemGroups: number[][]; groupNames: string[] },
): EvalCommandResult['calibration'] {
  const groups = genres.groupNames.length;
  const validationSweep = calibrationSweep(
    second.model,
    second.train,
    second.validation,
    genres.itemGroups,
    groups,
    CALIBRATION_GRID,
  );
  const lambda = chooseCalibrationLambda(validationSweep, CALIBRATION_MAX_LOSS);
  const grid = CALIBRATION_GRID.includes(lambda) ? CALIBRATION_GRID : [lambda, ...CALIBRATION_GRID];
  const testCurve = calibrationSweep(model, train, test, genres.itemGroups, groups, grid);
  return {
    ...testCurve.find((t) => t.lambda === lambda)!,
    maxNdcgLoss: CALIBRATION_MAX_LOSS,
    validationSweep,
    testCurve: testCurve.filter((t) => CALIBRATION_GRID.includes(t.lambda)),
  };
}
