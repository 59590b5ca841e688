import type { Command } from 'commander';
import { createEngine } from '../engine/engine.js';
import { type ImportSummary, importFile } from '../import/import-file.js';
import { readKuaiRecCatalog } from '../import/kuairec.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { printMigration } from './open-store.js';

interface ImportOptions {
  items?: string;
  events?: string;
  db: string;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import items and events from CSV or JSON Lines files, or a known dataset (kuairec <dir>)')
    .argument('[dataset]', 'a known dataset to import as a catalogue: kuairec')
    .argument('[dir]', "the dataset's folder (default: ../shared/data/kuairec)")
    .option('--items <file>', 'items file (.csv or .jsonl)')
    .option('--events <file>', 'events file (.csv or .jsonl)')
    .option('--db <path>', 'SQLite database file', './setlist.db')
    .option('--json', 'print the summary as JSON')
    .action(async (dataset: string | undefined, dir: string | undefined, opts: ImportOptions) => {
      if (dataset !== undefined) {
        await importDataset(dataset, dir, opts.db);
        return;
      }
      if (opts.items === undefined && opts.events === undefined) {
        throw new Error(
          'give --items FILE, --events FILE, or both; or a dataset: setlist import kuairec <dir>',
        );
      }
      const engine = createEngine({
        store: createSqliteStore({ path: opts.db, onMigration: printMigration('sqlite') }),
      });
      await engine.open();
      const summaries: ImportSummary[] = [];
      try {
        if (opts.items !== undefined)
          summaries.push(await importFile(engine, 'items', opts.items, progress('items')));
        if (opts.events !== undefined)
          summaries.push(await importFile(engine, 'events', opts.events, progress('events')));
      } finally {
        await engine.close();
      }
      if (process.stderr.isTTY) process.stderr.write('\n');
      if (opts.json === true) {
        console.log(JSON.stringify(summaries, null, 2));
        return;
      }
      for (const s of summaries) {
        console.log(
          `${s.kind} from ${s.file}: ${s.accepted} accepted, ${s.duplicates} duplicates, ${s.rejected.length} rejected`,
        );
        for (const r of s.rejected.slice(0, 50)) console.log(`  line ${r.line}: ${r.message}`);
        if (s.rejected.length > 50) console.log(`  ... and ${s.rejected.length - 50} more`);
      }
    });
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

async function importDataset(dataset: string, dir: string | undefined, db: string): Promise<void> {
  if (dataset !== 'kuairec') throw new Error(`unknown dataset "${dataset}": the known one is kuairec`);
  const items = readKuaiRecCatalog(dir);
  const engine = createEngine({
    store: createSqliteStore({ path: db, onMigration: printMigration('sqlite') }),
  });
  await engine.open();
  try {
    for (let k = 0; k < items.length; k += 1_000) await engine.putItems({ items: items.slice(k, k + 1_000) });
  } finally {
    await engine.close();
  }
  console.log(`kuairec: ${items.length} items imported into ${db}, categories as tags`);
}
