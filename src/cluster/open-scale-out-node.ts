import { createEngine, type Engine, LABEL_SNAPSHOT, SERVING_SNAPSHOT } from '../engine/engine.js';
import { SetlistError } from '../errors.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { migrationMessage } from '../store/store.js';
import { createClusterNode } from './cluster-node.js';
import { defaultPrefix } from './event-stream.js';
import { RecordFollower } from './record-follower.js';
import { POPULARITY_MODEL } from './stream-worker.js';

export interface ScaleOutOptions {
  /** postgres://... */
  store: string;
  /** redis://...; without it nodes see each other's events through the store's log only (about 1 s). */
  redis?: string;
  schema?: string;
  nodeId?: string;
  /** Key prefix of the Redis stream and channels; by default `setlist`, or `setlist-<schema>` for another schema. */
  prefix?: string;
  poolSize?: number;
  /** The newest versions of each model snapshot the store keeps (3 by default). */
  snapshotsKept?: number;
  catchUpIntervalMs?: number;
  /**
   * Co-occurrence's updates on a worker thread of their own (the engine option of that name; on by
   * default). The node follows the stream one read at a time: it counts other nodes' events as
   * applied, and reads the next ones, once the thread has applied them too.
   */
  cooccurrenceThread?: boolean;
  /**
   * Resolve once the engine takes requests (its catalogue is loaded), while its event log is still
   * replayed; `ready` resolves once it is replayed and the node follows the cluster. Off by default:
   * the node is returned ready.
   */
  serveWhileReplaying?: boolean;
  log?: (message: string, err?: unknown) => void;
}

export interface ScaleOutNode {
  engine: Engine;
  nodeId: string;
  /**
   * Resolves once the engine has replayed the event log and the node follows the cluster (at once
   * without `serveWhileReplaying`); rejects if the replay fails.
   */
  ready: Promise<void>;
  /** Leaves the cluster (stream, timers, Redis connections); close the engine after. */
  leave(): Promise<void>;
  /** Announces a model version saved in the store to every node; false without Redis. */
  announce(model: { name: string; version: number }): Promise<boolean>;
}

/**
 * An API node of a scaled-out deployment: an engine on Postgres, joined to the others through the
 * Redis event stream. `stop()` leaves the cluster; close the HTTP server first so in-flight requests
 * finish their commits and publishes, then `leave()`, then close the engine.
 *
 * @example
 * const node = await openScaleOutNode({ store: 'postgres://db/setlist', redis: 'redis://cache:6379' });
 * const app = buildApp({ engine: node.engine });
 */
export async function openScaleOutNode(options: ScaleOutOptions): Promise<ScaleOutNode> {
  if (!/^postgres(ql)?:\/\//i.test(options.store)) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: `--store must be a postgres:// connection string to scale out, got "${options.store.slice(0, 100)}"`,
      path: 'store',
    });
  }
  const log = options.log ?? (() => {});
  const store = createPostgresStore({
    connectionString: options.store,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.snapshotsKept === undefined ? {} : { snapshotsKept: options.snapshotsKept }),
    onMigration: (step) => log(migrationMessage('postgres', step)),
  });
  const thread =
    options.cooccurrenceThread === undefined ? {} : { cooccurrenceThread: options.cooccurrenceThread };
  /** Opens `engine`; then, unless the node left meanwhile, `join` (once the log is replayed). */
  const opened = async (engine: Engine, join: () => Promise<void>) => {
    let left = false;
    let joined: Promise<void> | undefined;
    const ready = engine.open().then(() => {
      if (left) return;
      joined = join();
      return joined;
    });
    ready.catch(() => {});
    if (options.serveWhileReplaying === true) await engine.whenServing();
    else await ready;
    return {
      ready,
      /** Stops `join` from starting; resolves once a join already started has. */
      async leaving() {
        left = true;
        await joined?.catch(() => {});
      },
    };
  };
  if (options.redis === undefined) {
    const engine = createEngine({ store, ...thread });
    // Other nodes' item and user writes are followed from now: the records the engine opens with are newer.
    await store.migrate();
    const records = new RecordFollower(
      { readRecordChanges: (cursor, visit) => store.readRecordChanges!(cursor, visit) },
      engine,
    );
    await records.skipToEnd();
    let timer: NodeJS.Timeout | undefined;
    let following: Promise<unknown> | undefined;
    const { ready, leaving } = await opened(engine, async () => {
      timer = setInterval(() => {
        void engine.catchUp().catch((err: unknown) => log('catch-up from the store failed', err));
        following ??= records
          .poll()
          .catch((err: unknown) => log("following the store's item and user writes failed", err))
          .finally(() => {
            following = undefined;
          });
      }, options.catchUpIntervalMs ?? 500);
      timer.unref();
    });
    return {
      engine,
      nodeId: options.nodeId ?? 'standalone',
      ready,
      async leave() {
        await leaving();
        clearInterval(timer);
        await following;
      },
      async announce() {
        return false;
      },
    };
  }
  const node = createClusterNode({
    redisUrl: options.redis,
    store,
    models: [POPULARITY_MODEL, SERVING_SNAPSHOT, LABEL_SNAPSHOT],
    log,
    ...(options.nodeId === undefined ? {} : { nodeId: options.nodeId }),
    prefix: options.prefix ?? defaultPrefix(options.schema),
    ...(options.catchUpIntervalMs === undefined ? {} : { catchUpIntervalMs: options.catchUpIntervalMs }),
  });
  const engine = createEngine({
    store: node.publishingStore(),
    onEventsStored: (events) => node.publish(events),
    cluster: () => node.health(),
    ...thread,
    // A model trained on this node (e.g. `serve --train-every`) is announced to the others.
    onSnapshotSaved: async (model) => {
      await node.announce(model);
    },
  });
  // Events and records accepted while the log is replayed are published too: the publisher connects
  // as the engine opens, not as the node joins.
  const connected = node.connect();
  const { ready, leaving } = await opened(engine, () => node.start(engine)).catch(async (err: unknown) => {
    // Nothing was started but the publisher's connection: close it.
    await node.stop();
    throw err;
  });
  await connected;
  return {
    engine,
    nodeId: node.nodeId,
    ready,
    async leave() {
      await leaving();
      await node.stop();
    },
    announce: (model) => node.announce(model),
  };
}
