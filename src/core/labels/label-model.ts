import { createRandom } from '../random.js';
import { expectedCalibrationError, fitTemperature, softmax } from './calibration.js';
import { labelCharGramSizes } from './label-features.js';
import { fitTfIdf, indexVocabulary, type SparseVector, type TfIdfVocabulary, tfIdfVector } from './tf-idf.js';

/**
 * A calibrated text classifier for item labels: TF-IDF over word and character 1-3-gram features,
 * multinomial logistic regression, and a temperature fit on held-out items. Plain data and typed
 * arrays only, so it round-trips through {@link encodeLabelModel}.
 */
export interface LabelModel {
  readonly version: 1;
  /** The K labels, in weight-column order. */
  readonly labels: string[];
  readonly charGramSizes: number[];
  readonly vocabulary: TfIdfVocabulary;
  /** V x K weights, row-major by feature. */
  readonly weights: Float32Array;
  /** K biases. */
  readonly bias: Float32Array;
  /** Divides the logits before the softmax; fit on held-out items. */
  readonly temperature: number;
  /** Calibrated top confidence below which the answer is "unknown". */
  readonly minConfidence: number;
  /** Held-out calibration measurements, for status pages. */
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
  /** Share of the items held out to fit the temperature; default 0.15. */
  calibrationShare?: number;
  /** Default 2. */
  minDocumentFrequency?: number;
  maxFeatures?: number;
  /** Default 0.4. */
  minConfidence?: number;
}

/**
 * Trains a {@link LabelModel}: a seeded share of the items is held out, logistic regression is fit
 * on the rest by plain SGD (step `lr / (1 + lr * l2 * t)`, Bottou 2012, with the L2 decay applied
 * lazily through a weight scale), then the temperature is fit on the held-out items.
 *
 * @example
 * const model = trainLabelModel(items.map((i) => ({ features: featurize(i).features, label: i.category })));
 */
export function trainLabelModel(
  examples: readonly LabelExample[],
  options: TrainLabelModelOptions = {},
): LabelModel {
  const rng = createRandom(options.seed ?? 42);
  const epochs = options.epochs ?? 12;
  const learningRate = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-6;
  const calibrationShare = options.calibrationShare ?? 0.15;

  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((label, k) => [label, k]));
  const order = rng.shuffle(examples.map((_, i) => i));
  const heldOutCount = examples.length >= 20 ? Math.round(examples.length * calibrationShare) : 0;
  const heldOut = order.slice(0, heldOutCount);
  const fitted = order.slice(heldOutCount);

  const fitOn = (items: readonly number[]) => {
    const vocabulary = fitTfIdf(
      items.map((i) => examples[i]!.features),
      {
        minDocumentFrequency: options.minDocumentFrequency ?? 2,
        ...(options.maxFeatures === undefined ? {} : { maxFeatures: options.maxFeatures }),
      },
    );
    const index = indexVocabulary(vocabulary);
    const weights = new Float32Array(vocabulary.features.length * labels.length);
    const bias = new Float64Array(labels.length);
    const rows = items.map((i) => tfIdfVector(examples[i]!.features, vocabulary, index));
    const truth = Int32Array.from(items, truthOf);
    sgdLogisticRegression(rows, truth, labels.length, weights, bias, { epochs, learningRate, l2, rng });
    return { vocabulary, index, weights, bias: Float32Array.from(bias) };
  };
  const truthOf = (i: number): number => labelIndex.get(examples[i]!.label)!;
  const K = labels.length;
  const first = fitOn(fitted);
  const model: LabelModel = {
    version: 1,
    labels,
    charGramSizes: [...labelCharGramSizes],
    vocabulary: first.vocabulary,
    weights: first.weights,
    bias: first.bias,
    temperature: 1,
    minConfidence: options.minConfidence ?? 0.4,
    calibration: { heldOutItems: 0, heldOutAccuracy: Number.NaN, heldOutEce: Number.NaN },
  };
  if (heldOut.length === 0) return model;

  const vectorOf = (i: number): SparseVector =>
    tfIdfVector(examples[i]!.features, first.vocabulary, first.index);
  const logits = new Float64Array(heldOut.length * K);
  heldOut.forEach((i, row) => {
    labelLogits(model, vectorOf(i), logits.subarray(row * K, (row + 1) * K));
  });
  const heldOutTruth = Int32Array.from(heldOut, truthOf);
  const temperature = fitTemperature(logits, K, heldOutTruth);
  const confidence = new Float64Array(heldOut.length);
  const correct = new Uint8Array(heldOut.length);
  const probabilities = new Float64Array(K);
  for (let row = 0; row < heldOut.length; row++) {
    softmax(logits.subarray(row * K, (row + 1) * K), temperature, probabilities);
    const best = argMax(probabilities);
    confidence[row] = probabilities[best]!;
    correct[row] = best === heldOutTruth[row] ? 1 : 0;
  }
  return {
    ...model,
    temperature,
    calibration: {
      heldOutItems: heldOut.length,
      heldOutAccuracy: correct.reduce((sum, c) => sum + c, 0) / heldOut.length,
      heldOutEce: expectedCalibrationError(confidence, correct),
    },
  };
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
