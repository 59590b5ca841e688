/** Domain records shared by the engine, the stores and the HTTP layer. */

export type ItemId = string & { readonly __brand: 'ItemId' };
export type UserId = string & { readonly __brand: 'UserId' };
export type CreatorId = string & { readonly __brand: 'CreatorId' };

export const EVENT_TYPES = [
  'impression',
  'view',
  'like',
  'share',
  'comment',
  'follow',
  'skip',
  'not_interested',
  'report',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type Visibility = 'visible' | 'hidden';

export interface ItemRecord {
  id: ItemId;
  creatorId?: CreatorId;
  caption?: string;
  tags: string[];
  category?: string;
  /** Epoch milliseconds. */
  createdAt: number;
  durationMs?: number;
  embedding?: number[];
  visibility: Visibility;
  visibilityReason?: string;
  /** Epoch milliseconds of the last write. */
  updatedAt: number;
}

export interface DeclaredInterest {
  tag: string;
  weight: number;
}

/** What a user has said about their own profile: muted facets and declared interests. */
export interface UserControls {
  muted: string[];
  declared: DeclaredInterest[];
}

export interface UserRecord {
  id: UserId;
  traits: Record<string, string | number | boolean | null>;
  controls: UserControls;
  createdAt: number;
  updatedAt: number;
}

/** An event as validated: branded ids, `at` in epoch milliseconds. */
export interface EventRecord {
  id?: string;
  userId: UserId;
  itemId: ItemId;
  type: EventType;
  /** Epoch milliseconds when the event happened. */
  at: number;
  watchMs?: number;
  watchRatio?: number;
}

/** An event as stored: `seq` orders the log. */
export interface StoredEvent extends EventRecord {
  seq: number;
  receivedAt: number;
}

export interface AuditEntry {
  itemId: ItemId;
  at: number;
  actor: string;
  action: 'hide' | 'restore';
  reason: string;
}

export interface ModelSnapshot {
  name: string;
  version: number;
  trainedAt: number;
  meta: Record<string, unknown>;
  data: Uint8Array;
  /**
   * The model items' ids, model item by model item, as a binary section (`encodeItemIdSection`),
   * stored beside the data. Snapshots written before it existed hold them as `meta.itemIds` instead.
   */
  itemIds?: Uint8Array;
}

export interface StoreCounts {
  items: number;
  users: number;
  events: number;
}

/**
 * What a caller passes in (the JSON bodies of HTTP API v1): plain string ids, times as epoch
 * milliseconds or ISO-8601. The engine validates them at run time all the same.
 */

/** A time as the API accepts it: epoch milliseconds or an ISO-8601 string with an offset. */
export type TimeInput = number | string;

/** An item's fields, as `Engine.putItem` and `PUT /v1/items/{id}` take them. */
export interface ItemInput {
  creatorId?: string;
  caption?: string;
  tags?: readonly string[];
  category?: string;
  createdAt?: TimeInput;
  durationMs?: number;
  embedding?: readonly number[];
}

/** An item in a batch (`Engine.putItems`, `POST /v1/items`): its fields and its id. */
export interface ItemBatchEntry extends ItemInput {
  id: string;
}

/** Fields to change; `null` clears an optional field; a visibility change needs a `reason`. */
export interface ItemPatch {
  creatorId?: string | null;
  caption?: string | null;
  tags?: readonly string[];
  category?: string | null;
  createdAt?: TimeInput;
  durationMs?: number | null;
  embedding?: readonly number[] | null;
  visibility?: Visibility;
  reason?: string;
  actor?: string;
}

export type TraitValue = string | number | boolean | null;

export interface UserInput {
  traits?: Record<string, TraitValue>;
}

/** An event as a caller sends it (`Engine.ingest`, `POST /v1/events`). */
export interface EventInput {
  /** Makes a retry idempotent: an event whose id was seen before is counted as a duplicate. */
  id?: string;
  userId: string;
  itemId: string;
  type: EventType;
  /** When it happened; the time it arrives when left out. */
  at?: TimeInput;
  watchMs?: number;
  watchRatio?: number;
}

/** Mutes or unmutes facets (by id) and declares interests, as `Engine.patchProfile` takes them. */
export interface ProfilePatch {
  mute?: readonly string[];
  unmute?: readonly string[];
  declare?: readonly DeclaredInterest[];
}
