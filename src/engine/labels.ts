import {
  buildCreatorFacets,
  type CreatorFacet,
  type CreatorFacetOptions,
  type CreatorItem,
  creatorLabelPrior,
} from '../core/labels/creator-facets.js';
import { decodeLabelModel } from '../core/labels/label-model-codec.js';
import type { LabelPrediction } from '../core/labels/predict-labels.js';
import { nextTurn, TimeSlices } from '../time-slices.js';
import type { OnlineState } from './online-state.js';
import { startWorker } from './start-worker.js';
import { createItemLabeler, type ItemLabeler, type LabelledItemFields } from './text/item-labeler.js';

export interface ItemLabels extends LabelPrediction {
  /** The label model's version, or null before one was trained. */
  modelVersion: number | null;
}

export interface CreatorProfile {
  creatorId: string;
  itemCount: number;
  /** Built from labels alone: no item vectors, so no centroids. */
  facets: Omit<CreatorFacet, 'centroid'>[];
}

/** A label model needs at least this many categories, each with this many items. */
const MIN_CATEGORIES = 2;
const MIN_ITEMS_PER_CATEGORY = 5;
/** The creator prior is built from at most this many of the creator's newest items. */
const PRIOR_ITEMS = 200;
const PROFILE_FACETS: CreatorFacetOptions = { minShare: 0.02, minItems: 1 };

/**
 * The items a label model can learn from: those with a category. Scans the catalogue in slices of a
 * few milliseconds between yields to the event loop: at a million items one scan took about 22 ms,
 * in the same turn as the training matrix's first slice as training starts.
 */
export async function labelTrainingItems(state: OnlineState): Promise<LabelledItemFields[] | undefined> {
  const items: LabelledItemFields[] = [];
  const perCategory = new Map<string, number>();
  // A turn of its own: training starts the matrix's first slice in the same turn as this call.
  await nextTurn();
  const slices = new TimeSlices();
  for (let i = 0; i < state.records.length; i++) {
    if ((i & 4095) === 0) await slices.pause();
    const record = state.records[i];
    if (record?.category === undefined) continue;
    items.push({ caption: record.caption, tags: record.tags, category: record.category });
    perCategory.set(record.category, (perCategory.get(record.category) ?? 0) + 1);
  }
  const usable = [...perCategory.values()].filter((n) => n >= MIN_ITEMS_PER_CATEGORY).length;
  return usable >= MIN_CATEGORIES ? items : undefined;
}

/** Trains the label model in a worker thread (jieba and SGD are CPU-bound) and returns its bytes. */
export function trainLabelsInWorker(items: LabelledItemFields[]): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('label-train-worker', import.meta.url);
    worker.once('message', (message: { bytes?: Uint8Array; error?: string }) => {
      void worker.terminate();
      if (message.bytes === undefined) reject(new Error(message.error ?? 'label training failed'));
      else resolve(message.bytes);
    });
    worker.once('error', reject);
    worker.postMessage({ items });
  });
}

/**
 * Item labels from the item's own evidence (caption and tags), with its creator's other items as a
 * weak prior that strong evidence overrides; and creators as mixtures of the topics of their items.
 */
export class LabelService {
  private labeler: ItemLabeler | undefined;
  version: number | null = null;
  trainedAt: number | null = null;
  private readonly state: OnlineState;

  constructor(state: OnlineState) {
    this.state = state;
  }

  setModel(bytes: Uint8Array, version: number, trainedAt: number): void {
    this.labeler = createItemLabeler(decodeLabelModel(bytes));
    this.version = version;
    this.trainedAt = trainedAt;
  }

  /** Labels of item `i`; unknown when no model is trained or the evidence is weak. */
  labels(i: number): ItemLabels {
    const record = this.state.records[i];
    if (this.labeler === undefined || record === undefined) {
      return { labels: [], unknown: true, modelVersion: this.version };
    }
    const creator = this.state.creatorOf.get(i);
    const others = creator < 0 ? [] : this.creatorItems(creator).filter((j) => j !== i);
    const prediction =
      others.length === 0
        ? this.labeler(record)
        : this.labeler(record, { creatorPrior: creatorLabelPrior(this.facetsOf(others)) });
    return { ...prediction, modelVersion: this.version };
  }

  creatorProfile(creatorId: string): CreatorProfile | undefined {
    const c = this.state.creators.get(creatorId);
    if (c < 0) return undefined;
    const items = this.creatorItems(c);
    // A profile shows even a single off-topic item as its own (small) facet: it is what the creator posted.
    return { creatorId, itemCount: items.length, facets: this.facetsOf(items, PROFILE_FACETS) };
  }

  private creatorItems(c: number): number[] {
    const items = [...(this.state.itemsByCreator.get(c) ?? [])];
    items.sort((a, b) => this.state.createdAt.get(b) - this.state.createdAt.get(a));
    return items.slice(0, PRIOR_ITEMS);
  }

  /** Facets from the items' own labels; before a model exists, from their categories. */
  private facetsOf(items: number[], options?: CreatorFacetOptions): CreatorFacet[] {
    const labelled = items.map((j): CreatorItem => {
      const record = this.state.records[j];
      const itemId = this.state.items.id(j);
      const hidden = record?.visibility === 'hidden';
      if (this.labeler === undefined || record === undefined) {
        const category = record?.category;
        return category === undefined
          ? { itemId, labels: [], unknown: true, hidden }
          : { itemId, labels: [{ tag: category, confidence: 1 }], unknown: false, hidden };
      }
      return { itemId, ...this.labeler(record), hidden };
    });
    return buildCreatorFacets(labelled, options);
  }
}
