import type { LabelEvidence, LabelPrediction } from './predict-labels.js';

/** One of a creator's items: its predicted labels and, optionally, its embedding. */
export interface CreatorItem {
  itemId: string;
  labels: LabelPrediction['labels'];
  unknown?: boolean;
  vector?: Float32Array;
  /** A hidden (taken-down) item counts toward its facet but is never one of its examples. */
  hidden?: boolean;
}

/** One topic a creator posts about. */
export interface CreatorFacet {
  /** Stable: `label:<tag>`. */
  id: string;
  label: string;
  /** Share of the creator's output; the facets' weights sum to 1. */
  weight: number;
  /** The facet's label first, then labels its items also carry. */
  tags: string[];
  /** The most confidently labelled items that are not hidden, best first. */
  examples: string[];
  itemCount: number;
  /** Mean of the members' unit vectors, when the items had vectors. */
  centroid?: Float32Array;
}

export interface CreatorFacetOptions {
  /** A topic with a smaller share of the labelled items is not a facet; default 0.15. */
  minShare?: number;
  /** A topic needs this many items to be a facet (fewer if the creator has fewer); default 2. */
  minItems?: number;
  /** Default 3. */
  maxExamples?: number;
  /** An unlabelled item joins the nearest facet centroid at this cosine or more; default 0.5. */
  minSimilarity?: number;
}

/**
 * A creator as a mixture of topics (after PinnerSage, Pal et al. 2020): items are grouped by their
 * top label, each sizeable group is a facet with its own label, weight and examples, so a creator
 * who posts tech reviews and hiking vlogs gets two facets rather than one blend of both. Items
 * the label model left unknown join the facet whose centroid their vector is nearest, if vectors
 * are given; otherwise they are left out.
 *
 * @example
 * buildCreatorFacets([
 *   { itemId: 'a', labels: [{ tag: 'tech', confidence: 0.9 }] },
 *   { itemId: 'b', labels: [{ tag: 'hiking', confidence: 0.8 }] },
 * ], { minItems: 1 }); // two facets, 'tech' and 'hiking', weights 0.53 and 0.47
 */
export function buildCreatorFacets(
  items: readonly CreatorItem[],
  options: CreatorFacetOptions = {},
): CreatorFacet[] {
  const minShare = options.minShare ?? 0.15;
  const maxExamples = options.maxExamples ?? 3;
  const minSimilarity = options.minSimilarity ?? 0.5;
  const labelled = items.filter((item) => item.unknown !== true && item.labels.length > 0);
  const minItems = Math.min(options.minItems ?? 2, labelled.length);

  const groups = new Map<string, CreatorItem[]>();
  for (const item of labelled) {
    const top = item.labels[0]!.tag;
    const group = groups.get(top);
    if (group === undefined) groups.set(top, [item]);
    else group.push(item);
  }
  const kept = [...groups].filter(
    ([, members]) => members.length >= minItems && members.length / labelled.length >= minShare,
  );
  if (kept.length === 0) return [];

  const facets = kept.map(([label, members]) => {
    const centroid = meanUnitVector(members);
    return { label, members, mass: members.reduce((s, m) => s + m.labels[0]!.confidence, 0), centroid };
  });
  // Items without a label join the nearest facet by vector: half the weight of a labelled item.
  for (const item of items) {
    if (labelled.includes(item) || item.vector === undefined) continue;
    let best: (typeof facets)[number] | undefined;
    let bestSimilarity = minSimilarity;
    for (const facet of facets) {
      if (facet.centroid === undefined) continue;
      const similarity = cosine(item.vector, facet.centroid);
      if (similarity >= bestSimilarity) {
        best = facet;
        bestSimilarity = similarity;
      }
    }
    if (best !== undefined) {
      best.members.push(item);
      best.mass += 0.5;
    }
  }

  const totalMass = facets.reduce((s, f) => s + f.mass, 0);
  return facets
    .map(({ label, members, mass, centroid }): CreatorFacet => {
      const secondary = new Map<string, number>();
      for (const member of members) {
        for (const { tag, confidence } of member.labels) {
          if (tag !== label) secondary.set(tag, (secondary.get(tag) ?? 0) + confidence);
        }
      }
      const tags = [
        label,
        ...[...secondary]
          .filter(([, mass]) => mass >= 0.5)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([tag]) => tag),
      ];
      const examples = members
        .filter((m) => m.labels.length > 0 && m.hidden !== true)
        .sort((a, b) => b.labels[0]!.confidence - a.labels[0]!.confidence)
        .slice(0, maxExamples)
        .map((m) => m.itemId);
      const facet: CreatorFacet = {
        id: `label:${label}`,
        label,
        weight: mass / totalMass,
        tags,
        examples,
        itemCount: members.length,
      };
      if (centroid !== undefined) facet.centroid = centroid;
      return facet;
    })
    .sort((a, b) => b.weight - a.weight || (a.label < b.label ? -1 : 1));
}

/**
 * A creator's facets as the prior for labelling their next item: the facet weights, worth
 * `pseudoCount` observations (default 2, so an item's own text outweighs it).
 *
 * @example
 * predictLabels(model, { text, creatorPrior: creatorLabelPrior(facets) }, segment);
 */
export function creatorLabelPrior(facets: readonly CreatorFacet[], pseudoCount = 2): LabelEvidence {
  return { distribution: Object.fromEntries(facets.map((f) => [f.label, f.weight])), pseudoCount };
}

function meanUnitVector(members: readonly CreatorItem[]): Float32Array | undefined {
  const vectors = members.map((m) => m.vector).filter((v) => v !== undefined);
  if (vectors.length === 0) return undefined;
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) {
    let squares = 0;
    for (let d = 0; d < v.length; d++) squares += v[d]! * v[d]!;
    const norm = Math.sqrt(squares) || 1;
    for (let d = 0; d < out.length; d++) out[d] = out[d]! + v[d]! / norm / vectors.length;
  }
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d]! * b[d]!;
    na += a[d]! * a[d]!;
    nb += b[d]! * b[d]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
