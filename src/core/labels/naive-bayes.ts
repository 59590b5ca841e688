/**
 * A multinomial Naive Bayes text classifier with Laplace (add-alpha) smoothing, over any feature
 * names. Used as the baseline that the label model must beat, measured in the same run.
 */
export interface NaiveBayesModel {
  labels: string[];
  features: Map<string, number>;
  /** K log priors. */
  logPrior: Float64Array;
  /** V x K log likelihoods, row-major by feature. */
  logLikelihood: Float64Array;
}

/**
 * Fits multinomial Naive Bayes on feature counts.
 *
 * @example
 * const nb = trainNaiveBayes([['c:火锅'], ['c:口红']], ['美食', '美妆']);
 * naiveBayesPosterior(nb, ['c:火锅']); // [~0.67, ~0.33] in label order
 */
export function trainNaiveBayes(
  documents: readonly (readonly string[])[],
  labelOf: readonly string[],
  alpha = 1,
): NaiveBayesModel {
  const labels = [...new Set(labelOf)].sort();
  const labelIndex = new Map(labels.map((label, k) => [label, k]));
  const K = labels.length;
  const features = new Map<string, number>();
  for (const doc of documents) for (const f of doc) if (!features.has(f)) features.set(f, features.size);
  const V = features.size;
  const counts = new Float64Array(V * K);
  const totals = new Float64Array(K);
  const docCounts = new Float64Array(K);
  documents.forEach((doc, d) => {
    const k = labelIndex.get(labelOf[d]!)!;
    docCounts[k]! += 1;
    for (const f of doc) {
      counts[features.get(f)! * K + k]! += 1;
      totals[k]! += 1;
    }
  });
  const logLikelihood = new Float64Array(V * K);
  for (let v = 0; v < V; v++) {
    for (let k = 0; k < K; k++) {
      logLikelihood[v * K + k] = Math.log((counts[v * K + k]! + alpha) / (totals[k]! + alpha * V));
    }
  }
  const logPrior = Float64Array.from(docCounts, (c) => Math.log(c / documents.length));
  return { labels, features, logPrior, logLikelihood };
}

/** The posterior over the model's labels for one document; unseen features are ignored. */
export function naiveBayesPosterior(model: NaiveBayesModel, document: readonly string[]): Float64Array {
  const K = model.labels.length;
  const scores = Float64Array.from(model.logPrior);
  for (const f of document) {
    const v = model.features.get(f);
    if (v === undefined) continue;
    for (let k = 0; k < K; k++) scores[k] = scores[k]! + model.logLikelihood[v * K + k]!;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) max = Math.max(max, scores[k]!);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    scores[k] = Math.exp(scores[k]! - max);
    sum += scores[k]!;
  }
  for (let k = 0; k < K; k++) scores[k] = scores[k]! / sum;
  return scores;
}

/**
 * The character bigrams of a text as it stands: no segmentation, no stop words, whitespace collapsed.
 *
 * @example
 * charBigrams('火锅 好吃'); // ['火锅', '锅 ', ' 好', '好吃']
 */
export function charBigrams(text: string): string[] {
  const chars = Array.from(text.toLowerCase().replace(/\s+/g, ' ').trim());
  const grams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) grams.push(chars[i]! + chars[i + 1]!);
  return grams;
}
