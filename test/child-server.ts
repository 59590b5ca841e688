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
 * Starts `setlist serve --port 0` from source in a child process and resolves once it listens and
 * has replayed its event log (`/readyz` answers 200), or with `ready: false` once it listens.
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
  ready?: boolean;
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
    let listening = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      err += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(err);
      if (match !== null && !listening) {
        listening = true;
        const server = { url: match[1]!, child, exited, stderr: () => err };
        const done = options.ready === false ? Promise.resolve() : untilReady(server.url);
        void done.then(() => {
          clearTimeout(timer);
          resolve(server);
        }, reject);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${err}`));
    });
  });
}

/** Polls `/readyz` until it answers 200. */
async function untilReady(url: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${url}/readyz`);
    await res.text();
    if (res.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
