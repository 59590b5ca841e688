import { type Csr, csrTranspose } from './csr.js';
import { bufferOf, type Model, type TransferableModel } from './model.js';
import { createRandom } from './random.js';
import { choleskyInPlace } from './spd-inverse.js';

/**
 * Implicit alternating least squares (Hu, Koren, Volinsky, "Collaborative Filtering for Implicit
 * Feedback Datasets", ICDM 2008), each solve by a few warm-started conjugate-gradient steps
 * (Takács, Pilászy, Tikk, "Applications of the conjugate gradient method for implicit feedback
 * collaborative filtering", RecSys 2011), with the tips of Rendle et al., "Revisiting the
 * Performance of iALS on Item Recommendation Benchmarks" (RecSys 2022): frequency-scaled
 * regularisation and a small initial variance.
 *
 * Loss: Σ_observed c_ui (1 − xᵤ·yᵢ)² + w₀ Σ_unobserved (xᵤ·yᵢ)² + Σ_u λ(1 + ν·nᵤ)‖xᵤ‖² + (same for items),
 * with confidence c_ui = 1 + α·r_ui.
 */
export interface IalsParams {
  readonly factors: number;
  readonly alpha: number;
  readonly lambda: number;
  /** Frequency scaling of the regulariser: λ·(1 + ν·count). */
  readonly nu: number;
  /** Weight of every unobserved pair (w₀). */
  readonly unobservedWeight: number;
  readonly epochs: number;
  /** Conjugate-gradient steps per solve; 0 solves each least-squares problem exactly (Cholesky). */
  readonly cgSteps: number;
  /** Standard deviation of the initial factors. */
  readonly initStd: number;
  readonly seed: number;
}

export const IALS_DEFAULTS: IalsParams = {
  factors: 64,
  alpha: 2,
  lambda: 0.5,
  nu: 1,
  unobservedWeight: 1,
  epochs: 12,
  cgSteps: 3,
  initStd: 0.01,
  seed: 1,
};

export interface IalsModel extends Model {
  readonly factors: number;
  /** Row-major itemCount × factors. */
  readonly itemFactors: Float32Array;
  /** w₀·YᵀY, row-major factors × factors, for fold-in. */
  readonly gram: Float64Array;
  readonly params: IalsParams;
}

/** What a fit returns: the model and the training users' factors (row-major users × factors). */
export interface IalsFit {
  readonly model: IalsModel;
  readonly userFactors: Float32Array;
}

/**
 * Fits iALS on a user×item matrix of interaction strengths r (1 for implicit data).
 *
 * @example
 * const { model } = fitIals(userItems, { ...IALS_DEFAULTS, factors: 32 });
 */
export function fitIals(x: Csr, params: IalsParams, itemsByUser?: Csr): IalsFit {
  // itemsByUser: xᵀ, when the caller already has it.
  const k = params.factors;
  const rng = createRandom(params.seed);
  const users = new Float32Array(x.rows * k);
  const items = new Float32Array(x.cols * k);
  for (let i = 0; i < users.length; i++) users[i] = rng.normal() * params.initStd;
  for (let i = 0; i < items.length; i++) items[i] = rng.normal() * params.initStd;
  const byItem = itemsByUser ?? csrTranspose(x);
  const gram = new Float64Array(k * k);
  const scratch = createSolveScratch(k);
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    // Items first, so the last half-step leaves user vectors that are exact fold-ins of the final items.
    gramInto(users, x.rows, k, params.unobservedWeight, gram);
    solveSide(byItem, users, items, gram, params, scratch);
    gramInto(items, x.cols, k, params.unobservedWeight, gram);
    solveSide(x, items, users, gram, params, scratch);
  }
  gramInto(items, x.cols, k, params.unobservedWeight, gram);
  return { model: createIalsModel(items, x.cols, gram, params), userFactors: users };
}

/**
 * Re-solves one user's vector with the item factors fixed: the exact minimiser of the user's part
 * of the loss, the same solve as training's last half-step (with `cgSteps: 0`).
 *
 * @example
 * const x = foldInUser(model.itemFactors, model.gram, model.params, Int32Array.of(3, 9), Float32Array.of(1, 1));
 */
export function foldInUser(
  itemFactors: Float32Array,
  gram: Float64Array,
  params: IalsParams,
  items: Int32Array,
  weights: Float32Array,
  out: Float32Array = new Float32Array(params.factors),
): Float32Array {
  const scratch = createSolveScratch(params.factors);
  solveExact(itemFactors, gram, params, items, weights, 0, items.length, scratch, out, 0);
  return out;
}

export function createIalsModel(
  itemFactors: Float32Array,
  itemCount: number,
  gram: Float64Array,
  params: IalsParams,
): IalsModel {
  const k = params.factors;
  const user = new Float32Array(k);
  const scratch = createSolveScratch(k);
  return {
    kind: 'ials',
    itemCount,
    capabilities: { incremental: true, needsItemVectors: true, personalised: true },
    factors: k,
    itemFactors,
    gram,
    params,
    scoreHistory(hist, weights, out) {
      const known = knownHistory(hist, weights, itemCount);
      solveExact(
        itemFactors,
        gram,
        params,
        known.items,
        known.weights,
        0,
        known.items.length,
        scratch,
        user,
        0,
      );
      for (let i = 0; i < itemCount; i++) {
        const row = i * k;
        let s = 0;
        for (let f = 0; f < k; f++) s += user[f]! * itemFactors[row + f]!;
        out[i] = s;
      }
    },
    itemVector(item) {
      return itemFactors.subarray(item * k, (item + 1) * k);
    },
    toTransferable(): TransferableModel {
      return {
        meta: { kind: 'ials', itemCount, params: { ...params }, ownBuffers: 2 },
        buffers: [bufferOf(itemFactors), bufferOf(gram)],
      };
    },
  };
}

export function ialsFromTransferable(t: TransferableModel): IalsModel {
  const params = { ...IALS_DEFAULTS, ...t.meta.params } as IalsParams;
  return createIalsModel(
    new Float32Array(t.buffers[0]!),
    t.meta.itemCount,
    new Float64Array(t.buffers[1]!),
    params,
  );
}

/** The history without items the model has no factors for (added to the catalogue after training). */
function knownHistory(
  items: Int32Array,
  weights: Float32Array,
  itemCount: number,
): { items: Int32Array; weights: Float32Array } {
  let unknown = 0;
  for (let h = 0; h < items.length; h++) if (!(items[h]! >= 0 && items[h]! < itemCount)) unknown++;
  if (unknown === 0) return { items, weights };
  const keptItems = new Int32Array(items.length - unknown);
  const keptWeights = new Float32Array(keptItems.length);
  let at = 0;
  for (let h = 0; h < items.length; h++) {
    if (!(items[h]! >= 0 && items[h]! < itemCount)) continue;
    keptItems[at] = items[h]!;
    keptWeights[at] = weights[h]!;
    at++;
  }
  return { items: keptItems, weights: keptWeights };
}

interface SolveScratch {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
  readonly x: Float64Array;
}

function createSolveScratch(k: number): SolveScratch {
  return {
    a: new Float64Array(k * k),
    b: new Float64Array(k),
    r: new Float64Array(k),
    p: new Float64Array(k),
    ap: new Float64Array(k),
    x: new Float64Array(k),
  };
}

/** out = w₀·FᵀF for row-major factors F (rows × k). */
function gramInto(f: Float32Array, rows: number, k: number, w0: number, out: Float64Array): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    for (let a = 0; a < k; a++) {
      const va = f[base + a]!;
      if (va === 0) continue;
      const row = a * k;
      for (let b = a; b < k; b++) out[row + b]! += va * f[base + b]!;
    }
  }
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const v = out[a * k + b]! * w0;
      out[a * k + b] = v;
      out[b * k + a] = v;
    }
  }
}

/** Solves every row of `target` given the fixed `other` factors; rows of `m` index into `other`. */
function solveSide(
  m: Csr,
  other: Float32Array,
  target: Float32Array,
  gram: Float64Array,
  params: IalsParams,
  scratch: SolveScratch,
): void {
  const k = params.factors;
  for (let r = 0; r < m.rows; r++) {
    const start = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    if (params.cgSteps === 0) {
      solveExact(other, gram, params, m.indices, m.values, start, end, scratch, target, r * k);
    } else {
      solveCg(other, gram, params, m.indices, m.values, start, end, scratch, target, r * k);
    }
  }
}

/** Right-hand side b = Σ c_i y_i and regulariser λ(1 + ν·n) for one row. */
function rightHandSide(
  other: Float32Array,
  params: IalsParams,
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  b: Float64Array,
): number {
  const k = params.factors;
  b.fill(0);
  for (let e = start; e < end; e++) {
    const c = 1 + params.alpha * values[e]!;
    const row = indices[e]! * k;
    for (let f = 0; f < k; f++) b[f]! += c * other[row + f]!;
  }
  return params.lambda * (1 + params.nu * (end - start));
}

function solveExact(
  other: Float32Array,
  gram: Float64Array,
  params: IalsParams,
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  s: SolveScratch,
  out: Float32Array,
  at: number,
): void {
  const k = params.factors;
  const { a, b } = s;
  const reg = rightHandSide(other, params, indices, values, start, end, b);
  a.set(gram);
  for (let e = start; e < end; e++) {
    const extra = 1 + params.alpha * values[e]! - params.unobservedWeight;
    const row = indices[e]! * k;
    for (let p = 0; p < k; p++) {
      const v = extra * other[row + p]!;
      const ar = p * k;
      for (let q = 0; q <= p; q++) a[ar + q]! += v * other[row + q]!;
    }
  }
  for (let p = 0; p < k; p++) a[p * k + p]! += reg;
  choleskyInPlace(a, k);
  // Forward then back substitution with L (lower triangle of a).
  const y = s.x;
  for (let p = 0; p < k; p++) {
    let v = b[p]!;
    const ar = p * k;
    for (let q = 0; q < p; q++) v -= a[ar + q]! * y[q]!;
    y[p] = v / a[ar + p]!;
  }
  for (let p = k - 1; p >= 0; p--) {
    let v = y[p]!;
    for (let q = p + 1; q < k; q++) v -= a[q * k + p]! * y[q]!;
    y[p] = v / a[p * k + p]!;
  }
  for (let p = 0; p < k; p++) out[at + p] = y[p]!;
}

function solveCg(
  other: Float32Array,
  gram: Float64Array,
  params: IalsParams,
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  s: SolveScratch,
  out: Float32Array,
  at: number,
): void {
  const k = params.factors;
  const { b, r, p, ap, x } = s;
  const reg = rightHandSide(other, params, indices, values, start, end, b);
  for (let f = 0; f < k; f++) x[f] = out[at + f]!;
  applyA(other, gram, params, indices, values, start, end, reg, x, ap);
  let rr = 0;
  for (let f = 0; f < k; f++) {
    const v = b[f]! - ap[f]!;
    r[f] = v;
    p[f] = v;
    rr += v * v;
  }
  for (let step = 0; step < params.cgSteps && rr > 1e-20; step++) {
    applyA(other, gram, params, indices, values, start, end, reg, p, ap);
    let pap = 0;
    for (let f = 0; f < k; f++) pap += p[f]! * ap[f]!;
    const alpha = rr / pap;
    let rrNew = 0;
    for (let f = 0; f < k; f++) {
      x[f]! += alpha * p[f]!;
      const v = r[f]! - alpha * ap[f]!;
      r[f] = v;
      rrNew += v * v;
    }
    const beta = rrNew / rr;
    for (let f = 0; f < k; f++) p[f] = r[f]! + beta * p[f]!;
    rr = rrNew;
  }
  for (let f = 0; f < k; f++) out[at + f] = x[f]!;
}

/** out = (w₀YᵀY + Σ (c_i − w₀) y_i y_iᵀ + reg·I) v without forming the matrix. */
function applyA(
  other: Float32Array,
  gram: Float64Array,
  params: IalsParams,
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  reg: number,
  v: Float64Array,
  out: Float64Array,
): void {
  const k = params.factors;
  for (let p = 0; p < k; p++) {
    const row = p * k;
    let sum = reg * v[p]!;
    for (let q = 0; q < k; q++) sum += gram[row + q]! * v[q]!;
    out[p] = sum;
  }
  for (let e = start; e < end; e++) {
    const extra = 1 + params.alpha * values[e]! - params.unobservedWeight;
    const row = indices[e]! * k;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += other[row + f]! * v[f]!;
    const scale = extra * dot;
    for (let f = 0; f < k; f++) out[f]! += scale * other[row + f]!;
  }
}
