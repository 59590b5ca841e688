import type { Segmenter } from '../text/tokenize.js';
import { calibrateTopProbability, softmax } from './calibration.js';
import { createLabelFeaturizer, type LabelFeatures, type LabelText } from './label-features.js';
import { type LabelModel, labelLogits } from './label-model.js';
import { indexVocabulary, tfIdfVector } from './tf-idf.js';

/**
 * A distribution over labels from outside the item (its creator's other items, or its audience),
 * read as a Dirichlet prior with `pseudoCount` observations' worth of weight.
 */
export interface LabelEvidence {
  /** Label -> weight; normalised here, so counts or shares both work. */
  distribution: Readonly<Record<string, number>>;
  /** How many observations the distribution is worth next to the item's own text. */
  pseudoCount?: number;
}

export interface LabelInput extends LabelText {
  /** The creator's label distribution over their other items; weak by default (2). */
  creatorPrior?: LabelEvidence | undefined;
  /** Labels of the users who watched the item to the end (from their facets); strong by default (6). */
  audience?: LabelEvidence | undefined;
}

export interface LabelPrediction {
  /** Best first; empty when `unknown`. */
  labels: { tag: string; confidence: number }[];
  /**
   * True when the evidence does not support any label: no informative token the model knows (and no
   * audience evidence), or a low top confidence.
   */
  unknown: boolean;
}

export interface PredictLabelsOptions {
  /** Weight of the item's own text, in observations; default 8. */
  ownPseudoCount?: number;
  /** Default pseudo-count of a creator prior; default 2. */
  creatorPseudoCount?: number;
  /** Default pseudo-count of audience evidence; default 6. */
  audiencePseudoCount?: number;
  /** Abstain below this top confidence; defaults to the model's `minConfidence`. */
  minConfidence?: number;
  /** At most this many labels; default 3. */
  maxLabels?: number;
  /** Labels below this confidence are not listed; default 0.1. */
  minLabelConfidence?: number;
}

const vocabularyIndexes = new WeakMap<LabelModel, Map<string, number>>();

/**
 * The calibrated probabilities of the model's labels from an item's own features alone.
 *
 * @example
 * const p = labelProbabilities(model, featurize({ text: '今天吃火锅' })); // Float64Array, sums to 1
 */
export function labelProbabilities(model: LabelModel, features: LabelFeatures): Float64Array {
  const out = new Float64Array(model.labels.length);
  labelLogits(model, tfIdfVector(features.features, model.vocabulary, vocabularyIndex(model)), out);
  return calibrateTopProbability(model.confidenceMap, softmax(out, model.temperature, out));
}

/**
 * Whether an item's own features are evidence for this model: at least one content feature (an
 * informative word or hashtag, or a character n-gram of a Chinese run with one) is in its
 * vocabulary. Without one the model's answer is its bias, the same for every such text, so
 * "hello world" and an unseen language are no evidence however word-like they are; emoji, digit
 * lengths and stop words the model knows never count.
 *
 * @example
 * hasKnownContent(model, featurize({ text: 'hello world' })); // false for a model never shown 'world'
 */
export function hasKnownContent(model: LabelModel, features: LabelFeatures): boolean {
  if (!features.informative) return false;
  const index = vocabularyIndex(model);
  return features.contentFeatures.some((feature) => index.has(feature));
}

function vocabularyIndex(model: LabelModel): Map<string, number> {
  let index = vocabularyIndexes.get(model);
  if (index === undefined) {
    index = indexVocabulary(model.vocabulary);
    vocabularyIndexes.set(model, index);
  }
  return index;
}

/**
 * Labels an item from its own evidence, with calibrated confidence, and abstains when the evidence is
 * not there. The item's text probabilities count as `ownPseudoCount` observations; the creator's
 * label distribution is a Dirichlet prior with a small pseudo-count and audience evidence a larger
 * one, so the posterior mean is `(n p_text + a p_creator + b p_audience) / (n + a + b)` and strong
 * text evidence outweighs a creator's habits (no tag contagion). Without an informative token that
 * the model knows ({@link hasKnownContent}) the text gives no evidence, and without audience evidence
 * the answer is `unknown`: a creator prior alone never labels an item.
 *
 * @example
 * predictLabels(model, { text: '麻辣火锅教程 #美食', creatorPrior: { distribution: { 高新数码: 30 } } }, segment);
 * // { labels: [{ tag: '美食', confidence: 0.71 }, …], unknown: false }
 */
export function predictLabels(
  model: LabelModel,
  input: LabelInput,
  segment: Segmenter,
  options: PredictLabelsOptions = {},
): LabelPrediction {
  const features = createLabelFeaturizer(segment, model.charGramSizes)(input);
  return predictLabelsFromFeatures(model, features, input, options);
}

/** {@link predictLabels} for features already extracted (when many items share one featurizer). */
export function predictLabelsFromFeatures(
  model: LabelModel,
  features: LabelFeatures,
  evidence: Pick<LabelInput, 'creatorPrior' | 'audience'>,
  options: PredictLabelsOptions = {},
): LabelPrediction {
  const { creatorPrior, audience } = evidence;
  const unknown: LabelPrediction = { labels: [], unknown: true };
  const ownEvidence = hasKnownContent(model, features);
  if (!ownEvidence && audience === undefined) return unknown;

  const combined = new Map<string, number>();
  let total = 0;
  const add = (tag: string, mass: number): void => {
    combined.set(tag, (combined.get(tag) ?? 0) + mass);
  };
  if (ownEvidence) {
    const own = options.ownPseudoCount ?? 8;
    const probabilities = labelProbabilities(model, features);
    for (let k = 0; k < model.labels.length; k++) add(model.labels[k]!, own * probabilities[k]!);
    total += own;
  }
  for (const [source, fallback] of [
    [creatorPrior, options.creatorPseudoCount ?? 2],
    [audience, options.audiencePseudoCount ?? 6],
  ] as const) {
    if (source === undefined) continue;
    const weight = source.pseudoCount ?? fallback;
    const entries = Object.entries(source.distribution).filter(([, w]) => w > 0 && Number.isFinite(w));
    const sum = entries.reduce((s, [, w]) => s + w, 0);
    if (sum <= 0 || weight <= 0) continue;
    for (const [tag, w] of entries) add(tag, (weight * w) / sum);
    total += weight;
  }
  if (total === 0) return unknown;

  const ranked = [...combined]
    .map(([tag, mass]) => ({ tag, confidence: mass / total }))
    .sort((a, b) => b.confidence - a.confidence || (a.tag < b.tag ? -1 : 1));
  const minConfidence = options.minConfidence ?? model.minConfidence;
  if (ranked.length === 0 || ranked[0]!.confidence < minConfidence) return unknown;
  const minLabel = options.minLabelConfidence ?? 0.1;
  return {
    labels: ranked.filter((l, i) => i === 0 || l.confidence >= minLabel).slice(0, options.maxLabels ?? 3),
    unknown: false,
  };
}
