// The V8 flags a setlist server runs with (`npm start` passes the same), for benchmarks that run the
// server in their own process. Without V8's memory reducer, a server thread that idles with a large
// heap while training runs beside it is not collected about 100 s after its last full collection
// (the reducer's watchdog): a pause of 200-400 ms at 300k-1M items, by far the longest on the thread.
import { spawn } from 'node:child_process';

export const SERVER_V8_FLAGS: readonly string[] = ['--no-memory-reducer'];

/**
 * Runs this script again in a child process with {@link SERVER_V8_FLAGS} when this one lacks them,
 * passes SIGINT and SIGTERM on to it and exits with its status; resolves at once in a process that
 * has them, or when `keep` (a bench's `--memory-reducer` flag: V8's defaults, to measure what the
 * flags change).
 *
 * @example
 * await relaunchWithServerFlags(flags.has('memory-reducer'));
 */
export async function relaunchWithServerFlags(keep = false): Promise<void> {
  const missing = SERVER_V8_FLAGS.filter((flag) => !process.execArgv.includes(flag));
  if (keep || missing.length === 0) return;
  const child = spawn(process.execPath, [...missing, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  const status = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  process.exit(status);
}
