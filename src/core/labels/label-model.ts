import { createRandom } from '../random.js';
import {
  type ConfidenceMap,
  calibrateTopProbability,
  expectedCalibrationError,
  fitConfidenceMap,
  fitTemperature,
  identityConfidenceMap,
  softmax,
} from './calibration.js';
import { labelCharGramSizes } from './label-features.js';
import { fitTfIdf, indexVocabulary, type SparseVector, type TfIdfVocabulary, tfIdfVector } from './tf-idf.js';

/**
 * A calibrated text classifier for item labels: TF-IDF over word and character 1-3-gram features,
 * multinomial logistic regression, then a temperature and a monotone confidence map, both fit on
 * out-of-fold scores. Plain data and typed arrays only, so it round-trips through {@link encodeLabelModel}.
 */
export interface LabelModel {
  readonly version: 2;
  /** The K labels, in weight-column order. */
  readonly labels: string[];
  readonly charGramSizes: number[];
  readonly vocabulary: TfIdfVocabulary;
  /** V x K weights, row-major by feature. */
  readonly weights: Float32Array;
  /** K biases. */
  readonly bias: Float32Array;
  /** Divides the logits before the softmax; fit on items a fold model did not see. */
  readonly temperature: number;
  /** Maps the top probability after the temperature to held-out accuracy (isotonic); fit out of fold too. */
  readonly confidenceMap: ConfidenceMap;
  /** Calibrated top confidence below which the answer is "unknown". */
  readonly minConfidence: number;
  /**
   * Out-of-fold calibration measurements, for status pages. `heldOutEce` is measured on items the
   * confidence map was not fit on (the map is cross-fit over two halves for this figure).
   */
  readonly calibration: { heldOutItems: number; heldOutAccuracy: number; heldOutEce: number };
}

/** One training item: its features (see `createLabelFeaturizer`) and its label. */
export interface LabelExample {
  features: readonly string[];
  label: string;
}

export interface TrainLabelModelOptions {
  seed?: number;
  /** Passes of SGD over the training items; default 12. */
  epochs?: number;
  /** Initial SGD step; default 0.5. */
  learningRate?: number;
  /** L2 penalty per item; default 1e-6. */
  l2?: number;
  /** Cross-fitting folds: each item is held out once to fit the temperature; default 5. */
  folds?: number;
  /** Default 2. */
  minDocumentFrequency?: number;
  maxFeatures?: number;
  /** Default 0.4. */
  minConfidence?: number;
}

/**
 * Trains a {@link LabelModel} by cross-fitting: the items are split into seeded folds, and for each
 * fold a logistic regression is fit on the other folds by plain SGD (step `lr / (1 + lr * l2 * t)`,
 * Bottou 2012, with the L2 decay applied lazily through a weight scale) and scores the fold it did
 * not see. The temperature is fit on those out-of-fold scores, so every item helps calibrate; the
 * model's weights are the mean of the fold models' (a linear model, so this averages their logits,
 * which also smooths SGD's noise). With fewer than 20 items there is one fit and no calibration.
 *
 * @example
 * const model = trainLabelModel(items.map((i) => ({ features: featurize(i).features, label: i.category })));
 */
export function trainLabelModel(
  examples: readonly LabelExample[],
  options: TrainLabelModelOptions = {},
): LabelModel {
  const rng = createRandom(options.seed ?? 42);
  const sgd = {
    epochs: options.epochs ?? 12,
    learningRate: options.learningRate ?? 0.5,
    l2: options.l2 ?? 1e-6,
    rng,
  };
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((label, k) => [label, k]));
  const K = labels.length;
  // The vocabulary and idf use no labels, so every item's text may shape them.
  const vocabulary = fitTfIdf(
    examples.map((e) => e.features),
    {
      minDocumentFrequency: options.minDocumentFrequency ?? 2,
      ...(options.maxFeatures === undefined ? {} : { maxFeatures: options.maxFeatures }),
    },
  );
  const index = indexVocabulary(vocabulary);
  const rows = examples.map((e) => tfIdfVector(e.features, vocabulary, index));
  const truth = Int32Array.from(examples, (e) => labelIndex.get(e.label)!);
  const V = vocabulary.features.length;
  const model = {
    version: 2 as const,
    labels,
    charGramSizes: [...labelCharGramSizes],
    vocabulary,
    weights: new Float32Array(V * K),
    bias: new Float32Array(K),
    temperature: 1,
    confidenceMap: identityConfidenceMap,
    minConfidence: options.minConfidence ?? 0.4,
    calibration: { heldOutItems: 0, heldOutAccuracy: Number.NaN, heldOutEce: Number.NaN },
  };
  const foldCount = examples.length >= 20 ? Math.max(2, options.folds ?? 5) : 1;
  if (foldCount === 1) {
    const bias = new Float64Array(K);
    sgdLogisticRegression(rows, truth, K, model.weights, bias, sgd);
    model.bias.set(bias);
    return model;
  }

  const foldOf = new Int32Array(examples.length);
  rng.shuffle(examples.map((_, i) => i)).forEach((i, position) => {
    foldOf[i] = position % foldCount;
  });
  const outOfFold = new Float64Array(examples.length * K);
  const weightSum = new Float64Array(V * K);
  const biasSum = new Float64Array(K);
  const weights = new Float32Array(V * K);
  const bias = new Float64Array(K);
  for (let fold = 0; fold < foldCount; fold++) {
    const inFold = examples.map((_, i) => i).filter((i) => foldOf[i] !== fold);
    weights.fill(0);
    bias.fill(0);
    sgdLogisticRegression(
      inFold.map((i) => rows[i]!),
      Int32Array.from(inFold, (i) => truth[i]!),
      K,
      weights,
      bias,
      sgd,
    );
    for (let w = 0; w < weights.length; w++) weightSum[w] = weightSum[w]! + weights[w]!;
    for (let k = 0; k < K; k++) biasSum[k] = biasSum[k]! + bias[k]!;
    const foldModel = { ...model, weights, bias: Float32Array.from(bias) };
    for (let i = 0; i < examples.length; i++) {
      if (foldOf[i] === fold) labelLogits(foldModel, rows[i]!, outOfFold.subarray(i * K, (i + 1) * K));
    }
  }
  for (let w = 0; w < weights.length; w++) model.weights[w] = weightSum[w]! / foldCount;
  for (let k = 0; k < K; k++) model.bias[k] = biasSum[k]! / foldCount;

  const temperature = fitTemperature(outOfFold, K, truth);
  const confidence = new Float64Array(examples.length);
  const correct = new Uint8Array(examples.length);
  const probabilities = new Float64Array(K);
  for (let i = 0; i < examples.length; i++) {
    softmax(outOfFold.subarray(i * K, (i + 1) * K), temperature, probabilities);
    const best = argMax(probabilities);
    confidence[i] = probabilities[best]!;
    correct[i] = best === truth[i] ? 1 : 0;
  }
  return {
    ...model,
    temperature,
    confidenceMap: fitConfidenceMap(confidence, correct),
    calibration: {
      heldOutItems: examples.length,
      heldOutAccuracy: correct.reduce((sum, c) => sum + c, 0) / examples.length,
      heldOutEce: crossFitConfidenceMapEce(outOfFold, K, temperature, confidence, correct),
    },
  };
}

/**
 * The ECE of the out-of-fold scores after temperature and confidence map, each half's map fit on the
 * other half, so the figure is not flattered by the map having seen the items it is measured on.
 */
function crossFitConfidenceMapEce(
  outOfFold: Float64Array,
  K: number,
  temperature: number,
  confidence: Float64Array,
  correct: Uint8Array,
): number {
  const n = correct.length;
  const half = (parity: number): number[] =>
    Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === parity);
  const mapped = new Float64Array(n);
  const probabilities = new Float64Array(K);
  for (const parity of [0, 1]) {
    const fitOn = half(1 - parity);
    const map = fitConfidenceMap(
      fitOn.map((i) => confidence[i]!),
      fitOn.map((i) => correct[i]!),
    );
    for (const i of half(parity)) {
      softmax(outOfFold.subarray(i * K, (i + 1) * K), temperature, probabilities);
      calibrateTopProbability(map, probabilities);
      mapped[i] = Math.max(...probabilities);
    }
  }
  return expectedCalibrationError(mapped, correct);
}

/** The raw (uncalibrated) class scores of one TF-IDF row, written into `out` (length K). */
export function labelLogits(model: LabelModel, row: SparseVector, out: Float64Array): Float64Array {
  const K = model.labels.length;
  for (let k = 0; k < K; k++) out[k] = model.bias[k]!;
  const { weights } = model;
  for (let j = 0; j < row.indices.length; j++) {
    const base = row.indices[j]! * K;
    const x = row.values[j]!;
    for (let k = 0; k < K; k++) out[k] = out[k]! + x * weights[base + k]!;
  }
  return out;
}

/** Index of the largest entry (the first on ties). */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

function sgdLogisticRegression(
  rows: readonly SparseVector[],
  truth: Int32Array,
  K: number,
  weights: Float32Array,
  bias: Float64Array,
  options: { epochs: number; learningRate: number; l2: number; rng: ReturnType<typeof createRandom> },
): void {
  const { epochs, learningRate, l2, rng } = options;
  const n = rows.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const scores = new Float64Array(K);
  // The true weights are scale * weights, so the L2 decay is one multiply per step.
  let scale = 1;
  let t = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    for (let o = 0; o < n; o++) {
      const i = order[o]!;
      const row = rows[i]!;
      const step = learningRate / (1 + learningRate * l2 * t);
      t++;
      for (let k = 0; k < K; k++) scores[k] = bias[k]!;
      for (let j = 0; j < row.indices.length; j++) {
        const base = row.indices[j]! * K;
        const x = row.values[j]! * scale;
        for (let k = 0; k < K; k++) scores[k] = scores[k]! + x * weights[base + k]!;
      }
      softmax(scores, 1, scores);
      scores[truth[i]!] = scores[truth[i]!]! - 1;
      scale *= 1 - step * l2;
      const rowStep = step / scale;
      for (let j = 0; j < row.indices.length; j++) {
        const base = row.indices[j]! * K;
        const x = row.values[j]! * rowStep;
        for (let k = 0; k < K; k++) weights[base + k] = weights[base + k]! - x * scores[k]!;
      }
      for (let k = 0; k < K; k++) bias[k] = bias[k]! - step * scores[k]!;
      if (scale < 1e-6) {
        for (let w = 0; w < weights.length; w++) weights[w] = weights[w]! * scale;
        scale = 1;
      }
    }
  }
  if (scale !== 1) for (let w = 0; w < weights.length; w++) weights[w] = weights[w]! * scale;
}
