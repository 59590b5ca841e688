import { createLabelFeaturizer } from '../../core/labels/label-features.js';
import {
  type LabelModel,
  type TrainLabelModelOptions,
  trainLabelModel,
} from '../../core/labels/label-model.js';
import {
  type LabelEvidence,
  type LabelPrediction,
  type PredictLabelsOptions,
  predictLabelsFromFeatures,
} from '../../core/labels/predict-labels.js';
import type { Segmenter } from '../../core/text/tokenize.js';
import { createJiebaSegmenter } from './segmenter.js';

/** The fields of an item (as the HTTP API takes it) that labels are learnt from. */
export interface LabelledItemFields {
  caption?: string | undefined;
  tags?: readonly string[] | undefined;
  category?: string | undefined;
}

export interface TrainItemLabelModelOptions extends TrainLabelModelOptions {
  /** Defaults to jieba. */
  segment?: Segmenter;
  /**
   * Whether an item's `tags` are evidence. Turn this off when the tags restate the category (as in
   * `readKuaiRecCatalog`, whose tags are the category names), or the model learns the answer key.
   * Default true.
   */
  useTags?: boolean;
}

/**
 * Trains a label model on the items that have a `category`, from their caption (and tags).
 *
 * @example
 * const model = trainItemLabelModel(readKuaiRecCatalog(), { useTags: false });
 */
export function trainItemLabelModel(
  items: readonly LabelledItemFields[],
  options: TrainItemLabelModelOptions = {},
): LabelModel {
  const { segment = createJiebaSegmenter(), useTags = true, ...trainOptions } = options;
  const featurize = createLabelFeaturizer(segment);
  const examples = items
    .filter((item) => item.category !== undefined && item.category !== '')
    .map((item) => ({
      features: featurize({ text: item.caption, tags: useTags ? item.tags : undefined }).features,
      label: item.category!,
    }));
  return trainLabelModel(examples, trainOptions);
}

/** Labels one item; `evidence` carries its creator prior and audience, when known. */
export type ItemLabeler = (
  item: LabelledItemFields,
  evidence?: { creatorPrior?: LabelEvidence | undefined; audience?: LabelEvidence | undefined },
) => LabelPrediction;

/**
 * Binds a label model to a segmenter (jieba by default) for the engine's `GET /v1/items/{id}/labels`.
 * The item's `category` is never read: labels come from its caption and tags.
 *
 * @example
 * const label = createItemLabeler(model);
 * label({ caption: '今天吃火锅 #美食' }, { creatorPrior: creatorLabelPrior(facets) });
 */
export function createItemLabeler(
  model: LabelModel,
  options: PredictLabelsOptions & { segment?: Segmenter; useTags?: boolean } = {},
): ItemLabeler {
  const { segment = createJiebaSegmenter(), useTags = true, ...predictOptions } = options;
  const featurize = createLabelFeaturizer(segment, model.charGramSizes);
  return (item, evidence = {}) =>
    predictLabelsFromFeatures(
      model,
      featurize({ text: item.caption, tags: useTags ? item.tags : undefined }),
      evidence,
      predictOptions,
    );
}
