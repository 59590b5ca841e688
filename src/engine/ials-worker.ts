// Worker entry for ials-parallel.ts: holds the shared memory of one fit and runs its tasks.
import { parentPort } from 'node:worker_threads';
import { type IalsShared, type IalsTask, runIalsTask } from './ials-parallel.js';
import { lowerThreadPriority } from './start-worker.js';

lowerThreadPriority();

let shared: IalsShared | undefined;

parentPort?.on('message', (message: { shared?: IalsShared; task?: IalsTask }) => {
  try {
    if (message.shared !== undefined) shared = message.shared;
    if (message.task !== undefined && shared !== undefined) runIalsTask(shared, message.task);
    parentPort?.postMessage({});
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
