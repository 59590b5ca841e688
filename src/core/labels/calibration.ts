/**
 * Softmax of `logits / temperature` written into `out` (which may be `logits`), computed stably.
 *
 * @example
 * softmax(Float64Array.of(0, Math.log(3)), 1, new Float64Array(2)); // [0.25, 0.75]
 */
export function softmax(logits: ArrayLike<number>, temperature: number, out: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < logits.length; k++) max = Math.max(max, logits[k]!);
  let sum = 0;
  for (let k = 0; k < logits.length; k++) {
    const e = Math.exp((logits[k]! - max) / temperature);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < logits.length; k++) out[k] = out[k]! / sum;
  return out;
}

/**
 * Mean negative log-likelihood of the true classes under `softmax(logits / temperature)`.
 * `logits` is row-major, `classCount` columns per row.
 */
export function meanNegativeLogLikelihood(
  logits: Float64Array,
  classCount: number,
  truth: Int32Array,
  temperature: number,
): number {
  const n = truth.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * classCount, (i + 1) * classCount);
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < classCount; k++) max = Math.max(max, row[k]!);
    let sum = 0;
    for (let k = 0; k < classCount; k++) sum += Math.exp((row[k]! - max) / temperature);
    total += Math.log(sum) - (row[truth[i]!]! - max) / temperature;
  }
  return n === 0 ? 0 : total / n;
}

/**
 * Temperature scaling (Guo et al. 2017): the one scalar T that minimises the held-out negative
 * log-likelihood of `softmax(logits / T)`, found by golden-section search on ln T (the NLL is convex
 * in 1/T). T > 1 softens an over-confident model. T stays in [0.5, 20]: a held-out set that asks
 * for more sharpening is one the model separates perfectly, too small or too easy to trust.
 *
 * @example
 * const temperature = fitTemperature(heldOutLogits, classCount, heldOutTruth);
 */
export function fitTemperature(logits: Float64Array, classCount: number, truth: Int32Array): number {
  if (truth.length === 0) return 1;
  const loss = (logT: number): number => meanNegativeLogLikelihood(logits, classCount, truth, Math.exp(logT));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(0.5);
  let hi = Math.log(20);
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = loss(a);
  let fb = loss(b);
  for (let iteration = 0; iteration < 60; iteration++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = loss(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = loss(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Expected calibration error: predictions are put in `binCount` equal-width confidence bins, and
 * the gap |accuracy - mean confidence| of each bin is averaged, weighted by the bin's share of all
 * predictions (Naeini et al. 2015; Guo et al. 2017). 0 is perfect calibration.
 *
 * @example
 * expectedCalibrationError(Float64Array.of(0.9, 0.9), Uint8Array.of(1, 0)); // 0.4
 */
export function expectedCalibrationError(
  confidence: ArrayLike<number>,
  correct: ArrayLike<number>,
  binCount = 10,
): number {
  const n = confidence.length;
  if (n === 0) return 0;
  const binConfidence = new Float64Array(binCount);
  const binCorrect = new Float64Array(binCount);
  const binSize = new Float64Array(binCount);
  for (let i = 0; i < n; i++) {
    const c = confidence[i]!;
    // A confidence of exactly 1 belongs to the last bin; each bin is (lower, upper].
    const bin = Math.min(binCount - 1, Math.max(0, Math.ceil(c * binCount) - 1));
    binConfidence[bin]! += c;
    binCorrect[bin]! += correct[i]! ? 1 : 0;
    binSize[bin]! += 1;
  }
  let ece = 0;
  for (let b = 0; b < binCount; b++) {
    if (binSize[b] === 0) continue;
    ece += Math.abs(binCorrect[b]! - binConfidence[b]!) / n;
  }
  return ece;
}
