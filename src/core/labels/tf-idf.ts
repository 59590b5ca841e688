/** A sparse row: feature indices (ascending) and their values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** A fitted TF-IDF vocabulary: feature names and their inverse document frequencies. */
export interface TfIdfVocabulary {
  features: string[];
  idf: Float32Array;
}

export interface TfIdfOptions {
  /** Features seen in fewer documents are dropped; default 2. */
  minDocumentFrequency?: number;
  /** Keep at most this many features, the most frequent first; default 300,000. */
  maxFeatures?: number;
}

/**
 * Fits a TF-IDF vocabulary with smoothed idf `ln((1 + n) / (1 + df)) + 1`, as scikit-learn does.
 *
 * @example
 * const vocab = fitTfIdf([['w:a', 'w:b'], ['w:a']], { minDocumentFrequency: 1 });
 */
export function fitTfIdf(
  documents: readonly (readonly string[])[],
  options: TfIdfOptions = {},
): TfIdfVocabulary {
  const minDf = options.minDocumentFrequency ?? 2;
  const maxFeatures = options.maxFeatures ?? 300_000;
  const df = new Map<string, number>();
  for (const doc of documents) {
    for (const feature of new Set(doc)) df.set(feature, (df.get(feature) ?? 0) + 1);
  }
  const kept = [...df].filter(([, count]) => count >= minDf);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const chosen = kept.slice(0, maxFeatures);
  const n = documents.length;
  return {
    features: chosen.map(([feature]) => feature),
    idf: Float32Array.from(chosen, ([, count]) => Math.log((1 + n) / (1 + count)) + 1),
  };
}

/** A lookup from feature name to column, built once per vocabulary. */
export function indexVocabulary(vocabulary: TfIdfVocabulary): Map<string, number> {
  return new Map(vocabulary.features.map((feature, index) => [feature, index]));
}

/**
 * The L2-normalised TF-IDF row of one document, with sublinear term frequency `1 + ln(count)`.
 * Features outside the vocabulary are ignored; a document with none is the empty row.
 */
export function tfIdfVector(
  document: readonly string[],
  vocabulary: TfIdfVocabulary,
  index: ReadonlyMap<string, number>,
): SparseVector {
  const counts = new Map<number, number>();
  for (const feature of document) {
    const column = index.get(feature);
    if (column !== undefined) counts.set(column, (counts.get(column) ?? 0) + 1);
  }
  const indices = Int32Array.from(counts.keys()).sort();
  const values = new Float32Array(indices.length);
  let norm = 0;
  for (let i = 0; i < indices.length; i++) {
    const column = indices[i]!;
    const value = (1 + Math.log(counts.get(column)!)) * vocabulary.idf[column]!;
    values[i] = value;
    norm += value * value;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < values.length; i++) values[i] = values[i]! * scale;
  }
  return { indices, values };
}
