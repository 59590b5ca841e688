import { SetlistError } from '../errors.js';
import type {
  AuditEntry,
  EventRecord,
  ItemId,
  ItemRecord,
  ModelSnapshot,
  StoreCounts,
  StoredEvent,
  UserId,
  UserRecord,
} from '../types.js';

export interface AppendResult {
  /**
   * One per input event, in input order: its log sequence number, or 0 where its `id` was already in
   * the log. Numbers, not new event objects: the caller has the events (see {@link storedEvents}).
   */
  seqs: Float64Array;
  /** Input positions whose `id` was already in the log (a retry): nothing was written for them. */
  duplicates: number[];
}

/**
 * One step of upgrading an existing store's schema, reported as it starts and again once it is done
 * (`ms` set). A step can take minutes on a large store: a server that upgrades as it starts says so
 * instead of looking hung. Creating a fresh store's schema is not reported.
 */
export interface MigrationStep {
  /** The schema version this step brings the store to. */
  version: number;
  /** The newest schema version this setlist knows. */
  latest: number;
  /** What the step does, when it is slow on a large store. */
  note?: string;
  /** Set once the step has run: how long it took, in milliseconds. */
  ms?: number;
}

export type MigrationListener = (step: MigrationStep) => void;

/**
 * A log line for a migration step of a store of `kind`.
 *
 * @example
 * migrationMessage('sqlite', { version: 2, latest: 2, ms: 12_300 }); // 'sqlite store: schema version 2 of 2 done in 12.3 s'
 */
export function migrationMessage(kind: string, step: MigrationStep): string {
  const at = `${kind} store: schema version ${step.version} of ${step.latest}`;
  if (step.ms !== undefined) return `${at} done in ${(step.ms / 1000).toFixed(1)} s`;
  return `upgrading the ${at}${step.note === undefined ? '' : ` (${step.note})`}...`;
}

export interface Page {
  /** Return records whose key sorts after this one. */
  after?: string;
  limit: number;
}

/**
 * Everything setlist persists, behind one narrow interface. Every adapter passes the shared contract
 * suite in `store-contract.ts`. Writes are atomic per call: a call that throws has written nothing.
 */
/** One page of {@link Store.readRecordChanges}: records as written, each with the write it came from. */
export interface RecordChangePage {
  items: readonly { record: ItemRecord; version: string }[];
  users: readonly { record: UserRecord; version: string }[];
}

export interface Store {
  readonly kind: string;
  /** Creates or upgrades the schema; refuses a database written by a newer version. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Creates or replaces items, and appends the audit entries, in one transaction. */
  writeItems(items: readonly ItemRecord[], audit?: readonly AuditEntry[]): Promise<void>;
  getItem(id: ItemId): Promise<ItemRecord | undefined>;
  /** Items ordered by id. */
  listItems(page: Page): Promise<ItemRecord[]>;
  listAudit(itemId: ItemId): Promise<AuditEntry[]>;

  /**
   * Follows every item and user write, so that a node sees other nodes' writes without Redis (only a
   * store shared by several nodes has it). With `cursor` undefined it visits nothing and returns the
   * cursor of now; otherwise it visits, a page at a time, every record written since `cursor`, and
   * returns the cursor to pass next. Each write committed before the call is visited by it or an
   * earlier call; a write may be visited again by the next call (the same `version`), never skipped.
   * `version` is a decimal number: once the cursor passes it (as a number), no later call visits it.
   */
  readRecordChanges?(
    cursor: string | undefined,
    visit: (page: RecordChangePage) => void | Promise<void>,
  ): Promise<string>;

  writeUsers(users: readonly UserRecord[]): Promise<void>;
  getUser(id: UserId): Promise<UserRecord | undefined>;
  listUsers(page: Page): Promise<UserRecord[]>;

  /**
   * Appends to the event log; an event whose `id` is already logged is skipped, not an error. Resolves
   * once the events are durable. A store may also call `onLogged`, at most once and before it resolves,
   * with the same result as soon as every event's seq is known and only the commit is left, so that
   * the caller can apply the events while the commit is made durable. If the append then rejects,
   * nothing was written: those seqs may be given to later events.
   */
  appendEvents(
    events: readonly EventRecord[],
    receivedAt: number,
    onLogged?: (result: AppendResult) => void,
  ): Promise<AppendResult>;
  /**
   * Events with `seq > afterSeq`, in log order. Appends become visible in `seq` order: once a reader
   * has seen `seq` N, no event below N appears later, so followers can resume from the last seq read.
   */
  readEvents(afterSeq: number, limit: number): Promise<StoredEvent[]>;

  /**
   * Saves a snapshot and, in the same transaction, deletes that name's versions older than the newest
   * `snapshotsKept` ({@link SNAPSHOTS_KEPT} unless the store was given another number), so a server
   * that retrains every few minutes keeps a bounded store.
   */
  saveSnapshot(snapshot: ModelSnapshot): Promise<void>;
  /** The newest snapshot of that name. */
  loadSnapshot(name: string): Promise<ModelSnapshot | undefined>;

  counts(): Promise<StoreCounts>;
}

/**
 * How many versions of each snapshot name a store keeps by default: the one served, the one before it
 * (a node still loading it finishes), and one more to roll back to by hand.
 */
export const SNAPSHOTS_KEPT = 3;

/**
 * A store option `snapshotsKept`, checked: a whole number of at least 1 (the default when absent).
 *
 * @example
 * const kept = snapshotsKeptOf(options.snapshotsKept); // 3
 */
export function snapshotsKeptOf(kept: number | undefined): number {
  const value = kept ?? SNAPSHOTS_KEPT;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: `snapshotsKept must be a whole number of at least 1, not ${kept}.`,
      path: 'snapshotsKept',
    });
  }
  return value;
}

/**
 * The events an append wrote, in their logged form: the input events with their sequence numbers,
 * duplicates left out.
 *
 * @example
 * const result = await store.appendEvents(events, receivedAt);
 * engine.applyRemoteEvents(storedEvents(events, result, receivedAt));
 */
export function storedEvents(
  events: readonly EventRecord[],
  result: AppendResult,
  receivedAt: number,
): StoredEvent[] {
  const stored: StoredEvent[] = [];
  for (let k = 0; k < events.length; k++) {
    const seq = result.seqs[k]!;
    if (seq !== 0) stored.push(storedEvent(events[k]!, seq, receivedAt));
  }
  return stored;
}

/**
 * The logged form of an appended event, built field by field: one object shape for every event (a
 * spread of a parsed request body's objects costs several microseconds each).
 *
 * @example
 * stored.push(storedEvent(event, Number(info.lastInsertRowid), receivedAt));
 */
export function storedEvent(e: EventRecord, seq: number, receivedAt: number): StoredEvent {
  const event: StoredEvent = { seq, userId: e.userId, itemId: e.itemId, type: e.type, at: e.at, receivedAt };
  if (e.id !== undefined) event.id = e.id;
  if (e.watchMs !== undefined) event.watchMs = e.watchMs;
  if (e.watchRatio !== undefined) event.watchRatio = e.watchRatio;
  return event;
}
