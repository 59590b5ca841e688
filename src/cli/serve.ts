import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { createEngine, type Engine } from '../engine/engine.js';
import { SetlistError } from '../errors.js';
import { buildApp } from '../server/app.js';
import { type ApiKey, parseApiKeysEnv, readKeysFile } from '../server/auth.js';
import { isLoopbackAddress } from '../server/host-check.js';
import type { RateLimitOptions } from '../server/rate-limit.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { SNAPSHOTS_KEPT } from '../store/store.js';
import { reportFailure } from './exit-code.js';
import { printMigration } from './open-store.js';
import { parseDurationMs, parseSnapshotsKept } from './train.js';

export interface ServeOptions {
  host: string;
  port: number;
  db: string;
  /** postgres://...: serve from Postgres instead of the SQLite file (scale-out). */
  store?: string;
  /** redis://...: join the other API nodes through the Redis event stream. */
  redis?: string;
  schema?: string;
  nodeId?: string;
  prefix?: string;
  /** Host names a server without keys answers besides loopback's (`--allowed-host`). */
  allowedHost?: string[];
  /** Retrain the batch model this often, in milliseconds. */
  trainEvery?: number;
  /** A file of `name:scopes:sha256:<hex>` lines; see `setlist keys create`. */
  keysFile?: string;
  /** Sustained requests per second per key; 0 turns the limiter off. */
  rateLimit?: number;
  rateBurst?: number;
  /** The newest versions of each model snapshot the store keeps (3 by default). */
  snapshotsKept?: number;
  /** Co-occurrence's updates on a worker thread of their own; undefined: the engine's default. */
  cooccurrenceThread?: boolean;
}

export const DEFAULT_PORT = 7733;
/** With keys, each key (and each IP address without a valid key) gets this many requests per second. */
export const DEFAULT_RATE_LIMIT = 1_000;

/** Keys from `--keys-file` and the `SETLIST_API_KEYS` environment variable; names must be unique. */
export function loadApiKeys(options: Pick<ServeOptions, 'keysFile'>, env = process.env): ApiKey[] {
  const fromFile = options.keysFile === undefined ? [] : readKeysFile(options.keysFile);
  // A keys file asked for and empty would turn authentication off without a word.
  if (options.keysFile !== undefined && fromFile.length === 0) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: `The keys file ${options.keysFile} holds no key: add one (setlist keys create), or leave out --keys-file.`,
      path: '--keys-file',
    });
  }
  const keys = [
    ...fromFile,
    ...(env.SETLIST_API_KEYS === undefined ? [] : parseApiKeysEnv(env.SETLIST_API_KEYS)),
  ];
  const names = new Set(keys.map((k) => k.name));
  if (names.size !== keys.length) {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      message: 'a key name appears both in the keys file and in SETLIST_API_KEYS',
      path: 'keys',
    });
  }
  return keys;
}

export function isLoopback(host: string): boolean {
  return isLoopbackAddress(host.replace(/^\[|\]$/g, '').toLowerCase());
}

/**
 * Refuses to serve without keys on anything but loopback: the API can hide items and write events,
 * so an open port on a network interface must be authenticated.
 */
export function checkExposure(host: string, keys: readonly ApiKey[]): void {
  if (keys.length > 0 || isLoopback(host)) return;
  throw new SetlistError('SETLIST_ERR_CONFIG', {
    message:
      `Refusing to serve on ${host} without API keys: anyone who can reach it could write and hide items. ` +
      'Create a key with `setlist keys create --name NAME --scopes read,ingest,admin` and pass ' +
      '--keys-file or SETLIST_API_KEYS, or bind to 127.0.0.1.',
    path: '--host',
  });
}

/**
 * Opens the engine on a SQLite file (or takes `engine`, opening it unless it is open) and serves it
 * from when its catalogue is loaded, while its event log is replayed (`ready` resolves after); shuts
 * down cleanly on SIGINT and SIGTERM.
 */
export async function startServer(
  options: ServeOptions,
  engine?: Engine,
): Promise<{ app: FastifyInstance; engine: Engine; url: string; keys: ApiKey[]; ready: Promise<void> }> {
  const keys = loadApiKeys(options);
  checkExposure(options.host, keys);
  let leave = async (): Promise<void> => {};
  const thread =
    options.cooccurrenceThread === undefined ? {} : { cooccurrenceThread: options.cooccurrenceThread };
  let opened: Engine;
  /** Resolves once the engine's event log is replayed (at once for an engine passed in open). */
  let ready: Promise<void> = Promise.resolve();
  if (engine === undefined && options.store !== undefined) {
    // Imported only here, so SQLite users never load pg or ioredis.
    const { openScaleOutNode } = await import('../cluster/open-scale-out-node.js');
    const node = await openScaleOutNode({
      store: options.store,
      ...(options.redis === undefined ? {} : { redis: options.redis }),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.nodeId === undefined ? {} : { nodeId: options.nodeId }),
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      ...(options.snapshotsKept === undefined ? {} : { snapshotsKept: options.snapshotsKept }),
      ...thread,
      serveWhileReplaying: true,
      log: (message, err) =>
        console.error(`setlist: ${message}${err === undefined ? '' : `: ${String(err)}`}`),
    });
    opened = node.engine;
    ready = node.ready;
    leave = () => node.leave();
  } else {
    opened =
      engine ??
      createEngine({
        store: createSqliteStore({
          path: options.db,
          onMigration: printMigration('sqlite'),
          ...(options.snapshotsKept === undefined ? {} : { snapshotsKept: options.snapshotsKept }),
        }),
        ...thread,
      });
  }
  if (opened.readiness().phase === 'closed') {
    // The port opens once the catalogue is loaded (a store that cannot be opened fails here, before
    // listening); the log's replay, minutes at tens of millions of events, goes on behind /readyz.
    ready = opened.open();
    ready.catch(() => {});
    await opened.whenServing();
  }
  const rps = options.rateLimit ?? (keys.length > 0 ? DEFAULT_RATE_LIMIT : 0);
  const rateLimit: RateLimitOptions | undefined =
    rps > 0 ? { requestsPerSecond: rps, burst: options.rateBurst ?? rps * 2 } : undefined;
  const app = buildApp({
    engine: opened,
    logger: { level: process.env.SETLIST_LOG_LEVEL ?? 'info' },
    // Without keys, loopback is the only guard: a request must name it (or an allowed host), so that
    // no web page reaches the port through a name of its own re-pointed at 127.0.0.1.
    ...(keys.length > 0 ? { auth: { keys } } : { allowedHosts: options.allowedHost ?? [] }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
  });
  const url = await app.listen({ host: options.host, port: options.port });
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    if (timer !== undefined) clearInterval(timer);
    // Fastify's close lets in-flight requests finish (their commits and publishes) before the store goes.
    await app.close();
    await leave();
    await opened.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  ready.then(
    () => {
      if (stopping) return;
      // Scheduled training starts once the whole log is applied: it trains on all of it.
      if (options.trainEvery !== undefined) {
        timer = setInterval(() => {
          opened.train().catch((err: unknown) => app.log.error({ err }, 'scheduled training failed'));
        }, options.trainEvery);
        timer.unref();
      }
    },
    async (err: unknown) => {
      // Stopped while replaying (SIGTERM): the replay ends with the store; stop() exits.
      if (stopping) return;
      app.log.error({ err }, 'replaying the event log failed: stopping');
      await app.close().catch(() => {});
      await opened.close().catch(() => {});
      // The same line on stderr as a failure before listening, and the same exit status.
      process.exit(reportFailure(err));
    },
  );
  return { app, engine: opened, url, keys, ready };
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be 0..65535, got "${value}"`);
  return port;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected a number >= 0, got "${value}"`);
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the HTTP API (and the dashboard) on an embedded SQLite store (--db), or on Postgres (--store)',
    )
    .option('--host <host>', 'address to bind; the default accepts local connections only', '127.0.0.1')
    .option(
      '--allowed-host <name...>',
      'without API keys, answer requests for these host names too (besides localhost and 127.0.0.1)',
    )
    .option('--port <port>', 'port to listen on', parsePort, DEFAULT_PORT)
    .option('--db <path>', 'SQLite database file', './setlist.db')
    .option(
      '--store <url>',
      'postgres://... connection string: serve from Postgres (see docs/guides/scale-out.md)',
    )
    .option('--redis <url>', 'redis://host:port: share events with the other API nodes through Redis')
    .option('--schema <name>', 'Postgres schema that holds the tables', 'public')
    .option('--node-id <id>', "this API node's name in the cluster, unique to it; random by default")
    .option(
      '--prefix <prefix>',
      'key prefix of the Redis stream and channels (default: setlist, or setlist-<schema>)',
    )
    .option('--train-every <duration>', 'retrain the batch model on a schedule, e.g. 10m', parseDurationMs)
    .option(
      '--snapshots-kept <n>',
      'model snapshot versions kept per model; older ones are deleted as a new one is saved',
      parseSnapshotsKept,
      SNAPSHOTS_KEPT,
    )
    .option('--keys-file <path>', 'API keys file (lines from `setlist keys create`); also SETLIST_API_KEYS')
    .option(
      '--rate-limit <rps>',
      `requests per second per key or IP; 0 = off (default ${DEFAULT_RATE_LIMIT} with keys, off without)`,
      parseNonNegative,
    )
    .option('--rate-burst <n>', 'requests allowed at once (default 2 x --rate-limit)', parseNonNegative)
    .option(
      '--cooccurrence-thread',
      "apply co-occurrence's updates on a worker thread of their own (less of the server thread per event)",
    )
    .option('--no-cooccurrence-thread', "apply co-occurrence's updates on the server thread")
    .action(async (opts: ServeOptions) => {
      const started = performance.now();
      const { url, keys, engine, ready } = await startServer(opts);
      const replaying = !engine.readiness().ready;
      console.error(
        `setlist is listening on ${url}` +
          (replaying ? ' (replaying the event log: GET /readyz answers 200 once it is applied)' : ''),
      );
      if (replaying) {
        // A failed replay is logged and stops the server in startServer.
        ready.then(
          () =>
            console.error(
              `setlist is ready: ${engine.readiness().eventsApplied} events applied, ` +
                `${((performance.now() - started) / 1000).toFixed(1)} s after start`,
            ),
          () => {},
        );
      }
      if (keys.length === 0) {
        console.error(
          '  no API keys configured: authentication is off, so setlist serves on loopback only ' +
            '(see `setlist keys create`)',
        );
      } else {
        console.error(
          `  ${keys.length} API key(s): ${keys.map((k) => `${k.name} [${k.scopes}]`).join(', ')}`,
        );
      }
    });
}
