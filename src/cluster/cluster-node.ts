import { Redis } from 'ioredis';
import type { ClusterHealth, Engine } from '../engine/engine.js';
import type { Store } from '../store/store.js';
import type { ItemRecord, StoredEvent, UserRecord } from '../types.js';
import {
  decodeAnnouncement,
  decodeBatch,
  decodeRecords,
  encodeBatch,
  encodeRecords,
  type StreamNames,
  sleep,
  streamNames,
} from './event-stream.js';
import { RecordFollower } from './record-follower.js';

export interface ClusterNodeOptions {
  redisUrl: string;
  /** Where snapshots announced on the models channel are loaded from. */
  store: Store;
  /** Unique per API node; the default is random. */
  nodeId?: string;
  /** Key prefix of the stream and channels. */
  prefix?: string;
  /** How often the node reads the store's log for events it missed (Redis down, a lost publish). */
  catchUpIntervalMs?: number;
  /** The stream is trimmed to about this many entries (batches). */
  streamMaxLen?: number;
  /** Snapshots loaded at start, before any announcement. */
  models?: readonly string[];
  /** Receives one line per failure worth a log entry. */
  log?: (message: string, err?: unknown) => void;
}

export type { ClusterHealth };

export interface ClusterNode {
  readonly nodeId: string;
  /** For `EngineOptions.onEventsStored`: appends a committed batch to the stream; never throws. */
  publish(events: readonly StoredEvent[]): Promise<void>;
  /**
   * Wraps the node's store so that every item and user write is published after its commit; give
   * the engine this store.
   */
  publishingStore(): Store;
  /**
   * Tells every node that a new version of a model is in the store (saved with `saveSnapshot`):
   * each loads it and swaps it in. Resolves false when Redis is away (nodes catch up on reconnect).
   */
  announce(model: { name: string; version: number }): Promise<boolean>;
  /**
   * Connects the publisher, so that the events and records this node accepts before `start` (while
   * its engine replays the log) reach the stream. Settles once the first attempt has, true if it
   * connected (a failure is logged, and the client keeps reconnecting); `start` connects it too if
   * this was not called.
   */
  connect(): Promise<boolean>;
  /** Starts following the stream, the log and the models channel for this engine. */
  start(engine: Engine): Promise<void>;
  /** Stops following and closes the Redis connections; waits for an in-flight catch-up. */
  stop(): Promise<void>;
  health(): ClusterHealth;
}

/**
 * Joins an API node to the cluster. Each accepted batch is appended to a Redis stream after the
 * store commit; every node reads the stream (XREAD from its last id) and applies other nodes'
 * events to its own online state, so a feed from any node reflects an event accepted by any node
 * within milliseconds. The store's log is the source of truth: a periodic catch-up by `seq` applies
 * whatever Redis lost, and the engine's seq tracking applies each event exactly once.
 *
 * @example
 * const node = createClusterNode({ redisUrl: 'redis://127.0.0.1:6379', store });
 * const engine = createEngine({ store, onEventsStored: (events) => node.publish(events) });
 * await engine.open();
 * await node.start(engine);
 */
export function createClusterNode(options: ClusterNodeOptions): ClusterNode {
  const nodeId = options.nodeId ?? `node-${Math.random().toString(36).slice(2, 10)}`;
  const names: StreamNames = streamNames(options.prefix);
  const log = options.log ?? (() => {});
  const maxLen = options.streamMaxLen ?? 100_000;
  const catchUpIntervalMs = options.catchUpIntervalMs ?? 1_000;
  // The publisher fails fast instead of queueing while Redis is away: the store already has the events.
  const publisher = new Redis(options.redisUrl, {
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    // A node waits for the first attempt before it listens (`connect`): an unreachable host is given up
    // on after this, and tried again in the background.
    connectTimeout: 2_000,
  });
  let publisherConnecting: Promise<boolean> | undefined;
  const connectPublisher = (): Promise<boolean> =>
    (publisherConnecting ??= publisher.connect().then(
      () => true,
      (err: unknown) => {
        log('Redis connect', err);
        return false;
      },
    ));
  // The reader and subscriber keep reconnecting; `start` waits for their first attempt no longer than this.
  const readerOptions = { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 2_000 };
  const reader = new Redis(options.redisUrl, readerOptions);
  const subscriber = new Redis(options.redisUrl, readerOptions);
  for (const r of [publisher, reader, subscriber]) r.on('error', () => {});

  let engine: Engine | undefined;
  let running = false;
  let redisUp = false;
  let publishFailures = 0;
  let remoteEventsApplied = 0;
  let caughtUpEvents = 0;
  let lastId = '0-0';
  /** Whether `lastId` was read from the stream: the node follows the stream once it is. */
  let positioned = false;
  const announced = new Set<string>();
  let followLoop: Promise<void> | undefined;
  let catchUpTimer: NodeJS.Timeout | undefined;
  let catchUpRunning: Promise<void> | undefined;
  let signalStop: () => void = () => {};
  const stopped = new Promise<undefined>((resolve) => {
    signalStop = () => resolve(undefined);
  });
  /**
   * `command`'s result, or undefined once the node stops: a command the reader sent waits for Redis
   * (it retries forever), and disconnecting while it reconnects does not end it.
   */
  const untilStopped = <T>(command: Promise<T>): Promise<T | undefined> => {
    command.catch(() => {});
    return Promise.race([command, stopped]);
  };

  const catchUp = (): Promise<void> => {
    if (engine === undefined || !running) return Promise.resolve();
    const e = engine;
    catchUpRunning ??= e
      .catchUp()
      .then((n) => {
        caughtUpEvents += n;
      })
      .catch((err: unknown) => log('catch-up from the store failed; retrying', err))
      .finally(() => {
        catchUpRunning = undefined;
      });
    return catchUpRunning;
  };

  // Item and user writes have no log by seq; a store shared by nodes lets them follow every write, so a
  // write the stream did not bring (Redis away, here or at the writer) arrives within a catch-up tick.
  const readRecordChanges = options.store.readRecordChanges?.bind(options.store);
  const records =
    readRecordChanges === undefined
      ? undefined
      : new RecordFollower(
          { readRecordChanges },
          { applyRemoteRecords: (change) => requireEngine().applyRemoteRecords(change) },
        );
  let recordsRunning: Promise<void> | undefined;
  const followRecords = (): Promise<void> => {
    if (engine === undefined || records === undefined) return Promise.resolve();
    recordsRunning ??= records
      .poll()
      .then(() => {})
      .catch((err: unknown) => log("following the store's item and user writes failed; retrying", err))
      .finally(() => {
        recordsRunning = undefined;
      });
    return recordsRunning;
  };
  const requireEngine = (): Engine => {
    if (engine === undefined) throw new Error('the cluster node has not started');
    return engine;
  };

  const publishFields = async (fields: string[]): Promise<void> => {
    try {
      await publisher.xadd(names.events, 'MAXLEN', '~', maxLen, '*', ...fields);
    } catch (err) {
      publishFailures++;
      log('publishing to Redis failed; other nodes will read the change from the store', err);
    }
  };

  /** Without a store to follow, item and user changes have no log: after a Redis outage, re-read them all. */
  const reloadRecords = async (): Promise<void> => {
    if (engine === undefined) return;
    const store = options.store;
    try {
      for (let after: string | undefined; ; ) {
        const page = await store.listItems({ ...(after === undefined ? {} : { after }), limit: 5_000 });
        engine.applyRemoteRecords({ items: page });
        if (page.length < 5_000) break;
        after = page[page.length - 1]!.id;
      }
      for (let after: string | undefined; ; ) {
        const page = await store.listUsers({ ...(after === undefined ? {} : { after }), limit: 5_000 });
        engine.applyRemoteRecords({ users: page });
        if (page.length < 5_000) break;
        after = page[page.length - 1]!.id;
      }
    } catch (err) {
      log('reloading items and users from the store failed', err);
    }
  };

  const loadModel = async (name: string): Promise<void> => {
    try {
      const snapshot = await options.store.loadSnapshot(name);
      if (snapshot !== undefined) await engine?.installSnapshot(snapshot);
    } catch (err) {
      log(`loading model ${name} failed`, err);
    }
  };

  /**
   * Waits until the events just applied are in every part of the online state (co-occurrence's
   * thread included), then counts them: what the node reports as applied, its reads answer with,
   * and it reads the stream's next entries only then.
   */
  const settle = async (applied: number): Promise<void> => {
    try {
      await engine?.settled();
    } catch (err) {
      log("applying other nodes' events failed", err);
    }
    remoteEventsApplied += applied;
  };

  /** Reads the stream's newest id: the node follows the stream from there. False if Redis did not answer. */
  const position = async (): Promise<boolean> => {
    try {
      const last = (await untilStopped(reader.xrevrange(names.events, '+', '-', 'COUNT', 1))) as
        | [string, string[]][]
        | undefined;
      if (last === undefined) return false;
      lastId = last[0]?.[0] ?? '0-0';
      positioned = true;
      redisUp = true;
      return true;
    } catch {
      return false;
    }
  };

  /** Item and user writes the stream may have missed: followed in the store, or else all read again. */
  const recoverRecords = (): Promise<void> => (records === undefined ? reloadRecords() : followRecords());

  const follow = async (): Promise<void> => {
    while (running) {
      try {
        // While Redis is away (from the start, too) the catch-up timer follows the store's log. A command
        // sent now would wait in the reader's queue until Redis is back: wait for the connection instead.
        if (reader.status !== 'ready') {
          redisUp = false;
          await sleep(250);
          continue;
        }
        if (!positioned) {
          if (await position()) {
            // Whatever was published before this position is in the store's log.
            void catchUp();
            void recoverRecords();
          } else if (running) {
            await sleep(250);
          }
          continue;
        }
        const res = (await untilStopped(
          reader.xread('COUNT', 1_000, 'BLOCK', 1_000, 'STREAMS', names.events, lastId),
        )) as [string, [string, string[]][]][] | null | undefined;
        if (!running) break;
        if (!redisUp) {
          redisUp = true;
          // Whatever was published while we could not read is in the store's log.
          void catchUp();
          void recoverRecords();
        }
        let applied = 0;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            const records = decodeRecords(fields);
            if (records !== undefined) {
              if (engine !== undefined && fields?.[1] !== nodeId) engine.applyRemoteRecords(records);
              continue;
            }
            const batch = decodeBatch(fields);
            if (batch.node === nodeId || engine === undefined) continue;
            applied += engine.applyRemoteEvents(batch.events);
          }
        }
        if (applied > 0) await settle(applied);
      } catch (err) {
        if (!running) break;
        if (redisUp) log('reading the event stream failed; following the store until Redis is back', err);
        redisUp = false;
        await sleep(250);
      }
    }
  };

  return {
    nodeId,
    connect: connectPublisher,
    async publish(events) {
      if (events.length > 0) await publishFields(encodeBatch(nodeId, events));
    },
    async announce(model) {
      try {
        await publisher.publish(names.models, JSON.stringify({ name: model.name, version: model.version }));
        return true;
      } catch (err) {
        log(`announcing model ${model.name} failed; nodes load it when Redis is back`, err);
        return false;
      }
    },
    publishingStore() {
      const store = options.store;
      return {
        kind: store.kind,
        migrate: () => store.migrate(),
        close: () => store.close(),
        getItem: (id) => store.getItem(id),
        listItems: (page) => store.listItems(page),
        listAudit: (id) => store.listAudit(id),
        getUser: (id) => store.getUser(id),
        listUsers: (page) => store.listUsers(page),
        appendEvents: (events, receivedAt, onLogged) => store.appendEvents(events, receivedAt, onLogged),
        readEvents: (after, limit) => store.readEvents(after, limit),
        saveSnapshot: (s) => store.saveSnapshot(s),
        loadSnapshot: (name) => store.loadSnapshot(name),
        counts: () => store.counts(),
        async writeItems(items: readonly ItemRecord[], audit) {
          await store.writeItems(items, audit);
          if (items.length > 0) await publishFields(encodeRecords(nodeId, { items }));
        },
        async writeUsers(users: readonly UserRecord[]) {
          await store.writeUsers(users);
          if (users.length > 0) await publishFields(encodeRecords(nodeId, { users }));
        },
      };
    },
    async start(e) {
      engine = e;
      running = true;
      await Promise.all([
        connectPublisher(),
        ...[reader, subscriber].map((r) => r.connect().catch((err: unknown) => log('Redis connect', err))),
      ]);
      // Without Redis, the node follows the store's log (the catch-up timer) and joins the stream in the
      // background once Redis answers (`follow`).
      if (reader.status !== 'ready' || !(await position())) {
        log('Redis is unavailable; following the store until it is back');
      }
      // Events stored between engine.open() and the stream position above are in the log. Item and
      // user writes have no log: the ones other nodes made since open() loaded them (its replay takes
      // minutes at scale) are read again.
      await catchUp();
      await records
        ?.skipToEnd()
        .catch((err: unknown) => log("reading where the store's item and user writes stand failed", err));
      await reloadRecords();
      subscriber.on('message', (_channel: string, message: string) => {
        const a = decodeAnnouncement(message);
        if (a !== undefined) announced.add(a.name);
        if (a !== undefined && (engine?.snapshot(a.name)?.version ?? -1) < a.version) void loadModel(a.name);
      });
      // Announcements missed while disconnected: reload the models on every (re)subscription.
      subscriber.on('ready', () => {
        for (const name of new Set([...(options.models ?? []), ...announced])) void loadModel(name);
      });
      subscriber
        .subscribe(names.models)
        .catch((err: unknown) => log('subscribing to model announcements', err));
      await Promise.all((options.models ?? []).map(loadModel));
      // A reconnect resends the blocked XREAD without an error: catch up on every new connection.
      reader.on('close', () => {
        redisUp = false;
      });
      reader.on('ready', () => {
        redisUp = true;
        void catchUp();
        void recoverRecords();
      });
      followLoop = follow();
      catchUpTimer = setInterval(() => {
        void catchUp();
        void followRecords();
      }, catchUpIntervalMs);
      catchUpTimer.unref();
    },
    async stop() {
      running = false;
      signalStop();
      if (catchUpTimer !== undefined) clearInterval(catchUpTimer);
      await catchUpRunning;
      await recordsRunning;
      reader.disconnect();
      subscriber.disconnect();
      await followLoop;
      await publisher.quit().catch(() => publisher.disconnect());
    },
    health() {
      return {
        nodeId,
        redis: redisUp && publisher.status === 'ready' ? 'up' : 'down',
        publishFailures,
        remoteEventsApplied,
        caughtUpEvents,
      };
    },
  };
}
