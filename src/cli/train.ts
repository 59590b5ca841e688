import { hostname } from 'node:os';
import type { Command } from 'commander';
import { createEngine, type EngineOptions } from '../engine/engine.js';
import { SNAPSHOTS_KEPT } from '../store/store.js';
import {
  type DeploymentOptions,
  isPostgresUrl,
  openStore,
  printMigration,
  requireDatabase,
  requireRedisWithPostgres,
} from './open-store.js';

interface TrainOptions extends DeploymentOptions {
  json?: boolean;
  snapshotsKept: number;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the batch model from the events in the store and save it as a snapshot')
    .option('--db <path>', 'SQLite database file', './setlist.db')
    .option('--store <url>', 'postgres://... connection string: train on a Postgres store instead of --db')
    .option('--schema <name>', 'Postgres schema that holds the tables', 'public')
    .option(
      '--redis <url>',
      'redis://host:port of a running deployment: its API nodes swap in the new model at once (else at their next start)',
    )
    .option(
      '--prefix <prefix>',
      'key prefix of the Redis channels, as the nodes were given it (default: setlist, or setlist-<schema>)',
    )
    .option('--json', 'print the report as JSON')
    .option(
      '--snapshots-kept <n>',
      'model snapshot versions kept per model; older ones are deleted as a new one is saved',
      parseSnapshotsKept,
      SNAPSHOTS_KEPT,
    )
    .action(async (opts: TrainOptions) => {
      const spec = opts.store ?? opts.db;
      const postgres = isPostgresUrl(spec);
      requireRedisWithPostgres(opts.redis, postgres);
      if (!postgres) requireDatabase(spec);
      const store = await openStore(spec, {
        schema: opts.schema,
        snapshotsKept: opts.snapshotsKept,
        onMigration: printMigration(postgres ? 'postgres' : 'sqlite'),
      });
      const announcer = opts.redis === undefined ? undefined : await openAnnouncer(opts.redis, opts);
      const engine = createEngine({
        store,
        ...(announcer === undefined ? {} : { onSnapshotSaved: announcer.announce }),
      });
      try {
        await engine.open();
      } catch (err) {
        await engine.close().catch(() => {});
        await announcer?.close();
        throw err;
      }
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
        await announcer?.close();
      }
    });
}

/**
 * Announces each model version `train` saves on the deployment's models channel, as a training node
 * does: every running node loads it from the store and swaps it in. A failed announcement is told on
 * stderr; the nodes then load the version at their next start or Redis reconnect.
 */
async function openAnnouncer(
  redisUrl: string,
  opts: Pick<TrainOptions, 'schema' | 'prefix'>,
): Promise<{ announce: NonNullable<EngineOptions['onSnapshotSaved']>; close(): Promise<void> }> {
  // Imported only here, so that training on SQLite never loads ioredis.
  const { Redis } = await import('ioredis');
  const { defaultPrefix, streamNames } = await import('../cluster/event-stream.js');
  const channel = streamNames(opts.prefix ?? defaultPrefix(opts.schema)).models;
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
    connectionName: `train-${hostname()}-${process.pid}`,
  });
  redis.on('error', () => {});
  const unannounced = (name: string, err: unknown): void =>
    console.error(
      `setlist: announcing model ${name} failed (${err instanceof Error ? err.message : String(err)}): ` +
        'running nodes load it at their next start or Redis reconnect',
    );
  await redis.connect().catch((err: unknown) => unannounced('versions', err));
  return {
    async announce(model) {
      try {
        await redis.publish(channel, JSON.stringify({ name: model.name, version: model.version }));
      } catch (err) {
        unannounced(`${model.name} v${model.version}`, err);
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
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
