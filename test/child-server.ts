import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));
const live = new Set<ChildProcess>();
process.once('exit', () => stopAllChildServers());

/** Kills every child server still running: call it from `after()` so a failed test cannot hang the run. */
export function stopAllChildServers(): void {
  for (const child of live) child.kill('SIGKILL');
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
}

/**
 * Starts `setlist serve --port 0` from source in a child process and resolves once it listens.
 *
 * @example
 * const server = await startChildServer({ db: tempDbPath() });
 * await fetch(`${server.url}/healthz`);
 * server.child.kill('SIGKILL');
 */
export function startChildServer(options: {
  db: string;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', RUN, 'serve', '--port', '0', '--db', options.db, ...(options.args ?? [])],
    {
      env: { ...process.env, SETLIST_LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  live.add(child);
  let err = '';
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? -1);
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start in time:\n${err}`));
    }, options.timeoutMs ?? 90_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      err += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(err);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child, exited, stderr: () => err });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${err}`));
    });
  });
}
