/**
 * The scale-out entry, `setlist/postgres`: the Postgres store and the Redis cluster wiring. Kept out
 * of the main entry so that embedded (SQLite) users never load `pg` or `ioredis`, and this entry
 * never loads the native SQLite module.
 *
 * @example
 * import { openScaleOutNode } from 'setlist/postgres';
 * const node = await openScaleOutNode({ store: 'postgres://db/setlist', redis: 'redis://cache:6379' });
 */

export type { ClusterHealth, ClusterNode, ClusterNodeOptions } from './cluster/cluster-node.js';
export { createClusterNode } from './cluster/cluster-node.js';
export type { ScaleOutNode, ScaleOutOptions } from './cluster/open-scale-out-node.js';
export { openScaleOutNode } from './cluster/open-scale-out-node.js';
export type { StreamWorker, StreamWorkerOptions, StreamWorkerStats } from './cluster/stream-worker.js';
export { createStreamWorker, POPULARITY_MODEL } from './cluster/stream-worker.js';
export type { PostgresStoreOptions } from './store/postgres/postgres-store.js';
export { createPostgresStore } from './store/postgres/postgres-store.js';
