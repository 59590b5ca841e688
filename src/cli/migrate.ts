import type { Command } from 'commander';
import { isPostgresUrl, openStore, printMigration } from './open-store.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create or upgrade the schema of a store (run once before a new version of the API nodes)')
    .requiredOption('--store <url-or-path>', 'postgres://... connection string, or a SQLite file path')
    .option('--schema <name>', 'Postgres schema that holds the tables', 'public')
    .action(async (opts: { store: string; schema: string }) => {
      const store = await openStore(opts.store, {
        schema: opts.schema,
        poolSize: 1,
        onMigration: printMigration(isPostgresUrl(opts.store) ? 'postgres' : 'sqlite'),
      });
      try {
        await store.migrate();
        const counts = await store.counts();
        console.error(
          `migrated the ${store.kind} store: ${counts.items} items, ${counts.users} users, ${counts.events} events`,
        );
      } finally {
        await store.close();
      }
    });
}
