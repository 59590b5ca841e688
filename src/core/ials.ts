import { type Csr, csrTranspose } from './csr.js';
import { arrayOf, bufferOf, type Model, type ModelMeta, type TransferableModel } from './model.js';
import { createRandom } from './random.js';
import { choleskyInPlace } from './spd-inverse.js';
import { symmetricEigen } from './symmetric-eigen.js';

/**
 * Implicit alternating least squares (Hu, Koren, Volinsky, "Collaborative Filtering for Implicit
 * Feedback Datasets", ICDM 2008), each solve by a few warm-started conjugate-gradient steps
 * (Takács, Pilászy, Tikk, "Applications of the conjugate gradient method for implicit feedback
 * collaborative filtering", RecSys 2011), with the tips of Rendle et al., "Revisiting the
 * Performance of iALS on Item Recommendation Benchmarks" (RecSys 2022): frequency-scaled
 * regularisation and a small initial variance. Each half-step first turns both factor tables into the
 * eigenbasis of the fixed side's Gram matrix (an orthogonal change of basis: every inner product, so
 * the loss, is unchanged), where that matrix is diagonal: a CG step then costs O(k) for the Gram term
 * instead of O(k²), and the fitted factors are simply expressed in the last basis.
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
  const { users, items } = initialIalsFactors(x.rows, x.cols, params);
  const byItem = itemsByUser ?? csrTranspose(x);
  const gram = new Float64Array(k * k);
  const scratch = createSolveScratch(k);
  const halfStep = (
    m: Csr,
    other: Float32Array,
    otherRows: number,
    target: Float32Array,
    targetRows: number,
  ) => {
    gramInto(other, otherRows, k, params.unobservedWeight, gram);
    const basis = ialsEigenBasis(gram, k);
    rotateIalsRows(other, 0, otherRows, k, basis.vectors);
    rotateIalsRows(target, 0, targetRows, k, basis.vectors);
    solveSide(m, other, target, basis.values, params, scratch);
  };
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    // Items first, so the last half-step leaves user vectors that are exact fold-ins of the final items.
    halfStep(byItem, users, x.rows, items, x.cols);
    halfStep(x, items, x.cols, users, x.rows);
  }
  gramInto(items, x.cols, k, params.unobservedWeight, gram);
  return { model: createIalsModel(items, x.cols, gram, params), userFactors: users };
}

/**
 * The seeded starting factors of a fit (users first, then items, from one random stream), into
 * `users`/`items` when given (e.g. views of shared memory for a parallel fit).
 *
 * @example
 * const { users, items } = initialIalsFactors(1_000, 500, IALS_DEFAULTS);
 */
export function initialIalsFactors(
  userCount: number,
  itemCount: number,
  params: IalsParams,
  users: Float32Array = new Float32Array(userCount * params.factors),
  items: Float32Array = new Float32Array(itemCount * params.factors),
): { users: Float32Array; items: Float32Array } {
  const rng = createRandom(params.seed);
  for (let i = 0; i < users.length; i++) users[i] = rng.normal() * params.initStd;
  for (let i = 0; i < items.length; i++) items[i] = rng.normal() * params.initStd;
  return { users, items };
}

/**
 * Adds FᵀF over rows [start, end) of row-major factors F into the upper triangle of `out` (k × k),
 * unscaled: the per-thread part of the Gram matrix; {@link finishIalsGram} completes the sum.
 *
 * @example
 * ialsGramPart(users, 0, userCount, 64, partial);
 */
export function ialsGramPart(
  f: Float32Array,
  start: number,
  end: number,
  k: number,
  out: Float64Array,
): void {
  let r = start;
  // Four factor rows per sweep: each out[a][b] is loaded and stored once per four products.
  for (; r + 4 <= end; r += 4) {
    const b0 = r * k;
    const b1 = b0 + k;
    const b2 = b1 + k;
    const b3 = b2 + k;
    for (let a = 0; a < k; a++) {
      const v0 = f[b0 + a]!;
      const v1 = f[b1 + a]!;
      const v2 = f[b2 + a]!;
      const v3 = f[b3 + a]!;
      const row = a * k;
      for (let b = a; b < k; b++) {
        out[row + b]! += v0 * f[b0 + b]! + v1 * f[b1 + b]! + v2 * f[b2 + b]! + v3 * f[b3 + b]!;
      }
    }
  }
  for (; r < end; r++) {
    const base = r * k;
    for (let a = 0; a < k; a++) {
      const va = f[base + a]!;
      if (va === 0) continue;
      const row = a * k;
      for (let b = a; b < k; b++) out[row + b]! += va * f[base + b]!;
    }
  }
}

/**
 * Sums upper-triangle parts into `out` as the full symmetric w₀·FᵀF.
 *
 * @example
 * finishIalsGram([partA, partB], 64, params.unobservedWeight, gram);
 */
export function finishIalsGram(
  parts: readonly Float64Array[],
  k: number,
  w0: number,
  out: Float64Array,
): void {
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let v = 0;
      for (const part of parts) v += part[a * k + b]!;
      v *= w0;
      out[a * k + b] = v;
      out[b * k + a] = v;
    }
  }
}

/**
 * The eigenbasis of a half-step's Gram matrix: `values` is the diagonal the Gram matrix becomes,
 * `vectors` (row j the j-th unit eigenvector) the rotation {@link rotateIalsRows} applies.
 *
 * @example
 * const { values, vectors } = ialsEigenBasis(gram, 64);
 */
export function ialsEigenBasis(
  gram: Float64Array,
  k: number,
): { values: Float64Array; vectors: Float64Array } {
  return symmetricEigen(gram, k);
}

/**
 * Rewrites rows [start, end) of row-major factors F (k columns) in the basis whose unit vectors are
 * the rows of `vectors`: f ← V·f. Two rows against four basis vectors at a time, so each value
 * loaded feeds two or four multiply-adds.
 *
 * @example
 * rotateIalsRows(userFactors, 0, userCount, 64, basis.vectors);
 */
export function rotateIalsRows(
  f: Float32Array,
  start: number,
  end: number,
  k: number,
  vectors: Float64Array,
  scratch: Float64Array = new Float64Array(2 * k),
): void {
  let r = start;
  for (; r < end; r += 2) {
    const pair = r + 1 < end;
    const b0 = r * k;
    const b1 = pair ? b0 + k : b0;
    for (let a = 0; a < k; a++) {
      scratch[a] = f[b0 + a]!;
      scratch[k + a] = f[b1 + a]!;
    }
    let j = 0;
    for (; j + 4 <= k; j += 4) {
      const v0 = j * k;
      const v1 = v0 + k;
      const v2 = v1 + k;
      const v3 = v2 + k;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let a = 0; a < k; a++) {
        const x0 = scratch[a]!;
        const x1 = scratch[k + a]!;
        const q0 = vectors[v0 + a]!;
        const q1 = vectors[v1 + a]!;
        const q2 = vectors[v2 + a]!;
        const q3 = vectors[v3 + a]!;
        s00 += q0 * x0;
        s01 += q1 * x0;
        s02 += q2 * x0;
        s03 += q3 * x0;
        s10 += q0 * x1;
        s11 += q1 * x1;
        s12 += q2 * x1;
        s13 += q3 * x1;
      }
      f[b0 + j] = s00;
      f[b0 + j + 1] = s01;
      f[b0 + j + 2] = s02;
      f[b0 + j + 3] = s03;
      if (pair) {
        f[b1 + j] = s10;
        f[b1 + j + 1] = s11;
        f[b1 + j + 2] = s12;
        f[b1 + j + 3] = s13;
      }
    }
    for (; j < k; j++) {
      let s0 = 0;
      let s1 = 0;
      for (let a = 0; a < k; a++) {
        s0 += vectors[j * k + a]! * scratch[a]!;
        s1 += vectors[j * k + a]! * scratch[k + a]!;
      }
      f[b0 + j] = s0;
      if (pair) f[b1 + j] = s1;
    }
  }
}

/**
 * Solves rows [start, end) of `target` given the fixed `other` factors and w₀·OᵀO (`gram`: k×k, or
 * its k diagonal values once both sides are in its eigenbasis); rows of `m` index into `other`. Rows are independent, so threads may solve disjoint ranges of one side.
 *
 * @example
 * solveIalsRows(itemsByUser, userFactors, itemFactors, gram, params, 0, itemCount);
 */
export function solveIalsRows(
  m: Csr,
  other: Float32Array,
  target: Float32Array,
  gram: Float64Array,
  params: IalsParams,
  start: number,
  end: number,
): void {
  solveSide(m, other, target, gram, params, createSolveScratch(params.factors), start, end);
}

/**
 * Splits rows [0, rows) into `parts` contiguous ranges of about equal solve cost (k² per row plus
 * 2k per nonzero per CG step), so threads finish together on skewed data. Returns parts + 1 bounds.
 *
 * @example
 * const bounds = ialsRowSplits(x.indptr, 2, 64); // rows bounds[0]..bounds[1] and bounds[1]..bounds[2]
 */
export function ialsRowSplits(indptr: Int32Array, parts: number, k: number): Int32Array {
  const rows = indptr.length - 1;
  const cost = (r: number): number => k * r + 2 * indptr[r]!;
  const total = cost(rows);
  const bounds = new Int32Array(parts + 1);
  let r = 0;
  for (let p = 1; p < parts; p++) {
    const goal = (total * p) / parts;
    while (r < rows && cost(r) < goal) r++;
    bounds[p] = r;
  }
  bounds[parts] = rows;
  return bounds;
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
  const userVector = (hist: Int32Array, weights: Float32Array, out: Float32Array): Float32Array => {
    const known = knownHistory(hist, weights, itemCount);
    solveExact(itemFactors, gram, params, known.items, known.weights, 0, known.items.length, scratch, out, 0);
    return out;
  };
  return {
    kind: 'ials',
    itemCount,
    capabilities: { incremental: true, needsItemVectors: true, personalised: true },
    factors: k,
    itemFactors,
    gram,
    params,
    userVector,
    scoreHistory(hist, weights, out) {
      userVector(hist, weights, user);
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
        meta: ialsModelMeta(itemCount, params),
        buffers: [bufferOf(itemFactors), bufferOf(gram)],
      };
    },
  };
}

/**
 * The serialised meta of an iALS model over `itemCount` items; its two buffers are the item factors
 * (itemCount × factors float32) and the Gram matrix (factors × factors float64).
 *
 * @example
 * const meta = ialsModelMeta(1_000, IALS_DEFAULTS);
 */
export function ialsModelMeta(itemCount: number, params: IalsParams): ModelMeta {
  return { kind: 'ials', itemCount, params: { ...params }, ownBuffers: 2 };
}

export function ialsFromTransferable(t: TransferableModel): IalsModel {
  const params = { ...IALS_DEFAULTS, ...t.meta.params } as IalsParams;
  return createIalsModel(
    arrayOf(Float32Array, t.buffers[0]!),
    t.meta.itemCount,
    arrayOf(Float64Array, t.buffers[1]!),
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
  ialsGramPart(f, 0, rows, k, out);
  finishIalsGram([out], k, w0, out);
}

/** Solves every row of `target` given the fixed `other` factors; rows of `m` index into `other`. */
function solveSide(
  m: Csr,
  other: Float32Array,
  target: Float32Array,
  gram: Float64Array,
  params: IalsParams,
  scratch: SolveScratch,
  from = 0,
  to = m.rows,
): void {
  const k = params.factors;
  for (let r = from; r < to; r++) {
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
  if (gram.length === k * k) a.set(gram);
  else {
    a.fill(0);
    for (let p = 0; p < k; p++) a[p * k + p] = gram[p]!;
  }
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
  const { r, p, ap, x } = s;
  const w0 = params.unobservedWeight;
  const alphaC = params.alpha;
  const reg = params.lambda * (1 + params.nu * (end - start));
  for (let f = 0; f < k; f++) x[f] = out[at + f]!;
  // r = b − A·x in one pass over the row: b = Σ c_i y_i, A·x = (w₀YᵀY + reg·I)x + Σ (c_i − w₀)(y_i·x) y_i.
  gramTimes(gram, k, reg, x, r);
  for (let q = 0; q < k; q++) r[q] = -r[q]!;
  // Per observed i: r += (c_i − (c_i − w₀)·(y_i·x))·y_i.
  addObserved(other, k, indices, values, start, end, alphaC, 1, 1 - w0, x, r, -1);
  let rr = 0;
  for (let f = 0; f < k; f++) {
    p[f] = r[f]!;
    rr += r[f]! * r[f]!;
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
  gramTimes(gram, k, reg, v, out);
  // Per observed i: out += (c_i − w₀)·(y_i·v)·y_i.
  addObserved(other, k, indices, values, start, end, params.alpha, 0, 1 - params.unobservedWeight, v, out, 1);
}

/**
 * For each observed entry e in [start, end) with other-side row y = other[indices[e]] and
 * confidence c = 1 + alpha·values[e]: out += (base·c + dotScale·(c + extra)·(y·v))·y, with
 * base 0 or 1 and dotScale ±1. Four entries at a time: each out[f] and v[f] is loaded once per four rows.
 */
function addObserved(
  other: Float32Array,
  k: number,
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  alpha: number,
  base: number,
  extra: number,
  v: Float64Array,
  out: Float64Array,
  dotScale: number,
): void {
  let e = start;
  for (; e + 4 <= end; e += 4) {
    const c0 = 1 + alpha * values[e]!;
    const c1 = 1 + alpha * values[e + 1]!;
    const c2 = 1 + alpha * values[e + 2]!;
    const c3 = 1 + alpha * values[e + 3]!;
    const r0 = indices[e]! * k;
    const r1 = indices[e + 1]! * k;
    const r2 = indices[e + 2]! * k;
    const r3 = indices[e + 3]! * k;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let f = 0; f < k; f++) {
      const x = v[f]!;
      d0 += other[r0 + f]! * x;
      d1 += other[r1 + f]! * x;
      d2 += other[r2 + f]! * x;
      d3 += other[r3 + f]! * x;
    }
    const s0 = base * c0 + dotScale * (c0 + extra - 1) * d0;
    const s1 = base * c1 + dotScale * (c1 + extra - 1) * d1;
    const s2 = base * c2 + dotScale * (c2 + extra - 1) * d2;
    const s3 = base * c3 + dotScale * (c3 + extra - 1) * d3;
    for (let f = 0; f < k; f++) {
      out[f]! += s0 * other[r0 + f]! + s1 * other[r1 + f]! + s2 * other[r2 + f]! + s3 * other[r3 + f]!;
    }
  }
  for (; e < end; e++) {
    const c = 1 + alpha * values[e]!;
    const row = indices[e]! * k;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += other[row + f]! * v[f]!;
    const scale = base * c + dotScale * (c + extra - 1) * dot;
    for (let f = 0; f < k; f++) out[f]! += scale * other[row + f]!;
  }
}

/**
 * out = (gram + reg·I)·v; a diagonal gram (k values, in its eigenbasis) costs O(k), a full one four
 * rows at a time, so each v[f] is loaded once per four products.
 */
function gramTimes(gram: Float64Array, k: number, reg: number, v: Float64Array, out: Float64Array): void {
  if (gram.length === k) {
    for (let q = 0; q < k; q++) out[q] = (gram[q]! + reg) * v[q]!;
    return;
  }
  let q = 0;
  for (; q + 4 <= k; q += 4) {
    const r0 = q * k;
    const r1 = r0 + k;
    const r2 = r1 + k;
    const r3 = r2 + k;
    let s0 = reg * v[q]!;
    let s1 = reg * v[q + 1]!;
    let s2 = reg * v[q + 2]!;
    let s3 = reg * v[q + 3]!;
    for (let f = 0; f < k; f++) {
      const x = v[f]!;
      s0 += gram[r0 + f]! * x;
      s1 += gram[r1 + f]! * x;
      s2 += gram[r2 + f]! * x;
      s3 += gram[r3 + f]! * x;
    }
    out[q] = s0;
    out[q + 1] = s1;
    out[q + 2] = s2;
    out[q + 3] = s3;
  }
  for (; q < k; q++) {
    const row = q * k;
    let sum = reg * v[q]!;
    for (let f = 0; f < k; f++) sum += gram[row + f]! * v[f]!;
    out[q] = sum;
  }
}
