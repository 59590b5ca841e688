import type { Command } from 'commander';
import { accuracyAtCoverage } from '../core/labels/accuracy-at-coverage.js';
import { expectedCalibrationError } from '../core/labels/calibration.js';
import { createLabelFeaturizer, type LabelFeatures } from '../core/labels/label-features.js';
import { argMax, trainLabelModel } from '../core/labels/label-model.js';
import { charBigrams, naiveBayesPosterior, trainNaiveBayes } from '../core/labels/naive-bayes.js';
import { labelProbabilities, predictLabelsFromFeatures } from '../core/labels/predict-labels.js';
import { createRandom } from '../core/random.js';
import { createJiebaSegmenter } from '../engine/text/segmenter.js';
import { defaultKuaiRecDir, type KuaiRecVideo, readKuaiRecVideos } from '../import/kuairec.js';
import { seedOption } from './options.js';

export const evalCoverages: readonly number[] = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];

/** What the label model sees of each video; the baseline always sees the text only. */
export type LabelEvidenceSet = 'text+item-tags' | 'text';

export interface EvalLabelsOptions {
  dataDir?: string;
  seed?: number;
  /** Share of the labelled videos whose category is hidden; default 0.2. */
  hiddenShare?: number;
  /**
   * `'text+item-tags'` (default) is everything a served KuaiRec item carries: cover text, caption,
   * topic tags and its item tags (`item_categories.csv`, ids 0-30). `'text'` drops the item tags.
   */
  evidence?: LabelEvidenceSet;
}

export interface EvalLabelsReport {
  dataDir: string;
  seed: number;
  evidence: LabelEvidenceSet;
  trainItems: number;
  hiddenItems: number;
  labels: number;
  coverages: number[];
  /** The label model: accuracy at each coverage, ranked by calibrated confidence. */
  model: { accuracy: number[]; ece: number; temperature: number; features: number; trainingEce: number };
  /** Naive Bayes over the text's raw character bigrams, trained and scored on the same split. */
  baseline: { accuracy: number[]; ece: number };
  /** With the default abstain threshold: share answered, and accuracy on the answered items. */
  abstain: { minConfidence: number; coverage: number; accuracy: number };
  /** Hidden items whose text (cover text, caption, topic tags) has no word-like token. */
  noWordContent: { items: number; unknownRate: number };
  /** Hidden items whose caption field alone has no word-like token (their cover text may have some). */
  noWordCaption: { items: number; unknownRate: number };
  elapsedMs: number;
}

/**
 * Hides the first-level category of a seeded random 20% of KuaiRec videos, trains on the rest, and
 * predicts each hidden video's category from its own evidence: cover text, caption, topic tags and
 * (unless `evidence` is `'text'`) its KuaiRec item tags. Never from its category path: all three
 * levels are hidden, since the lower ones imply the first. The item tags are ids without names, so
 * they sharpen a label but never make a video with no word-like text labelled.
 *
 * @example
 * const report = evaluateLabels({ seed: 42 });
 * report.model.accuracy[5]; // accuracy at 50% coverage
 */
export function evaluateLabels(options: EvalLabelsOptions = {}): EvalLabelsReport {
  const started = performance.now();
  const dataDir = options.dataDir ?? defaultKuaiRecDir();
  const seed = options.seed ?? 42;
  const evidence = options.evidence ?? 'text+item-tags';
  const videos = readKuaiRecVideos(dataDir).filter((v) => v.category !== undefined);
  const order = createRandom(seed).shuffle(videos.map((_, i) => i));
  const hiddenCount = Math.round(videos.length * (options.hiddenShare ?? 0.2));
  const hidden = order.slice(0, hiddenCount);
  const train = order.slice(hiddenCount);

  const segment = createJiebaSegmenter();
  const featurize = createLabelFeaturizer(segment);
  const features: LabelFeatures[] = videos.map((video) => {
    const own = featurize(ownText(video));
    if (evidence === 'text') return own;
    // Featurized as a served item's tags are, but ids without names are not word-like evidence.
    const itemTags = featurize({ tags: video.featureTagIds.map(itemTagName) }).features;
    return { ...own, features: [...own.features, ...itemTags] };
  });
  const labelOf = (i: number): string => videos[i]!.category!;

  const model = trainLabelModel(
    train.map((i) => ({ features: features[i]!.features, label: labelOf(i) })),
    { seed },
  );
  const baselineFeatures = (i: number): string[] => {
    const { text, tags } = ownText(videos[i]!);
    return charBigrams([text, ...tags].join(' '));
  };
  const baseline = trainNaiveBayes(train.map(baselineFeatures), train.map(labelOf));

  const n = hidden.length;
  const modelRank = new Float64Array(n);
  const modelConfidence = new Float64Array(n);
  const modelCorrect = new Uint8Array(n);
  const baselineConfidence = new Float64Array(n);
  const baselineCorrect = new Uint8Array(n);
  let answered = 0;
  let answeredCorrect = 0;
  const noWords = { items: 0, unknown: 0 };
  const noCaptionWords = { items: 0, unknown: 0 };
  hidden.forEach((i, r) => {
    const own = features[i]!;
    const probabilities = labelProbabilities(model, own);
    const best = argMax(probabilities);
    modelConfidence[r] = probabilities[best]!;
    // Items with no informative token are answered last: their confidence rests on nothing.
    modelRank[r] = own.informative ? probabilities[best]! : probabilities[best]! - 1;
    modelCorrect[r] = model.labels[best] === labelOf(i) ? 1 : 0;

    const posterior = naiveBayesPosterior(baseline, baselineFeatures(i));
    const nbBest = argMax(posterior);
    baselineConfidence[r] = posterior[nbBest]!;
    baselineCorrect[r] = baseline.labels[nbBest] === labelOf(i) ? 1 : 0;

    const prediction = predictLabelsFromFeatures(model, own, {});
    if (!prediction.unknown) {
      answered++;
      if (prediction.labels[0]!.tag === labelOf(i)) answeredCorrect++;
    }
    if (!own.informative) {
      noWords.items++;
      if (prediction.unknown) noWords.unknown++;
    }
    if (!featurize({ text: videos[i]!.caption ?? '' }).informative) {
      noCaptionWords.items++;
      if (prediction.unknown) noCaptionWords.unknown++;
    }
  });

  return {
    dataDir,
    seed,
    evidence,
    trainItems: train.length,
    hiddenItems: n,
    labels: model.labels.length,
    coverages: [...evalCoverages],
    model: {
      accuracy: accuracyAtCoverage(modelRank, modelCorrect, evalCoverages),
      ece: expectedCalibrationError(modelConfidence, modelCorrect),
      temperature: model.temperature,
      features: model.vocabulary.features.length,
      trainingEce: model.calibration.heldOutEce,
    },
    baseline: {
      accuracy: accuracyAtCoverage(baselineConfidence, baselineCorrect, evalCoverages),
      ece: expectedCalibrationError(baselineConfidence, baselineCorrect),
    },
    abstain: {
      minConfidence: model.minConfidence,
      coverage: answered / n,
      accuracy: answered === 0 ? Number.NaN : answeredCorrect / answered,
    },
    noWordContent: { items: noWords.items, unknownRate: noWords.unknown / Math.max(1, noWords.items) },
    noWordCaption: {
      items: noCaptionWords.items,
      unknownRate: noCaptionWords.unknown / Math.max(1, noCaptionWords.items),
    },
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** A KuaiRec video's own text evidence: cover text and caption, and its topic tags. */
function ownText(video: KuaiRecVideo): { text: string; tags: string[] } {
  return {
    text: [video.coverText, video.caption].filter((t) => t !== undefined).join('\n'),
    tags: video.topicTags,
  };
}

/** KuaiRec item tags have ids only; a name of letters alone keeps each one a single word. */
function itemTagName(id: number): string {
  let letters = '';
  let rest = id;
  do {
    letters = String.fromCharCode(97 + (rest % 26)) + letters;
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return `kuairectag${letters}`;
}

/** The report as the table `setlist eval-labels` prints. */
export function formatEvalLabelsReport(report: EvalLabelsReport): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const num = (x: number): string => x.toFixed(3);
  const lines = [
    `KuaiRec first-level category from each video's own evidence (${report.dataDir})`,
    `evidence: cover text, caption, topic tags${report.evidence === 'text' ? ' (--text-only)' : ', KuaiRec item tags'}; baseline: the text only`,
    `seed ${report.seed}: ${report.trainItems} train videos, ${report.hiddenItems} hidden, ${report.labels} labels`,
    '',
    'coverage  tfidf+LR  naive-NB  gain (points)',
    ...report.coverages.map((c, i) => {
      const a = report.model.accuracy[i]!;
      const b = report.baseline.accuracy[i]!;
      return `${pct(c).padStart(8)}  ${num(a).padStart(8)}  ${num(b).padStart(8)}  ${((a - b) * 100).toFixed(1).padStart(5)}`;
    }),
    '',
    `ECE (10 bins): tfidf+LR ${num(report.model.ece)} (temperature ${report.model.temperature.toFixed(2)}, then the confidence map; ${num(report.model.trainingEce)} out of fold on the training videos), naive-NB ${num(report.baseline.ece)}`,
    `abstaining below ${report.abstain.minConfidence}: answers ${pct(report.abstain.coverage)} of hidden videos, ${num(report.abstain.accuracy)} accurate`,
    `unknown on videos with no word-like text (cover text, caption, topic tags): ${pct(report.noWordContent.unknownRate)} of ${report.noWordContent.items}`,
    `unknown on videos whose caption field alone has no word-like text (the cover text may have words): ${pct(report.noWordCaption.unknownRate)} of ${report.noWordCaption.items}`,
    `features ${report.model.features}, ${(report.elapsedMs / 1000).toFixed(1)} s`,
  ];
  return lines.join('\n');
}

/**
 * Adds `setlist eval-labels [--data DIR] [--seed 42] [--text-only] [--json]`.
 *
 * @example
 * registerEvalLabels(program);
 */
export function registerEvalLabels(program: Command): void {
  program
    .command('eval-labels')
    .description(
      'measure item labels on KuaiRec: hide the category of a seeded 20% of the videos, predict it from ' +
        'their cover text, caption, topic tags and KuaiRec item tags (never the category path), and print ' +
        'accuracy at coverage, calibration and abstention next to naive Bayes on the text',
    )
    .option('--data <dir>', 'the KuaiRec directory (default: $SETLIST_DATA_DIR or ../shared/data/kuairec)')
    .option('--seed <n>', 'seed of the hidden split and of training', seedOption(), 42)
    .option(
      '--text-only',
      "leave out KuaiRec's item tags (item_categories.csv): cover text, caption, topic tags",
    )
    .option('--json', 'print the report as JSON')
    .action((opts: { data?: string; seed: number; textOnly?: boolean; json?: boolean }) => {
      const report = evaluateLabels({
        seed: opts.seed,
        evidence: opts.textOnly === true ? 'text' : 'text+item-tags',
        ...(opts.data === undefined ? {} : { dataDir: opts.data }),
      });
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatEvalLabelsReport(report));
    });
}
