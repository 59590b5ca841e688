import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { createEngine, type Engine } from '../engine/engine.js';
import { buildApp } from '../server/app.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { parseDurationMs } from './train.js';

export interface ServeOptions {
  host: string;
  port: number;
  db: string;
  /** Retrain the batch model this often, in milliseconds. */
  trainEvery?: number;
}

export const DEFAULT_PORT = 7733;

/** Opens the engine on a SQLite file and serves it; shuts down cleanly on SIGINT and SIGTERM. */
export async function startServer(
  options: ServeOptions,
  engine?: Engine,
): Promise<{ app: FastifyInstance; engine: Engine; url: string }> {
  const opened = engine ?? createEngine({ store: createSqliteStore({ path: options.db }) });
  if (engine === undefined) await opened.open();
  const app = buildApp({ engine: opened, logger: { level: process.env.SETLIST_LOG_LEVEL ?? 'info' } });
  const url = await app.listen({ host: options.host, port: options.port });
  const timer =
    options.trainEvery === undefined
      ? undefined
      : setInterval(() => {
          opened.train().catch((err: unknown) => app.log.error({ err }, 'scheduled training failed'));
        }, options.trainEvery);
  timer?.unref();
  const stop = async (): Promise<void> => {
    if (timer !== undefined) clearInterval(timer);
    await app.close();
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
    .option('--train-every <duration>', 'retrain the batch model on a schedule, e.g. 10m', parseDurationMs)
    .action(async (opts: ServeOptions) => {
      const { url } = await startServer(opts);
      console.error(`setlist is listening on ${url}`);
    });
}
