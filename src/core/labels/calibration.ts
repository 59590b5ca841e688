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

/**
 * A monotone map from a model's top confidence to the accuracy it has on held-out items: knots
 * `(confidence[j], accuracy[j])`, both increasing, joined by straight lines and anchored at (0, 0)
 * and (1, 1). No knots is the identity.
 */
export interface ConfidenceMap {
  confidence: number[];
  accuracy: number[];
}

export const identityConfidenceMap: ConfidenceMap = { confidence: [], accuracy: [] };

/**
 * Fits a {@link ConfidenceMap} by isotonic regression (pool adjacent violators, Zadrozny and Elkan
 * 2002) on held-out top confidences and whether they were right. The items, sorted by confidence,
 * start in blocks of at least `minBlockItems` (histogram binning), so one lucky block cannot make a
 * step; violating neighbours are pooled until block accuracies strictly increase. Each block is a
 * knot at its mean confidence and accuracy, and the map interpolates linearly between knots, so it
 * stays strictly increasing and keeps the model's ranking of items.
 *
 * @example
 * const map = fitConfidenceMap(heldOutConfidence, heldOutCorrect);
 * mapConfidence(map, 0.97); // 0.91 for a model that is right 91% of the time at 0.97
 */
export function fitConfidenceMap(
  confidence: ArrayLike<number>,
  correct: ArrayLike<number>,
  minBlockItems = Math.max(20, Math.ceil(confidence.length / 30)),
): ConfidenceMap {
  const n = confidence.length;
  if (n < 2 * minBlockItems) return identityConfidenceMap;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[a]! - confidence[b]!);
  const blocks: { size: number; confidence: number; correct: number }[] = [];
  const blockCount = Math.floor(n / minBlockItems);
  for (let b = 0; b < blockCount; b++) {
    const end = Math.round(((b + 1) * n) / blockCount);
    const block = { size: 0, confidence: 0, correct: 0 };
    for (let o = Math.round((b * n) / blockCount); o < end; o++) {
      block.size++;
      block.confidence += confidence[order[o]!]!;
      block.correct += correct[order[o]!]! ? 1 : 0;
    }
    blocks.push(block);
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const previous = blocks[blocks.length - 2]!;
      if (previous.correct / previous.size < last.correct / last.size) break;
      blocks.pop();
      previous.size += last.size;
      previous.confidence += last.confidence;
      previous.correct += last.correct;
    }
  }
  return {
    confidence: blocks.map((b) => b.confidence / b.size),
    accuracy: blocks.map((b) => b.correct / b.size),
  };
}

/** The calibrated value of one top confidence under `map`. */
export function mapConfidence(map: ConfidenceMap, confidence: number): number {
  const { confidence: xs, accuracy: ys } = map;
  let x0 = 0;
  let y0 = 0;
  for (let j = 0; j <= xs.length; j++) {
    const x1 = j < xs.length ? xs[j]! : 1;
    const y1 = j < xs.length ? ys[j]! : 1;
    if (confidence <= x1 || j === xs.length) {
      return x1 > x0 ? y0 + ((y1 - y0) * (Math.min(confidence, x1) - x0)) / (x1 - x0) : y1;
    }
    x0 = x1;
    y0 = y1;
  }
  return confidence;
}

/**
 * Replaces the top probability of `probabilities` (in place) by its {@link mapConfidence} value and
 * rescales the others to share the rest, never so far that one of them overtakes the top label.
 *
 * @example
 * calibrateTopProbability(map, softmax(logits, temperature, out));
 */
export function calibrateTopProbability(map: ConfidenceMap, probabilities: Float64Array): Float64Array {
  const K = probabilities.length;
  if (map.confidence.length === 0 || K < 2) return probabilities;
  let top = 0;
  for (let k = 1; k < K; k++) if (probabilities[k]! > probabilities[top]!) top = k;
  let second = 0;
  for (let k = 0; k < K; k++) if (k !== top) second = Math.max(second, probabilities[k]!);
  const p = probabilities[top]!;
  const rest = 1 - p;
  let mapped = mapConfidence(map, p);
  if (rest <= 1e-12) {
    mapped = Math.max(mapped, 1 / K);
    for (let k = 0; k < K; k++) probabilities[k] = k === top ? mapped : (1 - mapped) / (K - 1);
    return probabilities;
  }
  // The others are scaled by (1 - mapped) / rest; the second stays at most the top.
  mapped = Math.max(mapped, second / (rest + second));
  const scale = (1 - mapped) / rest;
  for (let k = 0; k < K; k++) if (k !== top) probabilities[k] = probabilities[k]! * scale;
  // Rounding must not hand the second label the lead it was denied.
  probabilities[top] = Math.max(mapped, second * scale);
  return probabilities;
}
