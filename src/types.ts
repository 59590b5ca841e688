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

export interface EventInput {
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
export interface StoredEvent extends EventInput {
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
