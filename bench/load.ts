// Starts a load job in its own process (bench/load-client.ts), so the load generator never competes
// with the server's event loop, and resolves with what the client measured.
import { fork } from 'node:child_process';
import type { LoadJob } from './load-client.js';
import type { LoadResult } from './load-summary.js';

/**
 * Runs one autocannon job in a child process.
 *
 * @example
 * const hello = await runLoad({ kind: 'hello', url, connections: 64, durationS: 10 });
 */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const client = fork(new URL('./load-client.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
    client.once('message', (m: { result?: LoadResult; error?: string }) => {
      client.kill();
      if (m.result === undefined) reject(new Error(m.error ?? 'load client failed'));
      else resolve(m.result);
    });
    client.once('error', reject);
    client.send(job);
  });
}
