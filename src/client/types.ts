/**
 * The wire shapes of HTTP API v1, as JSON: plain string ids, times in epoch milliseconds. Each
 * response type names exactly the fields the server sends (optional: the server may leave it out);
 * test/client-wire-types.ts checks them against the engine's types and the OpenAPI response schemas.
 */

import type { TraitValue } from '../types.js';

// The request bodies are the domain's own input types, which the engine takes too.
export type {
  EventInput,
  ItemBatchEntry,
  ItemInput,
  ItemPatch,
  ProfilePatch,
  TimeInput,
  TraitValue,
  UserInput,
} from '../types.js';

export type EventType =
  | 'impression'
  | 'view'
  | 'like'
  | 'share'
  | 'comment'
  | 'follow'
  | 'skip'
  | 'not_interested'
  | 'report';

export type Visibility = 'visible' | 'hidden';

export interface Item {
  id: string;
  creatorId?: string;
  caption?: string;
  tags: string[];
  category?: string;
  createdAt: number;
  durationMs?: number;
  embedding?: number[];
  visibility: Visibility;
  visibilityReason?: string;
  updatedAt: number;
}

export interface AuditEntry {
  itemId: string;
  at: number;
  actor: string;
  action: 'hide' | 'restore';
  reason: string;
}

export interface DeclaredInterest {
  tag: string;
  /** From -1 (less of this) to 1 (more of this). */
  weight: number;
}

export interface User {
  id: string;
  traits: Record<string, TraitValue>;
  controls: { muted: string[]; declared: DeclaredInterest[] };
  createdAt: number;
  updatedAt: number;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

export type ReasonSource =
  | 'co-occurrence'
  | 'model'
  | 'follow'
  | 'declared'
  | 'facet'
  | 'popular'
  | 'fresh'
  | 'similar-tags'
  | 'same-creator'
  | 'fallback'
  | 'discovery'
  | 'rewatch';

export interface Reason {
  source: ReasonSource | (string & {});
  facet?: string;
  because?: string[];
  exploration: boolean;
  text: string;
}

export interface RankedItem {
  itemId: string;
  score: number;
  reason: Reason;
}

export interface FeedResponse {
  items: RankedItem[];
}

export interface Facet {
  id: string;
  label: string;
  weight: number;
  tags: string[];
  examples: string[];
  muted: boolean;
}

export interface UserProfile {
  userId: string;
  facets: Facet[];
  /** Interests the user declared, with weights from -1 to 1. */
  declared: DeclaredInterest[];
  /** Ids of the facets the user muted. */
  muted: string[];
  /** The items the user engaged with most recently, newest first, with their signed signal. */
  recent: { itemId: string; at: number; weight: number }[];
}

export interface Label {
  tag: string;
  /** Calibrated probability that the tag applies, 0..1. */
  confidence: number;
}

export interface ItemLabels {
  /** Best first; empty when `unknown`. */
  labels: Label[];
  /** True when the evidence is too weak to say what the item is about. */
  unknown: boolean;
  /** The label model's version, or null before one was trained. */
  modelVersion: number | null;
}

/** One topic a creator posts about; creators are multi-facet like users. */
export interface CreatorFacet {
  /** Stable: `label:<tag>`. */
  id: string;
  label: string;
  /** Share of the creator's output; the facets' weights sum to 1. */
  weight: number;
  /** The facet's label first, then labels its items also carry. */
  tags: string[];
  /** The most confidently labelled items, best first. */
  examples: string[];
  itemCount: number;
}

/** A creator's facets, built from their items' own labels. */
export interface CreatorProfile {
  creatorId: string;
  itemCount: number;
  facets: CreatorFacet[];
}

export interface TrendingItem {
  itemId: string;
  /** Distinct engaged users above what the item's own baseline predicts. */
  score: number;
  /** Short-horizon rate over the item's baseline rate: 1 is steady, larger is rising. */
  velocity: number;
  /** Why the item is trending, as text in the item's language. */
  reason: string;
}

export interface TrendingTag {
  tag: string;
  score: number;
  velocity: number;
}

export interface TrendingResponse {
  items: TrendingItem[];
  tags: TrendingTag[];
}

export interface TrainReport {
  users: number;
  items: number;
  pairs: number;
  weights: Record<string, number>;
  /**
   * The blend on a validation split carved from the events; `popularityPercentile` (the mean
   * popularity percentile of its top 10, 1 the most popular) is absent when there was no split
   * (large catalogues, where every metric is 0).
   */
  validation: { ndcg10: number; recall20: number; users: number; popularityPercentile?: number };
  members: { kind: string; params: Record<string, number>; ndcg10: number }[];
  trainMs: number;
  /** Large catalogues: wall time of each iALS epoch and of the ANN index build. */
  epochMs?: number[];
  /** Large catalogues: CPU time of each iALS epoch, all threads of the process. */
  epochCpuMs?: number[];
  annBuildMs?: number;
}

export interface ModelStatus {
  name: string;
  kind: 'online' | 'batch';
  version: number;
  trainedAt: number | null;
  /** For a trained batch model: what it was trained on and how it scored on validation. */
  report?: TrainReport;
  /**
   * The trained model's candidates: from its ANN index (large catalogues), by scoring every item, or
   * `none` while its index is built, when feeds rank without it.
   */
  retrieval?: 'index' | 'scan' | 'none';
  /** An online model updated on a worker thread of its own, or a trained model searched on one. */
  thread?: boolean;
  /** The trained model's candidates kept per user between feeds, and feeds that read or computed them. */
  candidateCache?: { users: number; hits: number; misses: number };
}

/** Where an opening server stands (GET /readyz): see {@link StatusResponse.startup}. */
export interface Readiness {
  /** False until every event of the log is replayed; requests are served meanwhile. */
  ready: boolean;
  phase: 'loading' | 'catching-up' | 'open' | 'closed';
  /** Events in the online state so far. */
  eventsApplied: number;
}

/** GET /healthz: `ok: false` (a 503) once the server stopped taking events; restart it. */
export type HealthResponse = { ok: true } | { ok: false; reason: string };

export interface StatusResponse {
  store: string;
  counts: { items: number; users: number; events: number; creators: number };
  models: ModelStatus[];
  /** True while a training run is going. */
  training: boolean;
  eventsBehind: number;
  /** Scaled-out nodes: how this node sees the cluster. */
  cluster?: {
    nodeId: string;
    redis: 'up' | 'down';
    /** Committed batches this node failed to append to the Redis stream (others read them from the log). */
    publishFailures: number;
    /** Other nodes' events read from the stream and applied here. */
    remoteEventsApplied: number;
    /** Events applied here from the store's log (what the stream lost, or all of them without Redis). */
    caughtUpEvents: number;
  };
  /** Present once the server stopped taking events: why (a restart rebuilds its state from the log). */
  ingestStopped?: string;
  /** Where opening stands, and how long after its start the server took requests and was ready. */
  startup: Readiness & { servingAfterMs?: number; readyAfterMs?: number };
  startedAt: number;
  uptimeMs: number;
}

/** One quality report: the serving model's validation, or a saved `setlist eval` or `simulate` run. */
export interface QualityReport {
  name: string;
  at: number;
  /** The serving model's: `NDCG@10` and `Recall@20`. */
  metrics?: Record<string, number>;
  /** A saved report's own JSON (`setlist eval --json`, `setlist simulate --json`). */
  [field: string]: unknown;
}

export interface QualityResponse {
  reports: QualityReport[];
}

/** What POST /v1/train answers: started in the background, or (with `wait`) the outcome. */
export type TrainResponse =
  | { started: true }
  | { trained: false; reason: string }
  | { trained: true; version: number; trainedAt: number; report: TrainReport; labelModelVersion?: number };
