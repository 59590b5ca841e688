import { type BlendCase, createBlendModel, learnBlendWeights, standardise } from '../core/blend.js';
import { type Csr, csrRow } from '../core/csr.js';
import type { Model } from '../core/model.js';
import type { FittedCandidate, ModelParams } from '../core/model-fitters.js';
import { createRandom } from '../core/random.js';
import { createTrainerPool, type TrainerPool, type TrainJob } from '../engine/trainer.js';
import { evaluateModel, type Metrics } from './evaluate.js';
import { splitPerUser } from './protocol.js';

/**
 * The evaluation pipeline: carve a validation split out of train (same per-user protocol), fit
 * every candidate of each model's search space on it in worker threads, keep the best by
 * validation NDCG@10, learn blend weights on validation, refit the winners on all of train, and
 * report every model and the blend on test. Test is touched once, at the end.
 */
export interface SearchSpace {
  readonly kind: string;
  /** Parameter sets, grouped into jobs: a job is one unit of work for a worker and shares work inside. */
  readonly jobs: readonly (readonly ModelParams[])[];
  /** When the best value of `param` is at the edge of the grid, try one more step of ×/÷ `factor`. */
  readonly extend?: { readonly param: string; readonly factor: number };
}

const grid = (axes: Record<string, readonly number[]>): ModelParams[] => {
  let out: ModelParams[] = [{}];
  for (const [name, values] of Object.entries(axes)) {
    out = out.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return out;
};

/** The default search spaces: small grids, the slowest jobs first. */
export const DEFAULT_SEARCH: readonly SearchSpace[] = [
  {
    kind: 'ease',
    jobs: [[{ lambda: 50 }], [{ lambda: 200 }], [{ lambda: 800 }]],
    extend: { param: 'lambda', factor: 4 },
  },
  { kind: 'ials', jobs: [grid({ factors: [64], alpha: [1, 4], lambda: [0.1, 0.5], epochs: [8] })] },
  { kind: 'rp3beta', jobs: [grid({ alpha: [0.5, 0.75, 1], beta: [0.3, 0.5, 0.7], k: [100] })] },
  { kind: 'item-knn', jobs: [grid({ k: [25, 50, 100, 200], shrink: [0, 20] })] },
  { kind: 'popularity', jobs: [[{}]] },
];

/**
 * The default {@link PipelineOptions.tuningScores}: 2²⁴ scores, 64 MiB of Float32 per blend member.
 * Every validation user takes part while users × items stays below it (ml-latest-small: 601 × 2,810
 * = 1.7M); at 20,000 items, 838 users do. See docs/guides/benchmarks.md.
 */
export const TUNING_SCORES = 2 ** 24;

export interface PipelineOptions {
  readonly seed: number;
  /** Worker threads for training (0 trains inline). */
  readonly workers: number;
  readonly search: readonly SearchSpace[];
  readonly validationFraction: number;
  /**
   * Scores one model may compute per tuning pass: candidates are ranked, and blend weights learned,
   * on at most `tuningScores / items` validation users (a seeded sample), which bounds the time of
   * tuning and the memory of the blend's cases (members × users × items scores) on large catalogues.
   */
  readonly tuningScores: number;
  /**
   * Also refit the blend, with the tuned parameters and weights, on a second validation split
   * (seed + 2), for choices that the tuning split would flatter: its plain ranking was picked there.
   */
  readonly secondValidation?: boolean;
  readonly log?: (line: string) => void;
}

export const PIPELINE_DEFAULTS: PipelineOptions = {
  seed: 42,
  workers: 2,
  search: DEFAULT_SEARCH,
  validationFraction: 0.2,
  tuningScores: TUNING_SCORES,
};

export interface ModelReport {
  readonly kind: string;
  readonly params: ModelParams;
  readonly validation: Metrics;
  readonly test: Metrics;
  /** Time to fit the final model on all of train. */
  readonly fitMs: number;
  readonly candidates: number;
}

export interface PipelineReport {
  readonly users: number;
  readonly items: number;
  readonly trainPairs: number;
  readonly testPairs: number;
  readonly models: readonly ModelReport[];
  /** The default model (the blend) on validation and test, with its member weights. */
  readonly blend: {
    readonly weights: Record<string, number>;
    readonly validation: Metrics;
    readonly test: Metrics;
  };
  readonly phases: readonly { readonly name: string; readonly ms: number }[];
  readonly totalMs: number;
}

interface Best {
  readonly kind: string;
  params: ModelParams;
  model: Model;
  validation: Metrics;
  candidates: number;
}

/** The blend fitted on the train part of a validation split, with that split. */
export interface ValidationFit {
  readonly model: Model;
  readonly train: Csr;
  readonly validation: Csr;
}

export interface PipelineResult {
  readonly report: PipelineReport;
  /** The default model: the blend refit on all of train. */
  readonly model: Model;
  /** The blend on the split it was tuned on. */
  readonly validationModel: Model;
  /** With `secondValidation`: the blend refit on a second, fresh validation split. */
  readonly secondValidation?: ValidationFit;
}

/**
 * Runs the pipeline; returns the report and the default model (the blend refit on all of train).
 *
 * @example
 * const { report, model } = await runPipeline(split.train, split.test);
 */
export async function runPipeline(
  train: Csr,
  test: Csr,
  options: Partial<PipelineOptions> = {},
): Promise<PipelineResult> {
  const opts = { ...PIPELINE_DEFAULTS, ...options };
  const log = opts.log ?? (() => {});
  const phases: { name: string; ms: number }[] = [];
  const started = performance.now();
  let mark = started;
  const phase = (name: string): void => {
    const now = performance.now();
    phases.push({ name, ms: now - mark });
    log(`${name}: ${((now - mark) / 1000).toFixed(1)} s`);
    mark = now;
  };

  const pool = createTrainerPool({ workers: opts.workers });
  try {
    return await pipeline(train, test, opts, pool, phase, { started, phases });
  } finally {
    await pool.close();
  }
}

async function pipeline(
  train: Csr,
  test: Csr,
  opts: PipelineOptions,
  pool: TrainerPool,
  phase: (name: string) => void,
  timing: { readonly started: number; readonly phases: readonly { name: string; ms: number }[] },
): Promise<PipelineResult> {
  const split = splitPerUser(train, opts.validationFraction, opts.seed + 1);
  const fitPart = split.train;
  const validation = sampleUsers(
    split.test,
    Math.floor(opts.tuningScores / Math.max(1, train.cols)),
    opts.seed + 3,
  );
  // Each kind's final fit on all of train starts as soon as its tuning is over.
  const finals = new Map<string, Promise<FittedCandidate[]>>();
  const best = await tune(fitPart, validation, opts, pool, (winner) => {
    finals.set(
      winner.kind,
      pool.train(train, [{ kind: winner.kind, grid: [winner.params] }], { first: true })[0]!,
    );
  });
  phase('tune on validation');

  const members = [...best.values()];
  const cases = blendCases(members, fitPart, validation);
  const learned = learnBlendWeights(cases, members.length);
  // The blend of the members fitted on the validation split's train part, for choices made on validation.
  const validationModel = createBlendModel(
    members.map((m) => m.model),
    learned.weights,
  );
  const validationBlend = evaluateModel(validationModel, fitPart, validation);
  const second =
    opts.secondValidation === true ? secondSplit(train, opts, pool, members, learned.weights) : undefined;
  phase('learn blend weights');

  const finalModels: Model[] = [];
  const fitMs: number[] = [];
  for (const m of members) {
    const c = (await finals.get(m.kind)!)[0]!;
    if (!c.result.ok) throw new Error(`refitting ${m.kind} failed: ${c.result.issue}`);
    finalModels.push(c.result.model);
    fitMs.push(c.fitMs);
  }
  phase('fit on train (rest)');

  const blendModel = createBlendModel(finalModels, learned.weights);
  const models: ModelReport[] = members.map((m, i) => ({
    kind: m.kind,
    params: m.params,
    validation: m.validation,
    test: evaluateModel(finalModels[i]!, train, test),
    fitMs: fitMs[i]!,
    candidates: m.candidates,
  }));
  const testBlend = evaluateModel(blendModel, train, test);
  phase('rank test users');
  const secondValidation = second === undefined ? undefined : await second;
  if (secondValidation !== undefined) phase('fit on a second validation split');

  let trainPairs = 0;
  for (let u = 0; u < train.rows; u++) trainPairs += csrRow(train, u).indices.length;
  const report: PipelineReport = {
    users: train.rows,
    items: train.cols,
    trainPairs,
    testPairs: test.indices.length,
    models,
    blend: {
      weights: Object.fromEntries(members.map((m, i) => [m.kind, learned.weights[i]!])),
      validation: validationBlend,
      test: testBlend,
    },
    phases: [...timing.phases],
    totalMs: performance.now() - timing.started,
  };
  return {
    report,
    model: blendModel,
    validationModel,
    ...(secondValidation === undefined ? {} : { secondValidation }),
  };
}

/** Refits the blend's members (those with a weight) on a fresh validation split, in the pool. */
async function secondSplit(
  train: Csr,
  opts: PipelineOptions,
  pool: TrainerPool,
  members: readonly Best[],
  weights: Float64Array,
): Promise<ValidationFit> {
  const split = splitPerUser(train, opts.validationFraction, opts.seed + 2);
  const kept = members.map((_, i) => i).filter((i) => weights[i] !== 0);
  const fits = await Promise.all(
    pool.train(
      split.train,
      kept.map((i) => ({ kind: members[i]!.kind, grid: [members[i]!.params] })),
    ),
  );
  const models = fits.map((f, j) => {
    const c = f[0]!;
    if (!c.result.ok) throw new Error(`refitting ${members[kept[j]!]!.kind} failed: ${c.result.issue}`);
    return c.result.model;
  });
  const model = createBlendModel(
    models,
    Float64Array.from(kept, (i) => weights[i]!),
  );
  return { model, train: split.train, validation: split.test };
}

/** Fits every candidate on `fitPart` and keeps the best of each kind by validation NDCG@10. */
async function tune(
  fitPart: Csr,
  validation: Csr,
  opts: PipelineOptions,
  pool: TrainerPool,
  onKindDone: (winner: Best) => void,
): Promise<Map<string, Best>> {
  const log = opts.log ?? (() => {});
  const best = new Map<string, Best>();
  const consider = (kind: string, candidates: readonly FittedCandidate[]): void => {
    for (const c of candidates) {
      if (!c.result.ok) {
        log(`  ${kind} ${JSON.stringify(c.params)}: ${c.result.issue}`);
        continue;
      }
      const metrics = evaluateModel(c.result.model, fitPart, validation);
      log(
        `  ${kind} ${JSON.stringify(c.params)}: validation NDCG@10 ${metrics.ndcg10.toFixed(4)} (fit ${(c.fitMs / 1000).toFixed(1)} s)`,
      );
      const current = best.get(kind);
      if (current === undefined) {
        best.set(kind, { kind, params: c.params, model: c.result.model, validation: metrics, candidates: 1 });
      } else {
        current.candidates++;
        if (metrics.ndcg10 > current.validation.ndcg10) {
          current.params = c.params;
          current.model = c.result.model;
          current.validation = metrics;
        }
      }
    }
  };
  const jobs: { space: SearchSpace; job: TrainJob }[] = [];
  for (const space of opts.search) {
    for (const g of space.jobs) jobs.push({ space, job: { kind: space.kind, grid: g } });
  }
  const pending = pool.train(
    fitPart,
    jobs.map((j) => j.job),
  );
  const extensions: Promise<void>[] = [];
  const remaining = new Map<SearchSpace, number>();
  for (const j of jobs) remaining.set(j.space, (remaining.get(j.space) ?? 0) + 1);
  await Promise.all(
    pending.map(async (promise, i) => {
      const { space } = jobs[i]!;
      consider(space.kind, await promise);
      const left = remaining.get(space)! - 1;
      remaining.set(space, left);
      if (left > 0) return;
      const done = (): void => {
        const winner = best.get(space.kind);
        if (winner !== undefined) onKindDone(winner);
      };
      if (space.extend === undefined) done();
      else extensions.push(extend(space, fitPart, pool, best, consider).then(done));
    }),
  );
  await Promise.all(extensions);
  return best;
}

/** One more step along `extend.param` when the best value sits at the edge of the searched grid. */
async function extend(
  space: SearchSpace,
  fitPart: Csr,
  pool: TrainerPool,
  best: Map<string, Best>,
  consider: (kind: string, candidates: readonly FittedCandidate[]) => void,
): Promise<void> {
  const rule = space.extend!;
  const winner = best.get(space.kind);
  if (winner === undefined) return;
  const values = space.jobs.flat().map((p) => p[rule.param] ?? Number.NaN);
  const value = winner.params[rule.param];
  if (value === undefined) return;
  const next =
    value === Math.min(...values)
      ? value / rule.factor
      : value === Math.max(...values)
        ? value * rule.factor
        : undefined;
  if (next === undefined) return;
  const [job] = pool.train(fitPart, [{ kind: space.kind, grid: [{ ...winner.params, [rule.param]: next }] }]);
  consider(space.kind, await job!);
}

/**
 * `heldOut` with the rows of all but a seeded sample of `maxUsers` of its users (those with held
 * items) emptied; itself when it has no more than that.
 */
export function sampleUsers(heldOut: Csr, maxUsers: number, seed: number): Csr {
  const users: number[] = [];
  for (let u = 0; u < heldOut.rows; u++) if (heldOut.indptr[u + 1]! > heldOut.indptr[u]!) users.push(u);
  if (users.length <= maxUsers) return heldOut;
  const kept = new Uint8Array(heldOut.rows);
  for (const u of createRandom(seed).shuffle(users).slice(0, Math.max(1, maxUsers))) kept[u] = 1;
  const indptr = new Int32Array(heldOut.rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < heldOut.rows; u++) {
    if (kept[u] === 1) {
      for (let e = heldOut.indptr[u]!; e < heldOut.indptr[u + 1]!; e++) {
        indices.push(heldOut.indices[e]!);
        values.push(heldOut.values[e]!);
      }
    }
    indptr[u + 1] = indices.length;
  }
  return {
    rows: heldOut.rows,
    cols: heldOut.cols,
    indptr,
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  };
}

/** Per validation user, each member's standardised scores, for learning blend weights. */
function blendCases(members: readonly Best[], fitPart: Csr, validation: Csr): BlendCase[] {
  const cases: BlendCase[] = [];
  for (let u = 0; u < validation.rows; u++) {
    const held = csrRow(validation, u).indices;
    if (held.length === 0) continue;
    const row = csrRow(fitPart, u);
    const memberScores = members.map((m) => {
      const scores = new Float32Array(m.model.itemCount);
      m.model.scoreHistory(row.indices, row.values, scores);
      standardise(scores);
      return scores;
    });
    cases.push({ memberScores, exclude: row.indices, relevant: new Set(held) });
  }
  return cases;
}
