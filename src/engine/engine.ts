import type { Model } from '../core/model.js';
import { modelFromBytes } from '../core/model-codec.js';
import { createRandom, type Random, seedFrom } from '../core/random.js';
import { topK } from '../core/top-k.js';
import { SetlistError } from '../errors.js';
import { decodeItemIdSection, encodeItemIdSection } from '../store/item-id-section.js';
import type { AppendResult, Store } from '../store/store.js';
import type {
  AuditEntry,
  CreatorId,
  EventInput,
  ItemBatchEntry,
  ItemId,
  ItemInput,
  ItemPatch,
  ItemRecord,
  ModelSnapshot,
  ProfilePatch,
  StoredEvent,
  UserId,
  UserInput,
  UserRecord,
} from '../types.js';
import { buildAnnSearchThread } from './ann-search-thread.js';
import { AppliedSeqs } from './applied-seqs.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './config.js';
import { FacetIndex, type FacetView, facetView } from './facets.js';
import { buildFeed, createFeedCaches, type FeedItem, feedRetrieval, modelHistory } from './feed.js';
import {
  type CreatorProfile,
  type ItemLabels,
  LabelService,
  labelTrainingItems,
  trainLabelsInWorker,
} from './labels.js';
import { OnlineState, type UserState } from './online-state.js';
import type { ReasonLanguage } from './reasons.js';
import {
  engineToModel,
  LARGE_CATALOGUE_ITEMS,
  ServingModel,
  sharedBytes,
  type TrainReport,
  trainInWorker,
  trainingMatrix,
  type WorkerTrainResult,
  withRetrieval,
} from './serving-model.js';
import { buildSimilar, MODEL_NEIGHBOURS } from './similar.js';
import type { Trending } from './trends.js';
import {
  checkTime,
  countSchema,
  type Issue,
  idSchema,
  itemBatchSchema,
  itemPatchSchema,
  itemPutSchema,
  langSchema,
  profilePatchSchema,
  type Result,
  userPutSchema,
  validate,
  validateEventBatch,
} from './validate.js';

const DEFAULT_EXPLORATION_SEED = 0x5e7115;
/** Exploration draws are fixed per user state within windows of this length. */
export const FEED_SEED_WINDOW_MS = 15 * 60 * 1000;
/** The delays before a failed search thread is started again (see `EngineOptions.threadRestartDelaysMs`). */
const THREAD_RESTART_DELAYS_MS: readonly number[] = [1_000, 4_000, 16_000];

/** How a scaled-out node sees the cluster (`status().cluster`, and the cluster metrics). */
export interface ClusterHealth {
  nodeId: string;
  redis: 'up' | 'down';
  publishFailures: number;
  /** Other nodes' events read from the stream and applied here, counted once reads answer with them. */
  remoteEventsApplied: number;
  caughtUpEvents: number;
}

export interface EngineOptions {
  store: Store;
  /** Worker threads for training (0 trains inline, for tests on one thread). */
  trainWorkers?: number;
  /**
   * Catalogues above this many items train iALS alone and serve it through an ANN index (default
   * 20,000, where the dense models stop fitting); lower it to test that path on a small catalogue.
   */
  largeCatalogueItems?: number;
  /**
   * A serving model's search thread that fails is started again after each of these delays in turn
   * (default 1 s, 4 s, 16 s); within an hour, once they are used up, feeds rank without the model
   * until the next one.
   */
  threadRestartDelaysMs?: readonly number[];
  config?: Partial<EngineConfig>;
  /** The clock, in epoch milliseconds; injectable for tests and simulations. */
  now?: () => number;
  /**
   * Called with the events of each accepted batch after they are committed and applied here, e.g. to
   * publish them to other nodes. The request waits for it; it must handle its own failures.
   */
  onEventsStored?: (events: readonly StoredEvent[]) => void | Promise<void>;
  /** Called after a trained model is saved to the store, e.g. to announce it to other nodes. */
  onSnapshotSaved?: (model: { name: string; version: number }) => void | Promise<void>;
  /**
   * Co-occurrence's updates on a worker thread of their own, off the server thread's path; default
   * true. Either way an ingest answers once they are applied; `applyRemoteEvents` hands them over
   * without waiting and `settled()` waits (a scaled-out node awaits it before it counts them). At 1M
   * items and 20M events it took the server thread from 22.7 to 13.8-16.6 µs per ingested event and
   * bulk apply from 258 to 135-140 s. The ~100 ms stalls seen while training with it (sessions 15-16)
   * came as often without it: the host takes a vCPU away for ~100 ms when both are busy.
   */
  cooccurrenceThread?: boolean;
  /** How this node sees the cluster, for `status()`; set by scaled-out deployments. */
  cluster?: () => ClusterHealth;
  /**
   * Where exploration's seed comes from (default: a fixed seed); inject one for tests and simulations.
   * Each feed explores with its own stream, seeded by this, the user, their state and the time window.
   */
  random?: Random;
}

/** Events read from the log per page when catching up, and applied per turn of the event loop. */
const CATCH_UP_PAGE = 10_000;
const CATCH_UP_SLICE = 2_000;

/** How much exploration has been served: the audit of explored impressions. */
export interface ExplorationAudit {
  impressions: number;
  /** Items with the most explored impressions, most first. */
  items: { itemId: string; impressions: number }[];
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** How the trained model in service finds its candidates: see {@link Engine.servingStats}. */
export interface ServingStats {
  /**
   * From its ANN index (large catalogues) or by scoring every item; `none` while a large
   * catalogue's index is built (at startup, or again after its search thread failed), when feeds
   * rank without the model.
   */
  retrieval: 'index' | 'scan' | 'none';
  /** Whether its index is searched on a thread of its own. */
  thread: boolean;
  /** Search threads of served models that stopped without being released, and those started again, since open. */
  threadFailures: number;
  threadRestarts: number;
  /**
   * Its candidates kept per user between feeds: users held, and feeds that read a kept list
   * (`hits`) or computed one (`misses`) since the engine opened.
   */
  candidateCache: { users: number; hits: number; misses: number };
}

export interface EngineStatus {
  store: string;
  /** `users`: users with a record or with events (a user exists once they act). */
  counts: { items: number; users: number; events: number; creators: number };
  models: {
    name: string;
    kind: 'online' | 'batch';
    version: number;
    trainedAt: number | null;
    report?: TrainReport;
    /** The trained model's candidates: see {@link ServingStats}. */
    retrieval?: ServingStats['retrieval'];
    /**
     * An online model whose updates a worker thread of its own applies (`cooccurrenceThread`), or a
     * trained model whose index a thread of its own searches.
     */
    thread?: boolean;
    /** The trained model's candidates kept per user between feeds: see {@link ServingStats}. */
    candidateCache?: ServingStats['candidateCache'];
  }[];
  training: boolean;
  eventsBehind: number;
  /** Present on scaled-out nodes: node id, Redis state, publish failures, events from other nodes. */
  cluster?: ClusterHealth;
  /**
   * Present once the engine stopped taking events: the event log failed to commit a batch the online
   * state had already applied. Says why; a restart rebuilds the state from the log.
   */
  ingestStopped?: string;
  /** Where opening stands: see {@link Engine.readiness}. */
  startup: Readiness & {
    /** How long after `open` was called the engine took requests, and (once ready) was ready. */
    servingAfterMs?: number;
    readyAfterMs?: number;
  };
  startedAt: number;
  uptimeMs: number;
}

/**
 * Where an opening engine stands. `loading`: the store is migrated and the catalogue and users read.
 * `catching-up`: requests are served while the event log is replayed into the online state (feeds
 * reflect the events applied so far; an accepted event is durable, and the replay applies it in log
 * order). `open`: every event is applied and the stored models are installed.
 */
export interface Readiness {
  ready: boolean;
  phase: 'loading' | 'catching-up' | 'open' | 'closed';
  /** Events in the online state so far. */
  eventsApplied: number;
}

export interface Engine {
  readonly config: Readonly<EngineConfig>;
  /**
   * Loads the catalogue, users and event log from the store and rebuilds the online state; resolves
   * once every event is applied and the stored models are installed. Requests are served from when
   * the catalogue is loaded ({@link whenServing}), while the log is replayed.
   */
  open(): Promise<void>;
  /**
   * Resolves once an opening engine takes requests (the store is migrated and the catalogue and users
   * are loaded); rejects with `open`'s error if opening fails before that.
   */
  whenServing(): Promise<void>;
  /** Where opening stands, without reading the store: for readiness probes. */
  readiness(): Readiness;
  close(): Promise<void>;
  /**
   * Creates or replaces an item. Every input is validated at run time as well (an untyped caller's
   * too): a bad one is a `SETLIST_ERR_VALIDATION` naming its field, and changes nothing.
   */
  putItem(itemId: string, item: ItemInput): Promise<ItemRecord>;
  putItems(batch: { items: readonly ItemBatchEntry[] }): Promise<{ upserted: number }>;
  /** `actor` is the authenticated caller (an API key's name); it is recorded in the audit trail. */
  patchItem(itemId: string, patch: ItemPatch, options?: { actor?: string }): Promise<ItemRecord>;
  getItem(itemId: string): Promise<ItemRecord>;
  itemAudit(itemId: string): Promise<AuditEntry[]>;
  putUser(userId: string, user?: UserInput): Promise<UserRecord>;
  getUser(userId: string): Promise<UserRecord>;
  ingest(batch: { events: readonly EventInput[] }): Promise<IngestResult>;
  /**
   * The user's feed of `n` items (20). `options.lang` ('en' or 'zh') writes every reason's text in
   * the viewer's language; without it, each reason is in the language of its item's own text.
   */
  feed(userId: string, n?: number, options?: ListOptions): Promise<{ items: FeedItem[] }>;
  /** Items like `itemId`, with reasons: `options` as {@link Engine.feed}'s. */
  similar(itemId: string, n?: number, options?: ListOptions): Promise<{ items: FeedItem[] }>;
  status(): Promise<EngineStatus>;
  /** Whether the engine can do its work: not once it has stopped taking events (see `ingestStopped`). */
  health(): { ok: true } | { ok: false; reason: string };
  /** How this node sees the cluster (as `status()`'s `cluster`, read without the store); undefined on a single node. */
  cluster(): ClusterHealth | undefined;
  /**
   * Applies events stored by other nodes; ones already applied here are skipped. Returns how many were
   * new. Co-occurrence's part may still be on its thread: {@link settled} waits for it.
   */
  applyRemoteEvents(events: readonly StoredEvent[]): number;
  /** Resolves once every event applied so far is in the online state, co-occurrence included. */
  settled(): Promise<void>;
  /**
   * Applies item and user records another node wrote; a record older than the one held here
   * (by `updatedAt`), or equal to it, is ignored. Returns how many were applied.
   */
  applyRemoteRecords(change: { items?: readonly ItemRecord[]; users?: readonly UserRecord[] }): number;
  /** Applies every event in the store's log this node has not seen yet. Returns how many were new. */
  catchUp(): Promise<number>;
  /**
   * Swaps in a newer version of a trained model; an older or equal version, or one overtaken by a
   * newer model while its item ids were looked up (in slices), is ignored. Resolves to whether it was
   * swapped in.
   */
  installSnapshot(snapshot: ModelSnapshot): Promise<boolean>;
  /** The model of that name now in use, if any. */
  snapshot(name: string): ModelSnapshot | undefined;
  /** How the trained model in service finds its candidates (for status and metrics); undefined before one. */
  servingStats(): ServingStats | undefined;
  /** The trained model in service, with its index on a large catalogue (for benchmarks and diagnostics). */
  servingModel(): ServingModel | undefined;
  /**
   * The history a feed folds into the serving model for `userId`: (engine item, decayed weight) pairs,
   * empty for an unknown user.
   */
  modelHistory(userId: string): { item: number; weight: number }[];
  /** Rising items and tags: engagement now against each one's own baseline, distinct users only. */
  trending(n?: number, options?: ListOptions): Promise<Trending>;
  explorationAudit(n?: number): ExplorationAudit;
  /**
   * Trains the batch model (a tuned blend of EASE, iALS, RP3beta, item-kNN and popularity) from the
   * events so far, in worker threads, and swaps it in atomically; concurrent calls share one run.
   */
  train(): Promise<TrainResult | undefined>;
  /** Labels from the item's own evidence with calibrated confidence, or unknown. */
  itemLabels(itemId: string): Promise<ItemLabels>;
  /** A creator as a mixture of the topics of their items. */
  creatorProfile(creatorId: string): Promise<CreatorProfile>;
  /**
   * Quality reports: the serving model's validation metrics, and the latest reports saved by
   * `setlist eval --db` and `setlist simulate --db`.
   */
  quality(): Promise<{ reports: unknown[] }>;
  /** The user's interest facets (PinnerSage-style clusters of their recent items) and declared interests. */
  profile(userId: string): Promise<UserProfile>;
  /** Mutes or unmutes facets and declares interests; the next feed obeys. */
  patchProfile(userId: string, patch: ProfilePatch): Promise<UserProfile>;
}

export interface TrainResult {
  version: number;
  trainedAt: number;
  report: TrainReport;
  /** The label model trained in the same run, if the catalogue has categories to learn from. */
  labelModelVersion?: number;
}

export interface UserProfile {
  userId: string;
  facets: FacetView[];
  declared: { tag: string; weight: number }[];
  muted: string[];
  /** The items the user engaged with most recently, newest first, with their signed signal. */
  recent: { itemId: string; at: number; weight: number }[];
}

/**
 * Creates an engine over a store. Every write is validated as a whole first (a rejected request
 * changes nothing), persisted, and applied to the online state before the call resolves, so the
 * next feed already reflects it. An event batch is applied as soon as the store knows its seqs, while
 * its commit is made durable; should that commit then fail, the engine takes no more events until a
 * restart rebuilds its state from the log (see {@link Engine.health}).
 *
 * @example
 * const engine = createEngine({ store: createSqliteStore({ path: 'setlist.db' }) });
 * await engine.open();
 * await engine.ingest({ events: [{ userId: 'u1', itemId: 'v1', type: 'like' }] });
 * const { items } = await engine.feed('u1', 20);
 */
export function createEngine(options: EngineOptions): Engine {
  const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, ...options.config };
  const now = options.now ?? Date.now;
  const store = options.store;
  const state = new OnlineState(config, { cooccurrenceThread: options.cooccurrenceThread ?? true });
  // A fixed default seed: a restarted engine replaying the same log answers the same feeds.
  const explorationSeed =
    options.random === undefined ? DEFAULT_EXPLORATION_SEED : Math.floor(options.random.next() * 2 ** 32);
  /**
   * The random stream of one feed: the same request gets the same exploration until the user's state
   * changes (any event of theirs) or the time window turns, whatever other users asked for meanwhile.
   */
  const feedRandom = (userId: string, nowMs: number): Random => {
    const u = state.users.get(userId);
    const events = u < 0 ? 0 : (state.userStates.get(u)?.eventCount ?? 0);
    return createRandom(seedFrom(explorationSeed, userId, events, Math.floor(nowMs / FEED_SEED_WINDOW_MS)));
  };
  const facetIndex = new FacetIndex(state, config);
  const feedCaches = createFeedCaches();
  let serving: ServingModel | undefined;
  let training: Promise<TrainResult | undefined> | undefined;
  const labelService = new LabelService(state);
  const startedAt = now();
  const applied = new AppliedSeqs();
  let compacting = false;
  /** Why the event log failed to commit events already applied: from then on the engine takes none. */
  let logFailure: unknown;
  const logFailed = (cause: unknown): SetlistError =>
    new SetlistError('SETLIST_ERR_UNAVAILABLE', {
      message:
        `The event log failed to commit events the online state had already applied (${cause instanceof Error ? cause.message : String(cause)}): ` +
        'this server takes no more events; restart it to rebuild its state from the log.',
      cause,
    });
  const snapshots = new Map<string, ModelSnapshot>();
  /** Requests are taken from the catalogue's load on (while the log is replayed) until close. */
  let opened = false;
  let phase: Readiness['phase'] = 'closed';
  /**
   * Whether the log's replay at open has reached its end: until then an accepted event is only
   * appended, and the replay applies it in log order.
   */
  let caughtUp = false;
  let servingAfterMs: number | undefined;
  let readyAfterMs: number | undefined;
  let markServing: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  const servingNow = new Promise<void>((resolve, reject) => {
    markServing = { resolve, reject };
  });
  // open() reports its own failure; this promise only relays it to whenServing().
  servingNow.catch(() => {});

  const applyOnce = (events: readonly StoredEvent[]): number => {
    // The events themselves when all are new (an ingest's are): no copy of the array per batch.
    let kept: StoredEvent[] | undefined;
    for (let k = 0; k < events.length; k++) {
      const event = events[k]!;
      if (applied.claim(event.seq)) kept?.push(event);
      else kept ??= events.slice(0, k);
    }
    const fresh = kept ?? events;
    state.applyAll(fresh);
    return fresh.length;
  };

  const catchUp = async (): Promise<number> => {
    let n = 0;
    // Co-occurrence's thread applies one chunk while the next is read and applied here.
    let previous = Promise.resolve();
    for (;;) {
      const events = await store.readEvents(applied.watermark, CATCH_UP_PAGE);
      if (phase === 'closed') break;
      // In slices, each followed by a turn of the event loop: a page takes about 85 ms at 20M events,
      // and without the turns a replay at open held the loop for over a minute at a time (its reads and
      // the thread's replies resolve at once), so requests during it waited that long.
      for (let at = 0; at < events.length; at += CATCH_UP_SLICE) {
        n += applyOnce(events.length <= CATCH_UP_SLICE ? events : events.slice(at, at + CATCH_UP_SLICE));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // The store's log has no late commits below what it returns, so the watermark may pass it.
      if (events.length > 0) applied.advanceTo(events[events.length - 1]!.seq);
      const settled = state.settled();
      await previous;
      previous = settled;
      if (events.length < CATCH_UP_PAGE) break;
    }
    await previous;
    return n;
  };

  const requireOpen = (): void => {
    if (!opened)
      throw new SetlistError('SETLIST_ERR_INTERNAL', {
        message: 'The engine is not open: call open() first.',
      });
  };
  /** For work that needs the whole log applied first (training on it). */
  const requireReady = (): void => {
    requireOpen();
    if (phase !== 'open')
      throw new SetlistError('SETLIST_ERR_STARTING', {
        message: `The engine is still replaying its event log (${state.eventsApplied} events applied so far): retry once GET /readyz answers 200.`,
      });
  };
  /** The items and users, from the store into the online state. */
  const loadCatalogue = async (): Promise<void> => {
    for (let after: string | undefined; ; ) {
      const page = await store.listItems({ ...(after === undefined ? {} : { after }), limit: 5_000 });
      for (const item of page) state.upsertItem(item);
      if (page.length < 5_000) break;
      after = page[page.length - 1]!.id;
    }
    for (let after: string | undefined; ; ) {
      const page = await store.listUsers({ ...(after === undefined ? {} : { after }), limit: 5_000 });
      for (const user of page) state.upsertUser(user);
      if (page.length < 5_000) break;
      after = page[page.length - 1]!.id;
    }
  };
  /** Whether close() was called (read through a call: awaits in open() may change it). */
  const isClosed = (): boolean => phase === 'closed';
  const readiness = (): Readiness => ({
    ready: phase === 'open',
    phase,
    eventsApplied: state.eventsApplied,
  });

  const checkId = (id: string, path: string): string => unwrap(validate(idSchema, id, path));

  const toItemRecord = (
    id: string,
    fields: Omit<ReturnType<typeof itemPutSchema.parse>, 'id'>,
    path: string,
    previous: ItemRecord | undefined,
  ): ItemRecord => {
    const t = now();
    const record: ItemRecord = {
      id: id as ItemId,
      tags: dedupe(fields.tags ?? []),
      createdAt:
        fields.createdAt === undefined
          ? (previous?.createdAt ?? t)
          : unwrap(checkTime(fields.createdAt, t), `${path}createdAt`),
      visibility: previous?.visibility ?? 'visible',
      updatedAt: t,
    };
    if (fields.creatorId !== undefined) record.creatorId = fields.creatorId as CreatorId;
    if (fields.caption !== undefined) record.caption = fields.caption;
    if (fields.category !== undefined) record.category = fields.category;
    if (fields.durationMs !== undefined) record.durationMs = fields.durationMs;
    if (fields.embedding !== undefined) record.embedding = fields.embedding;
    if (previous?.visibilityReason !== undefined) record.visibilityReason = previous.visibilityReason;
    return record;
  };

  /**
   * Builds the training matrix and fits the serving model on it in a worker; `beforeIndex` gets the
   * model before a large catalogue's index is read (see {@link trainInWorker}). The matrix (two
   * arrays of one element per pair) is unreachable once this returns: it is not held through the
   * model install that follows.
   */
  const fitFromState = async (
    beforeIndex: (fit: WorkerTrainResult, items: Int32Array) => Promise<void>,
  ): Promise<(WorkerTrainResult & { items: Int32Array }) | undefined> => {
    const { data, items } = await trainingMatrix(state);
    if (data.rows < 2 || data.cols < 2) return undefined;
    const fit = await trainInWorker(
      data,
      {
        workers: options.trainWorkers ?? 2,
        ...(options.largeCatalogueItems === undefined
          ? {}
          : { largeCatalogueItems: options.largeCatalogueItems }),
      },
      (model) => beforeIndex(model, items),
    );
    return { ...fit, items };
  };

  /**
   * The serving model as feeds and similar items rank with it: none while a large catalogue's model
   * has no index to search (from startup until it is built, and from a failure of its search thread
   * until that is started again). Scoring every item instead took about 150 ms per feed at a million
   * items (the exact scan of `npm run bench`'s recall); meanwhile feeds come from the other sources.
   */
  const ranking = (): ServingModel | undefined =>
    serving !== undefined &&
    serving.retrieval === 'scan' &&
    needsIndex(serving.model, options.largeCatalogueItems)
      ? undefined
      : serving;

  /** Search threads that failed, and those started again, since open (see {@link ServingStats}). */
  const threadCounts = { failures: 0, restarts: 0 };
  const servingStats = (): ServingStats | undefined => {
    if (serving === undefined) return undefined;
    const cache = feedCaches.model;
    return {
      retrieval: ranking() === undefined ? 'none' : serving.retrieval,
      thread: serving.searchThread,
      threadFailures: threadCounts.failures,
      threadRestarts: threadCounts.restarts,
      candidateCache: { users: cache.size, hits: cache.hits, misses: cache.misses },
    };
  };

  /** When the serving model's search thread was started again (this version's, newest last). */
  const threadRestarts: number[] = [];
  let restartTimer: NodeJS.Timeout | undefined;
  /**
   * Serves `next` from the next request on (one assignment); the index of the model it replaces is
   * freed off the server thread (on the libuv pool, or its search thread's) rather than by a garbage
   * collection on the server thread (a release that fails leaves it to the collector, as before).
   * A search thread of `next` that fails is started again ({@link restartThread}).
   */
  const serve = (next: ServingModel): void => {
    const previous = serving;
    serving = next;
    if (previous !== undefined) void previous.releaseIndex(next).catch(() => {});
    if (previous?.version !== next.version) threadRestarts.length = 0;
    next.onThreadFailure(() => {
      if (serving === next) threadCounts.failures++;
      restartThread(next);
    });
  };

  /**
   * A serving model whose search thread failed is left out of feeds (see `ranking`) until its index
   * is built again in a worker and served from a new thread, after the next of
   * `threadRestartDelaysMs` (a failed build counts as a failure too); once they are used up within an
   * hour, feeds rank without it until the next model.
   */
  const restartThread = (failed: ServingModel): void => {
    const delays = options.threadRestartDelaysMs ?? THREAD_RESTART_DELAYS_MS;
    const t = Date.now();
    while (threadRestarts.length > 0 && threadRestarts[0]! < t - 3_600_000) threadRestarts.shift();
    if (!opened || serving !== failed || threadRestarts.length >= delays.length) return;
    const delayMs = delays[threadRestarts.length]!;
    threadRestarts.push(t + delayMs);
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!opened || serving !== failed) return;
      failed.rebuildThread().then(
        (rebuilt) => {
          if (rebuilt === undefined) return;
          if (opened && serving === failed) {
            threadCounts.restarts++;
            serve(rebuilt);
          } else void rebuilt.releaseIndex().catch(() => {});
        },
        () => restartThread(failed),
      );
    }, delayMs);
    restartTimer.unref();
  };

  const trainBatch = async (): Promise<TrainResult | undefined> => {
    const started = performance.now();
    const handOff: {
      saved?: {
        report: TrainReport;
        toModel: Int32Array;
        version: number;
        trainedAt: number;
      };
    } = {};
    // The snapshot is written before a large catalogue's index is read: the write's transient (the
    // row SQLite builds from the model's bytes) and the index are never in memory together.
    const fitted = await fitFromState(async ({ bytes, report }, items) => {
      const fullReport: TrainReport = { ...report, trainMs: Math.round(performance.now() - started) };
      const toModel = await engineToModel(items);
      // The ids as bytes in shared memory, not as JSON in the meta: no string per id or chunk is made.
      const itemIds = await encodeItemIdSection(toModel, items.length, (i) => state.items.id(i));
      const version = (serving?.version ?? 0) + 1;
      const trainedAt = now();
      await store.saveSnapshot({
        name: SERVING_SNAPSHOT,
        version,
        trainedAt,
        meta: { report: fullReport },
        data: bytes,
        itemIds,
      });
      handOff.saved = { report: fullReport, toModel, version, trainedAt };
    });
    if (fitted === undefined || handOff.saved === undefined) return undefined;
    const { model, ann, items, bytes } = fitted;
    const { report, toModel, version, trainedAt } = handOff.saved;
    // One assignment: requests see either the old model or the new one, never a mix.
    serve(
      ServingModel.fromTransferable(state, model, items, { version, trainedAt, report, ann, bytes }, toModel),
    );
    await options.onSnapshotSaved?.({ name: SERVING_SNAPSHOT, version });
    return { version, trainedAt, report };
  };

  const trainLabels = async (): Promise<number | undefined> => {
    const items = await labelTrainingItems(state);
    if (items === undefined) return undefined;
    const bytes = await trainLabelsInWorker(items);
    const version = (labelService.version ?? 0) + 1;
    const trainedAt = now();
    await store.saveSnapshot({
      name: LABEL_SNAPSHOT,
      version,
      trainedAt,
      meta: { items: items.length },
      data: bytes,
    });
    labelService.setModel(bytes, version, trainedAt);
    await options.onSnapshotSaved?.({ name: LABEL_SNAPSHOT, version });
    return version;
  };

  /**
   * A serving snapshot's model item -> engine item map, looked up from its item id section, or its
   * ids (snapshots written before the section held them in the meta); ids that do not fit the model
   * fail before any is added to the catalogue's index. The section is read in slices.
   */
  const snapshotItems = async (
    snapshot: ModelSnapshot,
    itemCount: number,
  ): Promise<Int32Array | readonly string[]> => {
    if (snapshot.itemIds !== undefined) {
      const items = new Int32Array(itemCount);
      await decodeItemIdSection(snapshot.itemIds, itemCount, (m, id) => {
        items[m] = state.items.intern(id);
      });
      return items;
    }
    const ids = snapshot.meta.itemIds;
    if (!Array.isArray(ids) || ids.length !== itemCount || !ids.every((id) => typeof id === 'string')) {
      throw new SetlistError('SETLIST_ERR_INTERNAL', {
        message: `The snapshot ${snapshot.name} version ${snapshot.version} has no item ids for its ${itemCount} items: retrain the model to write a new snapshot.`,
      });
    }
    return ids as string[];
  };

  /**
   * Swaps in a model snapshot (from the store, or announced by another node) if it is newer. A
   * serving model's ids are looked up in slices, so requests go on meanwhile with the model before;
   * a newer model served in the meantime wins.
   */
  const useSnapshot = async (snapshot: ModelSnapshot): Promise<boolean> => {
    if (snapshot.name === SERVING_SNAPSHOT) {
      const newer = (): boolean => serving === undefined || serving.version < snapshot.version;
      if (!newer()) return false;
      const meta = snapshot.meta as { report: TrainReport };
      // Read in place: the snapshot's bytes are the model's only copy (a store hands out fresh bytes).
      const model = modelFromBytes(snapshot.data, { copy: false });
      const items = await snapshotItems(snapshot, model.meta.itemCount);
      const toModel = items instanceof Int32Array ? await engineToModel(items) : undefined;
      if (!newer()) return false;
      const installed = ServingModel.fromTransferable(
        state,
        model,
        items,
        {
          version: snapshot.version,
          trainedAt: snapshot.trainedAt,
          report: meta.report,
        },
        toModel,
      );
      serve(installed);
      if (needsIndex(installed.model, options.largeCatalogueItems)) {
        // Feeds rank without the model until the index is built off the event loop (see `ranking`);
        // a failed build keeps that.
        // The search thread reads the model where the server does: in shared memory, copied once.
        void sharedBytes(snapshot.data)
          .then(async (shared) => ({ shared, ann: await buildAnnSearchThread(shared) }))
          .then(
            ({ shared, ann }) => {
              if (ann === undefined) return;
              if (serving === installed) serve(installed.withIndex(ann, shared));
              // A newer model arrived while this one's index was built: the index is not served.
              else void ann.release().catch(() => {});
            },
            () => {},
          );
      }
      return true;
    }
    if (snapshot.name === LABEL_SNAPSHOT) {
      if (labelService.version !== null && labelService.version >= snapshot.version) return false;
      labelService.setModel(snapshot.data, snapshot.version, snapshot.trainedAt);
      return true;
    }
    const current = snapshots.get(snapshot.name);
    if (current !== undefined && current.version >= snapshot.version) return false;
    snapshots.set(snapshot.name, snapshot);
    return true;
  };

  const profileOf = (id: string): UserProfile => {
    const u = state.users.get(id);
    const controls = (u < 0 ? undefined : state.userRecords.get(u)?.controls) ?? { muted: [], declared: [] };
    const facets = u < 0 ? [] : facetIndex.facets(u, now(), controls.muted).map((f) => facetView(state, f));
    const user = u < 0 ? undefined : state.userStates.get(u);
    const recent = user === undefined ? [] : recentHistory(state, user, PROFILE_RECENT_ITEMS);
    return { userId: id, facets, declared: controls.declared, muted: controls.muted, recent };
  };

  const existingItem = (id: string): ItemRecord | undefined => {
    const i = state.items.get(id);
    return i < 0 ? undefined : state.records[i];
  };

  return {
    config,
    async open() {
      const t0 = now();
      phase = 'loading';
      try {
        // Co-occurrence's thread starts while the store is read, not at the first ingest.
        state.startThreads();
        await store.migrate();
        await loadCatalogue();
      } catch (err) {
        phase = 'closed';
        markServing?.reject(err);
        throw err;
      }
      phase = 'catching-up';
      opened = true;
      servingAfterMs = now() - t0;
      markServing?.resolve();
      const closedWhileOpening = (): SetlistError =>
        new SetlistError('SETLIST_ERR_UNAVAILABLE', {
          message: 'The engine was closed while it replayed its event log.',
        });
      try {
        await catchUp();
        if (isClosed()) throw closedWhileOpening();
        // Events accepted between the replay's last read and now are read by one more pass; any that
        // an ingest applied itself meanwhile are claimed already, so none is applied twice.
        caughtUp = true;
        await catchUp();
        for (const name of [LABEL_SNAPSHOT, SERVING_SNAPSHOT]) {
          const snapshot = await store.loadSnapshot(name);
          if (snapshot !== undefined) await useSnapshot(snapshot);
        }
      } catch (err) {
        // Closed meanwhile (the store's reads then fail), or the state would stay partial: no more
        // requests; the caller closes the engine.
        const closed = isClosed();
        opened = false;
        phase = 'closed';
        throw closed ? closedWhileOpening() : err;
      }
      if (phase !== 'catching-up') throw closedWhileOpening();
      phase = 'open';
      readyAfterMs = now() - t0;
    },
    whenServing() {
      return servingNow;
    },
    readiness,
    async close() {
      opened = false;
      phase = 'closed';
      clearTimeout(restartTimer);
      await serving?.releaseIndex();
      await state.close();
      await store.close();
    },

    async putItem(itemId, body) {
      requireOpen();
      const id = checkId(itemId, 'itemId');
      const fields = unwrap(validate(itemPutSchema, body));
      if (fields.id !== undefined && fields.id !== id) {
        throw new SetlistError('SETLIST_ERR_VALIDATION', {
          message: 'must match the id in the path',
          path: 'id',
        });
      }
      const record = toItemRecord(id, fields, '', existingItem(id));
      await store.writeItems([record]);
      state.upsertItem(record);
      return record;
    },

    async putItems(body) {
      requireOpen();
      if (isObject(body) && Array.isArray(body.items) && body.items.length > config.maxItemsPerBatch) {
        throw new SetlistError('SETLIST_ERR_BATCH_TOO_LARGE', {
          message: `A batch may hold at most ${config.maxItemsPerBatch} items; this one has ${body.items.length}.`,
          path: 'items',
        });
      }
      const batch = unwrap(validate(itemBatchSchema, body));
      const records = batch.items.map((item, k) =>
        toItemRecord(item.id, item, `items.${k}.`, existingItem(item.id)),
      );
      await store.writeItems(records);
      for (const r of records) state.upsertItem(r);
      return { upserted: records.length };
    },

    async patchItem(itemId, body, options) {
      requireOpen();
      const id = checkId(itemId, 'itemId');
      const patch = unwrap(validate(itemPatchSchema, body));
      const previous = existingItem(id);
      if (previous === undefined) throw notFound('item', id);
      const t = now();
      const next: ItemRecord = { ...previous, updatedAt: t };
      const nullable = ['creatorId', 'caption', 'category', 'durationMs', 'embedding'] as const;
      for (const key of nullable) {
        const v = patch[key];
        if (v === null) delete next[key];
        else if (v !== undefined) (next as unknown as Record<string, unknown>)[key] = v;
      }
      if (patch.tags !== undefined) next.tags = dedupe(patch.tags);
      if (patch.createdAt !== undefined) next.createdAt = unwrap(checkTime(patch.createdAt, t), 'createdAt');
      const audit: AuditEntry[] = [];
      if (patch.visibility !== undefined && patch.reason !== undefined) {
        next.visibility = patch.visibility;
        next.visibilityReason = patch.reason;
        // A new reason for the same state is audited too (who changed why an item is hidden); a retry
        // of the same change is not.
        if (patch.visibility !== previous.visibility || patch.reason !== previous.visibilityReason) {
          audit.push({
            itemId: id as ItemId,
            at: t,
            actor: auditActor(options?.actor, patch.actor),
            action: patch.visibility === 'hidden' ? 'hide' : 'restore',
            reason: patch.reason,
          });
        }
      }
      await store.writeItems([next], audit);
      state.upsertItem(next);
      return next;
    },

    async getItem(itemId) {
      requireOpen();
      const record = existingItem(checkId(itemId, 'itemId'));
      if (record === undefined) throw notFound('item', itemId);
      return record;
    },

    async itemAudit(itemId) {
      requireOpen();
      const id = checkId(itemId, 'itemId');
      if (existingItem(id) === undefined) throw notFound('item', id);
      return store.listAudit(id as ItemId);
    },

    async putUser(userId, body) {
      requireOpen();
      const id = checkId(userId, 'userId');
      const fields = unwrap(validate(userPutSchema, body ?? {}));
      if (fields.id !== undefined && fields.id !== id) {
        throw new SetlistError('SETLIST_ERR_VALIDATION', {
          message: 'must match the id in the path',
          path: 'id',
        });
      }
      const u = state.users.get(id);
      const previous = u < 0 ? undefined : state.userRecords.get(u);
      const t = now();
      const record: UserRecord = {
        id: id as UserId,
        traits: { ...(fields.traits ?? {}) },
        controls: previous?.controls ?? { muted: [], declared: [] },
        createdAt: previous?.createdAt ?? t,
        updatedAt: t,
      };
      await store.writeUsers([record]);
      state.upsertUser(record);
      return record;
    },

    async getUser(userId) {
      requireOpen();
      const id = checkId(userId, 'userId');
      const u = state.users.get(id);
      const record = u < 0 ? undefined : state.userRecords.get(u);
      if (record !== undefined) return record;
      const known = u < 0 ? undefined : state.userStates.get(u);
      if (known !== undefined) {
        // Known from events only: a user exists once they act, from their first event on.
        const since = Number.isFinite(known.firstEventAt) ? known.firstEventAt : 0;
        return {
          id: id as UserId,
          traits: {},
          controls: { muted: [], declared: [] },
          createdAt: since,
          updatedAt: since,
        };
      }
      throw notFound('user', id);
    },

    async ingest(body) {
      requireOpen();
      if (logFailure !== undefined) throw logFailed(logFailure);
      if (isObject(body) && Array.isArray(body.events) && body.events.length > config.maxEventsPerBatch) {
        throw new SetlistError('SETLIST_ERR_BATCH_TOO_LARGE', {
          message: `A batch may hold at most ${config.maxEventsPerBatch} events; this one has ${body.events.length}.`,
          path: 'events',
        });
      }
      const batch = unwrap(validateEventBatch(body));
      const t = now();
      // The engine's own copy of each event, in its logged form from the start: the store answers with
      // seqs, which are written in here, so a stored event is not a second object.
      const events: StoredEvent[] = batch.events.map((e, k) => {
        const event: StoredEvent = {
          seq: 0,
          userId: e.userId as UserId,
          itemId: e.itemId as ItemId,
          type: e.type,
          at: e.at === undefined ? t : unwrap(checkTime(e.at, t), `events.${k}.at`),
          receivedAt: t,
        };
        if (e.id !== undefined) event.id = e.id;
        if (e.watchMs !== undefined) event.watchMs = e.watchMs;
        if (e.watchRatio !== undefined) event.watchRatio = e.watchRatio;
        return event;
      });
      let stored: StoredEvent[] | undefined;
      let appliedHere = false;
      let applyError: unknown;
      const apply = (result: AppendResult): void => {
        const kept = result.duplicates.length === 0 ? events : [];
        for (let k = 0; k < events.length; k++) {
          const seq = result.seqs[k]!;
          events[k]!.seq = seq;
          if (seq !== 0 && kept !== events) kept.push(events[k]!);
        }
        stored = kept;
        // While the log is replayed at open, the replay applies these in log order.
        if (caughtUp) {
          applyOnce(kept);
          appliedHere = true;
        }
      };
      let result: AppendResult;
      try {
        // Applied as soon as the store knows the seqs, while it makes them durable; answered after.
        result = await store.appendEvents(events, t, (logged) => {
          try {
            apply(logged);
          } catch (err) {
            applyError = err;
          }
        });
      } catch (err) {
        if (appliedHere) {
          // The online state holds events the log does not, and their seqs may be reused: only a
          // restart, which rebuilds the state from the log, makes them agree again.
          logFailure ??= err;
          throw logFailed(err);
        }
        throw err;
      }
      if (applyError !== undefined) throw applyError;
      if (stored === undefined) apply(result);
      await state.settled();
      // Gaps in the log (ids skipped as duplicates) keep seqs above the watermark; a read of the log
      // moves it past them, so that memory stays bounded without other nodes' catch-ups.
      if (caughtUp && applied.pending > 10_000 && !compacting) {
        compacting = true;
        void catchUp()
          .catch(() => {})
          .finally(() => {
            compacting = false;
          });
      }
      const accepted = stored!;
      if (options.onEventsStored !== undefined && accepted.length > 0) {
        await options.onEventsStored(accepted);
      }
      return { accepted: accepted.length, duplicates: result.duplicates.length };
    },

    async feed(userId, n, options) {
      requireOpen();
      const id = checkId(userId, 'userId');
      const count = unwrap(validate(countSchema, n ?? 20, 'n'));
      const lang = langOption(options);
      const nowMs = now();
      const first = feedRetrieval(state, config, id, nowMs, ranking(), feedCaches);
      return withRetrieval(first, (retrieved) => {
        requireOpen();
        return {
          items: buildFeed(
            state,
            config,
            facetIndex,
            id,
            count,
            nowMs,
            ranking(),
            feedRandom(id, nowMs),
            feedCaches,
            retrieved,
            lang,
          ),
        };
      });
    },

    async similar(itemId, n, options) {
      requireOpen();
      const id = checkId(itemId, 'itemId');
      const count = unwrap(validate(countSchema, n ?? 20, 'n'));
      const lang = langOption(options);
      const i = state.items.get(id);
      if (i < 0 || state.records[i] === undefined) throw notFound('item', id);
      const first = ranking()?.retrievalFor([{ item: i, weight: 1 }], MODEL_NEIGHBOURS);
      return withRetrieval(first, (retrieved) => {
        requireOpen();
        return { items: buildSimilar(state, config, i, count, ranking(), retrieved, lang) };
      });
    },

    async trending(n, options) {
      requireOpen();
      const count = unwrap(validate(countSchema, n ?? 20, 'n'));
      return state.trends.trending(state, count, now(), langOption(options));
    },

    explorationAudit(n = 20) {
      const explored = state.exploration.explored;
      const top =
        n > 0 ? topK(explored.data.subarray(0, state.itemCount), n, (i) => explored.get(i) <= 0) : [];
      return {
        impressions: state.exploration.exploredTotal,
        items: Array.from(top, (i) => ({ itemId: state.items.id(i), impressions: explored.get(i) })),
      };
    },

    async profile(userId) {
      requireOpen();
      return profileOf(checkId(userId, 'userId'));
    },

    async patchProfile(userId, body) {
      requireOpen();
      const id = checkId(userId, 'userId');
      const patch = unwrap(validate(profilePatchSchema, body));
      const u = state.users.get(id);
      const previous = u < 0 ? undefined : state.userRecords.get(u);
      const muted = new Set(previous?.controls.muted ?? []);
      for (const f of patch.mute ?? []) muted.add(f);
      for (const f of patch.unmute ?? []) muted.delete(f);
      const declared = new Map((previous?.controls.declared ?? []).map((d) => [d.tag, d.weight]));
      for (const d of patch.declare ?? []) {
        if (d.weight === 0) declared.delete(d.tag);
        else declared.set(d.tag, d.weight);
      }
      const t = now();
      const record: UserRecord = {
        id: id as UserId,
        traits: previous?.traits ?? {},
        controls: { muted: [...muted], declared: [...declared].map(([tag, weight]) => ({ tag, weight })) },
        createdAt: previous?.createdAt ?? t,
        updatedAt: t,
      };
      await store.writeUsers([record]);
      state.upsertUser(record);
      return profileOf(id);
    },

    train() {
      requireReady();
      training ??= (async () => {
        const [batch, labels] = await Promise.all([trainBatch(), trainLabels()]);
        if (batch === undefined) return undefined;
        return labels === undefined ? batch : { ...batch, labelModelVersion: labels };
      })().finally(() => {
        training = undefined;
      });
      return training;
    },

    async quality() {
      requireOpen();
      const reports: unknown[] = [];
      if (serving !== undefined) {
        reports.push({
          name: `serving blend v${serving.version} (validation)`,
          at: serving.trainedAt,
          metrics: {
            'NDCG@10': serving.report.validation.ndcg10,
            'Recall@20': serving.report.validation.recall20,
          },
        });
      }
      for (const name of QUALITY_REPORTS) {
        const snapshot = await store.loadSnapshot(`report:${name}`);
        if (snapshot === undefined) continue;
        reports.push({
          name,
          at: snapshot.trainedAt,
          ...JSON.parse(new TextDecoder().decode(snapshot.data)),
        });
      }
      return { reports };
    },

    async itemLabels(itemId) {
      requireOpen();
      const id = checkId(itemId, 'itemId');
      const i = state.items.get(id);
      if (i < 0 || state.records[i] === undefined) throw notFound('item', id);
      return labelService.labels(i);
    },

    async creatorProfile(creatorId) {
      requireOpen();
      const id = checkId(creatorId, 'creatorId');
      const profile = labelService.creatorProfile(id);
      if (profile === undefined) throw notFound('creator', id);
      return profile;
    },

    async status() {
      requireOpen();
      const counts = await store.counts();
      const t = now();
      const stats = servingStats();
      const batch: EngineStatus['models'] =
        serving === undefined || stats === undefined
          ? []
          : [
              {
                name: 'blend',
                kind: 'batch',
                version: serving.version,
                trainedAt: serving.trainedAt,
                report: serving.report,
                retrieval: stats.retrieval,
                ...(stats.thread ? { thread: true } : {}),
                candidateCache: stats.candidateCache,
              },
            ];
      return {
        store: store.kind,
        // Users with a record or with events (the store holds records only); the larger count covers
        // records another node wrote that this one has not loaded yet.
        counts: {
          ...counts,
          users: Math.max(counts.users, state.users.size),
          creators: state.creators.size,
        },
        models: [
          { name: 'popularity', kind: 'online', version: state.eventsApplied, trainedAt: t },
          {
            name: 'cooccurrence',
            kind: 'online',
            version: state.eventsApplied,
            trainedAt: t,
            thread: state.cooccurrenceThreaded,
          },
          ...batch,
          ...(labelService.version === null
            ? []
            : [
                {
                  name: 'labels',
                  kind: 'batch' as const,
                  version: labelService.version,
                  trainedAt: labelService.trainedAt,
                },
              ]),
          ...[...snapshots.values()].map((s) => ({
            name: s.name,
            kind: 'batch' as const,
            version: s.version,
            trainedAt: s.trainedAt,
          })),
        ],
        training: training !== undefined,
        eventsBehind: Math.max(0, counts.events - state.eventsApplied),
        ...(logFailure === undefined ? {} : { ingestStopped: logFailed(logFailure).message }),
        ...(options.cluster === undefined ? {} : { cluster: options.cluster() }),
        startup: {
          ...readiness(),
          ...(servingAfterMs === undefined ? {} : { servingAfterMs }),
          ...(readyAfterMs === undefined ? {} : { readyAfterMs }),
        },
        startedAt,
        uptimeMs: t - startedAt,
      };
    },

    health() {
      return logFailure === undefined ? { ok: true } : { ok: false, reason: logFailed(logFailure).message };
    },

    cluster() {
      return options.cluster?.();
    },

    applyRemoteEvents(events) {
      requireOpen();
      const n = applyOnce(events);
      // Handed to co-occurrence's thread now; a failure there fails the next ingest and settled().
      state.settled().catch(() => {});
      return n;
    },

    settled() {
      return state.settled();
    },

    applyRemoteRecords(change) {
      requireOpen();
      let n = 0;
      for (const item of change.items ?? []) {
        const held = existingItem(item.id);
        if (held !== undefined && (held.updatedAt > item.updatedAt || sameRecord(held, item))) continue;
        state.upsertItem(item);
        n++;
      }
      for (const user of change.users ?? []) {
        const u = state.users.get(user.id);
        const held = u < 0 ? undefined : state.userRecords.get(u);
        if (held !== undefined && (held.updatedAt > user.updatedAt || sameRecord(held, user))) continue;
        state.upsertUser(user);
        n++;
      }
      return n;
    },

    async catchUp() {
      requireOpen();
      return catchUp();
    },

    installSnapshot(snapshot) {
      return useSnapshot(snapshot);
    },

    snapshot(name) {
      return snapshots.get(name);
    },

    servingModel() {
      return serving;
    },

    servingStats,

    modelHistory(userId) {
      const u = state.users.get(userId);
      const user = u >= 0 ? state.userStates.get(u) : undefined;
      return user === undefined ? [] : modelHistory(user, now(), config.signalHalfLifeMs);
    },
  };
}

/** Whether a model is served through an ANN index: item vectors over a catalogue too large to scan. */
/** Whether a record another node wrote is the one held here: same time, same fields (as stored). */
function sameRecord(held: { updatedAt: number }, incoming: { updatedAt: number }): boolean {
  return held.updatedAt === incoming.updatedAt && JSON.stringify(held) === JSON.stringify(incoming);
}

function needsIndex(model: Model, largeCatalogueItems = LARGE_CATALOGUE_ITEMS): boolean {
  return model.capabilities.needsItemVectors && model.itemCount > largeCatalogueItems;
}

/** How many recent items the profile lists. */
const PROFILE_RECENT_ITEMS = 20;

/** The user's latest items, newest first. A hidden item is left out: it is shown to no one, not even here. */
function recentHistory(state: OnlineState, user: UserState, n: number): UserProfile['recent'] {
  const entries = [...user.lastAt.entries()]
    .filter(([item]) => state.records[item]?.visibility !== 'hidden')
    // Ties with the item first engaged last ahead, as facets order them (see FacetIndex's signals).
    .reverse()
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
  return entries.map(([item, at]) => ({
    itemId: state.items.id(item),
    at,
    weight: Math.round((user.weights.get(item) ?? 0) * 1e4) / 1e4,
  }));
}

/** The store snapshot name of the serving model. */
export const SERVING_SNAPSHOT = 'serving-blend';
export const LABEL_SNAPSHOT = 'labels';
/** Reports that commands save into the store for the dashboard. */
const QUALITY_REPORTS = ['eval', 'simulate'] as const;

/** Options of a ranked list: see {@link Engine.feed}. */
export interface ListOptions {
  lang?: ReasonLanguage | undefined;
}

function langOption(options: ListOptions | undefined): ReasonLanguage | undefined {
  return options?.lang === undefined ? undefined : unwrap(validate(langSchema, options.lang, 'lang'));
}

function unwrap<T>(result: Result<T>, pathPrefix?: string): T {
  if (result.ok) return result.value;
  const issue: Issue = result.issues[0]!;
  const path = [pathPrefix, issue.path].filter((p) => p !== undefined && p !== '').join('.');
  throw new SetlistError('SETLIST_ERR_VALIDATION', {
    // An issue with no path is the whole body's ("must have at least one of mute, unmute, declare").
    message: `${path === '' ? 'The body' : path} ${issue.message}`,
    ...(path === '' ? {} : { path }),
  });
}

function notFound(kind: 'item' | 'user' | 'creator', id: string): SetlistError {
  return new SetlistError('SETLIST_ERR_NOT_FOUND', {
    message: `No ${kind} with id "${id.slice(0, 256)}".`,
    path: `${kind}Id`,
  });
}

/** The authenticated caller when known, with the actor the body names on whose behalf it acts. */
function auditActor(authenticated: string | undefined, claimed: string | undefined): string {
  if (authenticated === undefined) return claimed ?? 'api';
  return claimed === undefined ? authenticated : `${authenticated} (for ${claimed})`;
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
