import type { Csr } from './csr.js';
import { EASE_DEFAULT_MAX_ITEMS, easeFromGram, easeGram, easeItems } from './ease.js';
import { fitIals, IALS_DEFAULTS, type IalsParams } from './ials.js';
import { itemKnnFromRanked, itemKnnRanked } from './item-knn.js';
import type { FitResult } from './model.js';
import type { RankedRows } from './neighbour-model.js';
import { fitPopularity } from './popularity.js';
import { rp3betaFromRanked, rp3betaRanked } from './rp3beta.js';

/** Hyper-parameters of one fit, by name; unknown names are ignored and missing ones take defaults. */
export type ModelParams = Readonly<Record<string, number>>;

/** One fit of a grid: its parameters, outcome and time (0 when no clock was given). */
export interface FittedCandidate {
  readonly params: ModelParams;
  readonly result: FitResult;
  readonly fitMs: number;
}

/** A millisecond clock, injected so that core stays free of time sources. */
export type Clock = () => number;

/**
 * Fits a model kind for every parameter set of a grid, sharing the work that a grid can share
 * (one Gram matrix for an EASE λ sweep, one ranking per shrink for kNN and per (α, β) for RP3β).
 * The registry below is the only place that maps kind names to fitting code.
 *
 * @example
 * const [fit] = fitGrid('ease', userItems, [{ lambda: 200 }]);
 */
export function fitGrid(
  kind: string,
  x: Csr,
  grid: readonly ModelParams[],
  clock: Clock = () => 0,
): FittedCandidate[] {
  const fitter = fitters[kind];
  if (fitter === undefined) throw new Error(`unknown model kind "${kind}"`);
  return fitter(x, grid, clock);
}

/** The kinds {@link fitGrid} knows. */
export function fittableKinds(): string[] {
  return Object.keys(fitters);
}

type GridFitter = (x: Csr, grid: readonly ModelParams[], clock: Clock) => FittedCandidate[];

const fitters: Record<string, GridFitter> = {
  popularity: (x, grid, clock) => timed(grid, clock, () => ({ ok: true, model: fitPopularity(x) })),
  ease: (x, grid, clock) => {
    // One Gram matrix per item limit (a grid normally has one limit).
    const grams = new Map<number, { kept: Int32Array; gram: Float64Array }>();
    return timed(grid, clock, (p) => {
      const limit = p.maxItems ?? EASE_DEFAULT_MAX_ITEMS;
      let shared = grams.get(limit);
      if (shared === undefined) {
        const kept = easeItems(x, limit);
        shared = { kept, gram: easeGram(x, kept) };
        grams.set(limit, shared);
      }
      return easeFromGram(shared.gram, shared.kept, x.cols, p.lambda ?? 200);
    });
  },
  'item-knn': (x, grid, clock) => {
    const ranked = new Map<number, RankedRows>();
    return timed(grid, clock, (p) => {
      const params = { k: p.k ?? 100, shrink: p.shrink ?? 10 };
      let rows = ranked.get(params.shrink);
      if (rows === undefined) {
        rows = itemKnnRanked(x, params.shrink, maxOf(grid, 'k', params, p));
        ranked.set(params.shrink, rows);
      }
      return { ok: true, model: itemKnnFromRanked(rows, params) };
    });
  },
  rp3beta: (x, grid, clock) => {
    const ranked = new Map<string, RankedRows>();
    return timed(grid, clock, (p) => {
      const params = { alpha: p.alpha ?? 1, beta: p.beta ?? 0.5, k: p.k ?? 100 };
      const key = `${params.alpha}/${params.beta}`;
      let rows = ranked.get(key);
      if (rows === undefined) {
        rows = rp3betaRanked(x, params.alpha, params.beta, maxOf(grid, 'k', params, p));
        ranked.set(key, rows);
      }
      return { ok: true, model: rp3betaFromRanked(rows, params) };
    });
  },
  ials: (x, grid, clock) =>
    timed(grid, clock, (p) => {
      const params = { ...IALS_DEFAULTS, ...p } as IalsParams;
      return { ok: true, model: fitIals(x, params).model };
    }),
};

/**
 * The largest value of `name` among grid entries that agree with `p` on every other parameter, so
 * one ranking serves all of them.
 */
function maxOf(
  grid: readonly ModelParams[],
  name: string,
  resolved: Record<string, number>,
  p: ModelParams,
): number {
  let max = resolved[name] ?? 0;
  for (const q of grid) {
    const others = Object.keys(resolved).every(
      (key) => key === name || (q[key] ?? resolved[key]) === resolved[key],
    );
    if (others) max = Math.max(max, q[name] ?? 0);
  }
  return Math.max(max, p[name] ?? 0);
}

function timed(
  grid: readonly ModelParams[],
  clock: Clock,
  fit: (p: ModelParams) => FitResult,
): FittedCandidate[] {
  return grid.map((params) => {
    const start = clock();
    const result = fit(params);
    return { params, result, fitMs: clock() - start };
  });
}
