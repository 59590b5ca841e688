/**
 * setlist's public API. `createSetlist` wires the default embedded store (SQLite); `createEngine`
 * takes any Store, so Postgres deployments never load the SQLite module through it.
 */
export type { EngineConfig } from './engine/config.js';
export { DEFAULT_ENGINE_CONFIG } from './engine/config.js';
export type {
  ClusterHealth,
  Engine,
  EngineOptions,
  EngineStatus,
  IngestResult,
  ListOptions,
} from './engine/engine.js';
export { createEngine } from './engine/engine.js';
export type { FeedItem } from './engine/feed.js';
export type { Reason, ReasonLanguage, ReasonSource } from './engine/reasons.js';
export type { ErrorCode } from './errors.js';
export { errorCatalogue, SetlistError } from './errors.js';
export type { AppOptions } from './server/app.js';
export { buildApp } from './server/app.js';
export type { ApiKey, AuthOptions, Scope } from './server/auth.js';
export { parseApiKeysEnv, parseKeysFile } from './server/auth.js';
export type { RateLimitOptions } from './server/rate-limit.js';
export type { AppendResult, Store } from './store/store.js';
export { storedEvents } from './store/store.js';
export type {
  AuditEntry,
  EventInput,
  EventRecord,
  EventType,
  ItemBatchEntry,
  ItemId,
  ItemInput,
  ItemPatch,
  ItemRecord,
  ProfilePatch,
  StoredEvent,
  TimeInput,
  TraitValue,
  UserId,
  UserInput,
  UserRecord,
} from './types.js';
export { EVENT_TYPES } from './types.js';

import { createEngine, type Engine, type EngineOptions } from './engine/engine.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';

export { createSqliteStore };

/**
 * An engine on the embedded SQLite store, opened and ready.
 *
 * @example
 * const engine = await createSetlist({ dbPath: './setlist.db' });
 * await engine.ingest({ events: [{ userId: 'u1', itemId: 'v1', type: 'view', watchRatio: 0.9 }] });
 */
export async function createSetlist(
  options: { dbPath: string } & Omit<EngineOptions, 'store'>,
): Promise<Engine> {
  const { dbPath, ...rest } = options;
  const engine = createEngine({ ...rest, store: createSqliteStore({ path: dbPath }) });
  await engine.open();
  return engine;
}
