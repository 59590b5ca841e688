import type Database from 'better-sqlite3';

/**
 * The event log's dedupe key: a 48-bit hash of an event id, kept in `events.id_hash` under a
 * non-unique index, so that the index holds 6-byte integers instead of the ids (36-45 characters for
 * a UUID). A match is confirmed by comparing the full id, so two ids that share a hash stay distinct.
 * The value is stored in every database: never change the function.
 *
 * @example
 * eventIdHash('3f6c1d2e-8a4b-4f0e-9c71-5d2b8e0a1f34'); // a safe integer in [-2^47, 2^47)
 */
export function eventIdHash(id: string): number {
  let lo = 0x811c9dc5;
  let hi = 0x9747b28c;
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    lo = Math.imul(lo ^ c, 0x01000193);
    hi = Math.imul(hi ^ c, 0x5bd1e995);
  }
  lo = Math.imul(lo ^ (lo >>> 16), 0x85ebca6b);
  lo = Math.imul(lo ^ (lo >>> 13), 0xc2b2ae35);
  lo ^= lo >>> 16;
  hi = Math.imul(hi ^ (hi >>> 15), 0x2c1b3c6d);
  hi = Math.imul(hi ^ (hi >>> 12), 0x297a2d39);
  hi ^= hi >>> 15;
  // A signed 16-bit high part: SQLite stores integers in [-2^47, 2^47) in 6 bytes.
  return (hi >> 16) * 0x1_0000_0000 + (lo >>> 0);
}

/** The SQL function the schema migration calls to hash the ids already in the log. */
export const EVENT_ID_HASH_SQL = 'setlist_event_id_hash';

/**
 * Registers {@link EVENT_ID_HASH_SQL} on a connection: NULL for an event without an id.
 *
 * @example
 * registerEventIdHash(db); // before running the migrations
 */
export function registerEventIdHash(db: Database.Database): void {
  db.function(EVENT_ID_HASH_SQL, { deterministic: true }, (id: unknown) =>
    typeof id === 'string' ? eventIdHash(id) : null,
  );
}
