// Starts load jobs in a process of their own (bench/load-client.ts), so the load generator never
// competes with the server's event loop, and resolves with what the client measured.
import { fork } from 'node:child_process';
import type { LoadJob } from './load-client.js';
import type { LoadResult } from './load-summary.js';

/** A load-client process that runs jobs one at a time until closed. */
export interface LoadClient {
  run(job: LoadJob): Promise<LoadResult>;
  close(): void;
  /** The client process's id, for its CPU time. */
  readonly pid: number | undefined;
}

/**
 * Starts the load-client process now, for jobs sent later. Start it before building a large state:
 * forking marks every page of the forking process copy-on-write, so that process's next write to each
 * page takes a fault (measured at 1M items: 0.6 faults and about 20 µs more of the server thread's CPU
 * per ingested event, for as long as the state's pages are being written the first time after it).
 *
 * @example
 * const client = startLoadClient();
 * // ... build the state, listen ...
 * const result = await client.run({ kind: 'hello', url, connections: 64, durationS: 10 });
 * client.close();
 */
export function startLoadClient(): LoadClient {
  const client = fork(new URL('./load-client.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
  let failure: Error | undefined;
  client.on('error', (err) => {
    failure = err;
  });
  // A client that dies between jobs fails the next one at once instead of leaving it waiting.
  client.once('exit', (code, signal) => {
    failure ??= new Error(`load client exited (${signal ?? code})`);
  });
  // Jobs run one after another: a job sent while another runs waits for it.
  let last: Promise<unknown> = Promise.resolve();
  return {
    run(job) {
      const next = last.then(
        () =>
          new Promise<LoadResult>((resolve, reject) => {
            if (failure !== undefined) return reject(failure);
            const onExit = (): void => reject(new Error('load client exited'));
            client.once('exit', onExit);
            client.once('message', (m: { result?: LoadResult; error?: string }) => {
              client.off('exit', onExit);
              if (m.result === undefined) reject(new Error(m.error ?? 'load client failed'));
              else resolve(m.result);
            });
            client.send(job, (err) => {
              if (err !== null) {
                client.off('exit', onExit);
                reject(err);
              }
            });
          }),
      );
      last = next.catch(() => {});
      return next;
    },
    close() {
      client.kill();
    },
    pid: client.pid,
  };
}

/**
 * Runs one autocannon job in a child process started for it (see {@link startLoadClient} for a
 * server holding a large state).
 *
 * @example
 * const hello = await runLoad({ kind: 'hello', url, connections: 64, durationS: 10 });
 */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const client = startLoadClient();
  try {
    return await client.run(job);
  } finally {
    client.close();
  }
}
