import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

let tsxApi: string | undefined;
let reducerForWorkers = false;

/**
 * Starts a worker whose entry sits beside the calling module: `<name>.js` once compiled; under tsx
 * (source `.ts`), a bootstrap that registers tsx inside the worker first, since Node 20 does not
 * apply the parent's `--import tsx` loader hooks to a worker's entry module.
 */
export function startWorker(name: string, callerUrl: string): Worker {
  if (!reducerForWorkers) {
    reducerForWorkers = true;
    // A server run with --no-memory-reducer (its idle heap's collection is a long pause while training
    // runs beside it) keeps the reducer in its workers, which free dead buffers with it between jobs:
    // V8 reads the flag as each thread's heap is set up, so the server thread stays without one.
    if (process.execArgv.includes('--no-memory-reducer')) setFlagsFromString('--memory-reducer');
  }
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl));
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  // Resolved once: under tsx each resolve waits on the loader's thread, which a busy machine delays.
  tsxApi ??= import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}
