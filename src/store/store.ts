import type {
  AuditEntry,
  EventInput,
  ItemId,
  ItemRecord,
  ModelSnapshot,
  StoreCounts,
  StoredEvent,
  UserId,
  UserRecord,
} from '../types.js';

export interface AppendResult {
  /** The events written by this call, with their log sequence numbers, in input order. */
  stored: StoredEvent[];
  /** Input positions whose `id` was already in the log (a retry): nothing was written for them. */
  duplicates: number[];
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

  writeUsers(users: readonly UserRecord[]): Promise<void>;
  getUser(id: UserId): Promise<UserRecord | undefined>;
  listUsers(page: Page): Promise<UserRecord[]>;

  /** Appends to the event log; an event whose `id` is already logged is skipped, not an error. */
  appendEvents(events: readonly EventInput[], receivedAt: number): Promise<AppendResult>;
  /**
   * Events with `seq > afterSeq`, in log order. Appends become visible in `seq` order: once a reader
   * has seen `seq` N, no event below N appears later, so followers can resume from the last seq read.
   */
  readEvents(afterSeq: number, limit: number): Promise<StoredEvent[]>;

  saveSnapshot(snapshot: ModelSnapshot): Promise<void>;
  /** The newest snapshot of that name. */
  loadSnapshot(name: string): Promise<ModelSnapshot | undefined>;

  counts(): Promise<StoreCounts>;
}

/**
 * The logged form of an appended event, built field by field: one object shape for every event (a
 * spread of a parsed request body's objects costs several microseconds each).
 *
 * @example
 * stored.push(storedEvent(event, Number(info.lastInsertRowid), receivedAt));
 */
export function storedEvent(e: EventInput, seq: number, receivedAt: number): StoredEvent {
  const event: StoredEvent = { seq, userId: e.userId, itemId: e.itemId, type: e.type, at: e.at, receivedAt };
  if (e.id !== undefined) event.id = e.id;
  if (e.watchMs !== undefined) event.watchMs = e.watchMs;
  if (e.watchRatio !== undefined) event.watchRatio = e.watchRatio;
  return event;
}
