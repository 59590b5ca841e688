import type { Command } from 'commander';
import { createEngine } from '../engine/engine.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { SNAPSHOTS_KEPT } from '../store/store.js';
import { printMigration, requireDatabase } from './open-store.js';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the batch model from the events in the store and save it as a snapshot')
    .option('--db <path>', 'SQLite database file', './setlist.db')
    .option('--json', 'print the report as JSON')
    .option(
      '--snapshots-kept <n>',
      'model snapshot versions kept per model; older ones are deleted as a new one is saved',
      parseSnapshotsKept,
      SNAPSHOTS_KEPT,
    )
    .action(async (opts: { db: string; json?: boolean; snapshotsKept: number }) => {
      requireDatabase(opts.db);
      const engine = createEngine({
        store: createSqliteStore({
          path: opts.db,
          onMigration: printMigration('sqlite'),
          snapshotsKept: opts.snapshotsKept,
        }),
      });
      await engine.open();
      try {
        const result = await engine.train();
        if (result === undefined) {
          console.log('not enough events to train on');
        } else if (opts.json === true) {
          console.log(JSON.stringify(result, null, 2));
        } else {
          const r = result.report;
          console.log(
            `model v${result.version}: ${r.users} users, ${r.items} items, ${r.pairs} pairs, trained in ${(r.trainMs / 1000).toFixed(1)} s`,
          );
          console.log(
            `validation NDCG@10 ${r.validation.ndcg10.toFixed(4)}, Recall@20 ${r.validation.recall20.toFixed(4)}`,
          );
          for (const m of r.members) {
            console.log(
              `  ${m.kind.padEnd(12)} weight ${(r.weights[m.kind] ?? 0).toFixed(3)}  NDCG@10 ${m.ndcg10.toFixed(4)}`,
            );
          }
        }
      } finally {
        await engine.close();
      }
    });
}

/** Parses a duration like `90s`, `10m`, `2h` or plain milliseconds. */
export function parseDurationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (m === null) throw new Error(`not a duration: "${value}" (use e.g. 30s, 10m, 1h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor = unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1_000 : 1;
  const ms = n * factor;
  if (ms < 1_000) throw new Error(`--train-every must be at least 1s, got "${value}"`);
  return ms;
}

/** A `--snapshots-kept` value: a whole number of at least 1. */
export function parseSnapshotsKept(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`--snapshots-kept must be a whole number >= 1, got "${value}"`);
  return n;
}
