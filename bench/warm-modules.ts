// Under tsx, a worker compiles its entry module and that module's imports the first time they run from
// a given path (tsx caches the output on disk, keyed by path and content), and the first compile in a
// thread starts an esbuild process: a fork of the whole benchmark process. A fork marks every page of
// the forking process copy-on-write, so after a training that started workers on a cold cache (a fresh
// worktree, a merge, an edit), the server thread's next write to each page of the state faulted:
// session 8's full run took 1.87 minor faults and 27.9 µs of system CPU per ingested event, and a
// 6M-event run 0.99 faults per event (0.04 with the cache warm). Compiling the worker entries in a
// short-lived child process before the state exists fills the cache, so no thread of the benchmark
// forks later. Compiled code (`npm start`, dist/) has no compile step and never forks.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Every worker entry under src/ (`*-worker.ts` modules that listen on `parentPort`). */
export function workerEntries(dir = SRC): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...workerEntries(path));
    else if (entry.name.endsWith('-worker.ts') && readFileSync(path, 'utf8').includes('parentPort')) {
      out.push(path);
    }
  }
  return out.sort();
}

/**
 * Under tsx (this module is TypeScript source), imports every worker entry in a child process with
 * the same loader, so that the benchmark's workers find their code compiled; returns how many entries
 * it warmed (0 when not under tsx). Call it before building the state.
 *
 * @example
 * warmWorkerModules(); // first thing in a benchmark, before any large allocation
 */
export function warmWorkerModules(): number {
  if (!import.meta.url.endsWith('.ts')) return 0;
  const entries = workerEntries();
  const imports = entries.map((path) => `await import(${JSON.stringify(pathToFileURL(path).href)});`);
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', imports.join('\n')],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`warming the worker modules failed (status ${child.status})`);
  return entries.length;
}
