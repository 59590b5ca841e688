import type { Command } from 'commander';
import { isPostgresUrl, printMigration } from './open-store.js';

export interface WorkerCliOptions {
  store: string;
  redis: string;
  schema: string;
  prefix?: string;
  consumer?: string;
  batch: number;
  claimIdleMs: number;
  trainEveryMs: number;
  throttleMs: number;
  catchUpIntervalMs: number;
}

const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number >= 0, got "${value}"`);
  return n;
};

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'consume the event stream (Redis consumer group): cluster-wide item counts and model training',
    )
    .requiredOption('--store <url>', 'postgres://... connection string of the store the API nodes use')
    .requiredOption('--redis <url>', 'redis://host:port of the event stream')
    .option('--schema <name>', 'Postgres schema that holds the tables', 'public')
    .option(
      '--prefix <prefix>',
      'key prefix of the stream and channels (default: setlist, or setlist-<schema>)',
    )
    .option(
      '--consumer <name>',
      'name in the consumer group; reuse it after a restart to resume own pending entries',
    )
    .option('--batch <n>', 'stream entries read per call', int('batch'), 100)
    .option(
      '--claim-idle-ms <ms>',
      "claim another consumer's entries unacknowledged this long",
      int('claim-idle-ms'),
      30_000,
    )
    .option(
      '--train-every-ms <ms>',
      'rebuild and announce the popularity model this often; 0 never',
      int('train-every-ms'),
      60_000,
    )
    .option(
      '--throttle-ms <ms>',
      'pause after each batch to bound the load on Postgres',
      int('throttle-ms'),
      0,
    )
    .option(
      '--catch-up-interval-ms <ms>',
      "how often to read the store's log for events the stream lost",
      int('catch-up-interval-ms'),
      1_000,
    )
    .action(async (opts: WorkerCliOptions) => {
      if (!isPostgresUrl(opts.store)) throw new Error('--store must be a postgres:// connection string');
      // Imported here so that other commands never load pg or ioredis.
      const { createPostgresStore } = await import('../store/postgres/postgres-store.js');
      const { createStreamWorker } = await import('../cluster/stream-worker.js');
      const { defaultPrefix } = await import('../cluster/event-stream.js');
      // The worker's tables come with the store's migrations.
      const store = createPostgresStore({
        connectionString: opts.store,
        schema: opts.schema,
        poolSize: 1,
        onMigration: printMigration('postgres'),
      });
      await store.migrate();
      await store.close();
      const worker = createStreamWorker({
        connectionString: opts.store,
        schema: opts.schema,
        redisUrl: opts.redis,
        prefix: opts.prefix ?? defaultPrefix(opts.schema),
        ...(opts.consumer === undefined ? {} : { consumer: opts.consumer }),
        batchEntries: opts.batch,
        claimIdleMs: opts.claimIdleMs,
        trainEveryMs: opts.trainEveryMs,
        throttleMs: opts.throttleMs,
        catchUpIntervalMs: opts.catchUpIntervalMs,
        log: (message, err) =>
          console.error(`setlist worker: ${message}${err === undefined ? '' : `: ${String(err)}`}`),
      });
      const stop = (): void => {
        void worker.stop();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      console.error(`setlist worker ${worker.stats().consumer} is consuming`);
      await worker.run();
      console.error(`setlist worker stopped: ${JSON.stringify(worker.stats())}`);
    });
}
