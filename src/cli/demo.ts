import { existsSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { DEFAULT_DEMO_OPTIONS, type DemoOptions, generateDemoPlatform } from '../demo/generate.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { SetlistError } from '../errors.js';
import { claimDatabase } from '../store/sqlite/owner-lock.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { printMigration } from './open-store.js';
import { seedOption } from './options.js';
import { checkExposure, DEFAULT_PORT, loadApiKeys, parsePort, startServer } from './serve.js';

interface DemoCliOptions {
  host: string;
  port: number;
  db: string;
  seed: number;
}

/** Writes a freshly generated demo platform into a new database and returns the open engine. */
export async function loadDemo(
  dbPath: string,
  seed: number,
  nowMs?: number,
  sizes: Partial<Omit<DemoOptions, 'seed' | 'nowMs'>> = {},
): Promise<Engine> {
  const platform = generateDemoPlatform({
    ...DEFAULT_DEMO_OPTIONS,
    ...sizes,
    seed,
    nowMs: nowMs ?? Date.now(),
  });
  // Claimed before it is replaced: a demo still serving from this file keeps it. The engine's store
  // claims it too, in this process, before this claim is let go.
  const release = claimDatabase(dbPath);
  let engine: Engine;
  try {
    assertDemoDatabase(dbPath);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
    // A fixed demo time also fixes the engine's clock, so tests are reproducible.
    engine = createEngine({
      store: createSqliteStore({
        path: dbPath,
        synchronous: 'normal',
        onMigration: printMigration('sqlite'),
      }),
      ...(nowMs === undefined ? {} : { now: () => nowMs }),
    });
  } finally {
    release();
  }
  await engine.open();
  markDemoDatabase(dbPath);
  for (let k = 0; k < platform.items.length; k += 1_000) {
    await engine.putItems({ items: platform.items.slice(k, k + 1_000) });
  }
  for (const user of platform.users) await engine.putUser(user.id, { traits: user.traits });
  for (let k = 0; k < platform.events.length; k += 5_000) {
    await engine.ingest({ events: platform.events.slice(k, k + 5_000) });
  }
  return engine;
}

/** SQLite's `application_id` of a database the demo wrote ("SLDM"): the demo replaces only such a file. */
const DEMO_APPLICATION_ID = 0x534c444d;

/**
 * Refuses to replace a file the demo did not write: `setlist demo --db setlist.db` would otherwise
 * delete a served store's items and events for demo data.
 */
function assertDemoDatabase(dbPath: string): void {
  if (!existsSync(dbPath) || statSync(dbPath).size === 0) return;
  let id: unknown;
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      id = db.pragma('application_id', { simple: true });
    } finally {
      db.close();
    }
  } catch {
    id = undefined;
  }
  if (id === DEMO_APPLICATION_ID) return;
  throw new SetlistError('SETLIST_ERR_CONFIG', {
    message:
      `${dbPath} is not a database the demo wrote, and the demo replaces its database: point --db at ` +
      'a new file (the default is ./setlist-demo.db), or delete this one if you are sure.',
    path: '--db',
  });
}

function markDemoDatabase(dbPath: string): void {
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    db.pragma(`application_id = ${DEMO_APPLICATION_ID}`);
  } finally {
    db.close();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate a demo platform into a fresh database and serve it')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on', parsePort, DEFAULT_PORT)
    .option('--db <path>', 'database file (replaced, if the demo wrote it)', './setlist-demo.db')
    .option('--seed <n>', 'random seed', seedOption(), DEFAULT_DEMO_OPTIONS.seed)
    .action(async (opts: DemoCliOptions) => {
      const started = Date.now();
      // Before the database is replaced, which takes a while: a host it may not serve on without API
      // keys (the demo's come from SETLIST_API_KEYS only), or a port in use, fails the demo at once.
      checkExposure(opts.host, loadApiKeys({}));
      await assertPortFree(opts.host, opts.port);
      const engine = await loadDemo(opts.db, opts.seed);
      const status = await engine.status();
      const { url, app } = await startServer(opts, engine);
      // The batch model trains in worker threads while the demo already serves online picks.
      engine.train().then(
        (r) =>
          r !== undefined &&
          app.log.info({ version: r.version, report: r.report.validation }, 'demo model trained'),
        (err: unknown) => app.log.error({ err }, 'demo training failed'),
      );
      console.error(
        `demo ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${status.counts.items} items, ` +
          `${status.counts.users} users, ${status.counts.events} events\n` +
          `  dashboard:  ${url}/\n` +
          `  a feed:     ${url}/v1/users/beauty-vlogger/feed?n=10\n  status:     ${url}/v1/status`,
      );
    });
}

/** Fails with a clear error if `port` on `host` cannot be listened on (0 always can). */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new SetlistError('SETLIST_ERR_CONFIG', {
          message:
            err.code === 'EADDRINUSE'
              ? `Port ${port} on ${host} is in use: stop what listens there, or pass --port.`
              : `Cannot listen on ${host}:${port}: ${err.message}`,
          path: 'port',
          cause: err,
        }),
      );
    });
    probe.listen({ host, port }, () => probe.close(() => resolve()));
  });
}
