import { hostname } from 'node:os';
import type { Command } from 'commander';
import { createEngine, type Engine } from '../engine/engine.js';
import { SetlistError } from '../errors.js';
import {
  checkImportFile,
  IMPORT_BATCH_ROWS,
  type ImportKind,
  type ImportSummary,
  importFile,
} from '../import/import-file.js';
import { readKuaiRecCatalog } from '../import/kuairec.js';
import {
  type DeploymentOptions,
  isPostgresUrl,
  openStore,
  printMigration,
  requireRedisWithPostgres,
} from './open-store.js';

interface ImportOptions extends DeploymentOptions {
  items?: string;
  events?: string;
  json?: boolean;
}

/** The exit code of an import that finished but rejected some rows (a failed one exits with 1). */
export const EXIT_ROWS_REJECTED = 2;

/** Rejected rows printed per file; `--json` lists them all. */
const REJECTIONS_SHOWN = 20;

const HELP_AFTER = `
Files: .csv (a header row, then one row per line; quoted fields may hold commas and line breaks),
.jsonl or .ndjson (JSON Lines: one object per line, shaped like the HTTP bodies), or .json (a JSON
array of such objects, read whole rather than streamed; a .json file that does not start with "["
is read as JSON Lines). CSV and JSON Lines files are streamed.

Every file is checked before the store is opened: it must exist and be readable, and a CSV header
must name each required column once and no unknown column (items: id; events: userId, itemId,
type). In CSV, tags cells separate tags with "|" or ";", white space around ids (id, userId, itemId,
creatorId) is trimmed, and numbers may be written like 12, -0.5, .5 or 1e3.

Each row is checked on its own: valid rows are committed in batches of ${IMPORT_BATCH_ROWS.toLocaleString('en-US')}, invalid
rows are skipped and reported (file, line, field, message; the first ${REJECTIONS_SHOWN} per file, all of
them with --json). Items are imported before events; each file's summary is printed once it is done.

Exit status: 0 when every row was imported, ${EXIT_ROWS_REJECTED} when the import finished but rejected some rows,
1 when it failed (a file could not be read, the store could not be opened). Rows committed before
a failure stay committed.`;

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'import items and events from CSV, JSON Lines or JSON files, or a known dataset (kuairec <dir>)',
    )
    .argument('[dataset]', 'a known dataset to import as a catalogue: kuairec')
    .argument('[dir]', "the dataset's folder (default: ../shared/data/kuairec)")
    .option('--items <file>', 'items file (.csv, .jsonl, .ndjson or .json)')
    .option('--events <file>', 'events file (.csv, .jsonl, .ndjson or .json)')
    .option('--db <path>', 'SQLite database file', './setlist.db')
    .option('--store <url>', 'postgres://... connection string: import into Postgres instead of --db')
    .option('--schema <name>', 'Postgres schema that holds the tables', 'public')
    .option(
      '--redis <url>',
      'redis://host:port of a running deployment: its API nodes see the imported items at once (events come from the log)',
    )
    .option(
      '--prefix <prefix>',
      'key prefix of the Redis stream, as the nodes were given it (default: setlist, or setlist-<schema>)',
    )
    .option('--json', 'print the summary as JSON, with every rejected row')
    .addHelpText('after', HELP_AFTER)
    .action(async (dataset: string | undefined, dir: string | undefined, opts: ImportOptions) => {
      if (dataset !== undefined) {
        await importDataset(dataset, dir, opts);
        return;
      }
      const files: [ImportKind, string][] = [];
      if (opts.items !== undefined) files.push(['items', opts.items]);
      if (opts.events !== undefined) files.push(['events', opts.events]);
      if (files.length === 0) {
        throw new SetlistError('SETLIST_ERR_CONFIG', {
          path: 'items',
          message: 'give --items FILE, --events FILE, or both; or a dataset: setlist import kuairec <dir>',
        });
      }
      // Every file is checked before the store is opened: a bad one creates or changes nothing.
      for (const [kind, path] of files) await checkImportFile(kind, path);
      const target = await openImportTarget(opts);
      let summaries: ImportSummary[];
      try {
        summaries = await importFiles(target.engine, files, opts.json === true);
      } finally {
        await target.finish();
      }
      const rejected = summaries.reduce((sum, s) => sum + s.rejected.length, 0);
      if (rejected > 0) {
        console.error(
          `setlist: ${rejected} row(s) rejected and skipped; the others were imported (exit code ${EXIT_ROWS_REJECTED})`,
        );
        process.exitCode = EXIT_ROWS_REJECTED;
      }
    });
}

/** The engine an import writes through, and what to do once it is closed. */
export interface ImportTarget {
  engine: Engine;
  /** After the engine is closed: closes the Redis connection and says what could not be published. */
  finish(): Promise<void>;
}

/**
 * Opens the store an import writes into. Running API nodes read imported events from the store's log
 * within their catch-up interval; items have no log, so with `redis` every committed batch of items
 * is published on the deployment's stream as an API node publishes its writes (one entry per batch)
 * and the running nodes apply it at once. Without `redis` they see the items only when they restart.
 *
 * @example
 * const target = await openImportTarget({ store: 'postgres://db/setlist', redis: 'redis://cache:6379' });
 * try { await importFiles(target.engine, [['items', 'items.csv']], false); } finally { await target.finish(); }
 */
export async function openImportTarget(
  opts: Pick<ImportOptions, 'store' | 'redis' | 'prefix'> & { db?: string; schema?: string },
): Promise<ImportTarget> {
  const spec = opts.store ?? opts.db ?? './setlist.db';
  const postgres = isPostgresUrl(spec);
  requireRedisWithPostgres(opts.redis, postgres);
  const store = await openStore(spec, {
    ...(opts.schema === undefined ? {} : { schema: opts.schema }),
    onMigration: printMigration(postgres ? 'postgres' : 'sqlite'),
  });
  if (opts.redis === undefined) {
    if (postgres) {
      console.error(
        'setlist: without --redis, running API nodes read the imported events from the log within their ' +
          'catch-up interval, but see the imported items only once they restart',
      );
    }
    const engine = createEngine({ store });
    await openOrClose(engine);
    return { engine, finish: async () => {} };
  }
  // Imported only here, so that an import into SQLite never loads ioredis.
  const { createClusterNode } = await import('../cluster/cluster-node.js');
  const { defaultPrefix } = await import('../cluster/event-stream.js');
  const node = createClusterNode({
    redisUrl: opts.redis,
    store,
    // Not any API node's name: every node applies the entries.
    nodeId: `import-${hostname()}-${process.pid}`,
    prefix: opts.prefix ?? defaultPrefix(opts.schema),
  });
  if (!(await node.connect())) {
    await node.stop();
    await store.close();
    throw new SetlistError('SETLIST_ERR_UNAVAILABLE', {
      message: `Redis at ${opts.redis.replace(/\/\/[^@/]*@/, '//***@')} cannot be reached, so the running nodes would not see the import: start it, or leave out --redis (the nodes then see the imported items only once they restart).`,
    });
  }
  // Items have no log to follow: each committed batch is one stream entry. Events are not published:
  // nodes and workers read them from the log within their catch-up interval, and a large import
  // would otherwise hold its every event in Redis until the stream is trimmed.
  const engine = createEngine({ store: node.publishingStore() });
  try {
    await openOrClose(engine);
  } catch (err) {
    await node.stop();
    throw err;
  }
  return {
    engine,
    async finish() {
      const failures = node.health().publishFailures;
      await node.stop();
      if (failures > 0) {
        console.error(
          `setlist: ${failures} batch(es) of items could not be published to Redis: everything is in the store, ` +
            'but running nodes see those items only after a restart or a Redis reconnect',
        );
      }
    },
  };
}

/** Opens `engine`, closing its store if that fails. */
async function openOrClose(engine: Engine): Promise<void> {
  try {
    await engine.open();
  } catch (err) {
    await engine.close().catch(() => {});
    throw err;
  }
}

/**
 * Imports the files in order, printing each one's summary once it is done (with `--json`, all of
 * them at the end); a file that fails midway prints what it committed before the error is thrown.
 */
export async function importFiles(
  engine: Engine,
  files: readonly [ImportKind, string][],
  json: boolean,
): Promise<ImportSummary[]> {
  const summaries: ImportSummary[] = [];
  try {
    for (const [kind, path] of files) {
      let sofar: Readonly<ImportSummary> | undefined;
      const onProgress = progress(kind);
      try {
        const summary = await importFile(engine, kind, path, {
          onProgress: (rowsRead, s) => {
            sofar = s;
            onProgress(rowsRead);
          },
        });
        summaries.push(summary);
        if (process.stderr.isTTY) process.stderr.write('\n');
        if (!json) printSummary(summary);
      } catch (err) {
        if (process.stderr.isTTY) process.stderr.write('\n');
        console.error(
          `${kind} from ${path}: failed after ${sofar?.accepted ?? 0} accepted row(s) were committed ` +
            `(${sofar?.duplicates ?? 0} duplicates, ${sofar?.rejected.length ?? 0} rejected)`,
        );
        throw err;
      }
    }
  } finally {
    await engine.close();
    if (json) console.log(JSON.stringify(summaries, null, 2));
  }
  return summaries;
}

function printSummary(s: ImportSummary): void {
  console.log(
    `${s.kind} from ${s.file}: ${s.accepted} accepted, ${s.duplicates} duplicates, ${s.rejected.length} rejected`,
  );
  for (const r of s.rejected.slice(0, REJECTIONS_SHOWN)) {
    console.log(`  ${s.file}:${r.line}: ${r.field === undefined ? '' : `${r.field} `}${r.message}`);
  }
  const more = s.rejected.length - REJECTIONS_SHOWN;
  if (more > 0) console.log(`  ... and ${more} more rejected row(s) (--json lists them all)`);
}

function progress(kind: string): (done: number) => void {
  const started = Date.now();
  return (done) => {
    if (!process.stderr.isTTY) return;
    const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
    const bar = '#'.repeat(Math.min(30, Math.floor(Math.log10(done + 1) * 5))).padEnd(30, '.');
    process.stderr.write(`\r${kind} [${bar}] ${done} rows, ${rate}/s`);
  };
}

async function importDataset(dataset: string, dir: string | undefined, opts: ImportOptions): Promise<void> {
  if (dataset !== 'kuairec') {
    throw new SetlistError('SETLIST_ERR_CONFIG', {
      path: 'dataset',
      message: `unknown dataset "${dataset}": the known one is kuairec (files go with --items and --events)`,
    });
  }
  for (const flag of ['items', 'events'] as const) {
    if (opts[flag] !== undefined) {
      throw new SetlistError('SETLIST_ERR_CONFIG', {
        path: flag,
        message: `--${flag} does not go with a dataset: run \`setlist import kuairec\` and \`setlist import --${flag} FILE\` separately`,
      });
    }
  }
  const items = readKuaiRecCatalog(dir);
  const { engine, finish } = await openImportTarget(opts);
  try {
    for (let k = 0; k < items.length; k += IMPORT_BATCH_ROWS) {
      await engine.putItems({ items: items.slice(k, k + IMPORT_BATCH_ROWS) });
    }
  } finally {
    await engine.close();
    await finish();
  }
  const into = opts.store === undefined ? opts.db : 'the Postgres store';
  if (opts.json === true) console.log(JSON.stringify({ dataset, items: items.length }, null, 2));
  else console.log(`kuairec: ${items.length} items imported into ${into}, categories as tags`);
}
