import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { createEngine, type Engine } from '../engine/engine.js';
import { buildApp } from '../server/app.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';

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
}

export const DEFAULT_PORT = 7733;

/** Opens the engine on a SQLite file and serves it; shuts down cleanly on SIGINT and SIGTERM. */
export async function startServer(
  options: ServeOptions,
  engine?: Engine,
): Promise<{ app: FastifyInstance; engine: Engine; url: string }> {
  let leave = async (): Promise<void> => {};
  let opened: Engine;
  if (engine === undefined && options.store !== undefined) {
    // Imported only here, so SQLite users never load pg or ioredis.
    const { openScaleOutNode } = await import('../cluster/open-scale-out-node.js');
    const node = await openScaleOutNode({
      store: options.store,
      ...(options.redis === undefined ? {} : { redis: options.redis }),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.nodeId === undefined ? {} : { nodeId: options.nodeId }),
      log: (message, err) =>
        console.error(`setlist: ${message}${err === undefined ? '' : `: ${String(err)}`}`),
    });
    opened = node.engine;
    leave = () => node.leave();
  } else {
    opened = engine ?? createEngine({ store: createSqliteStore({ path: options.db }) });
    if (engine === undefined) await opened.open();
  }
  const app = buildApp({ engine: opened, logger: { level: process.env.SETLIST_LOG_LEVEL ?? 'info' } });
  const url = await app.listen({ host: options.host, port: options.port });
  const stop = async (): Promise<void> => {
    // Fastify's close lets in-flight requests finish (their commits and publishes) before the store goes.
    await app.close();
    await leave();
    await opened.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { app, engine: opened, url };
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be 0..65535, got "${value}"`);
  return port;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API (and the dashboard) on an embedded SQLite store')
    .option('--host <host>', 'address to bind; the default accepts local connections only', '127.0.0.1')
    .option('--port <port>', 'port to listen on', parsePort, DEFAULT_PORT)
    .option('--db <path>', 'SQLite database file', './setlist.db')
    .option(
      '--store <url>',
      'postgres://... connection string: serve from Postgres (see docs/guides/scale-out.md)',
    )
    .option('--redis <url>', 'redis://host:port: share events with the other API nodes through Redis')
    .option('--schema <name>', 'Postgres schema that holds the tables', 'public')
    .option('--node-id <id>', "this API node's name in the cluster; random by default")
    .action(async (opts: ServeOptions) => {
      const { url } = await startServer(opts);
      console.error(`setlist is listening on ${url}`);
    });
}
