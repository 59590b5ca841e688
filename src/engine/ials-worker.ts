// Worker entry for ials-parallel.ts: holds the shared memory of one fit and runs its tasks. It keeps the
// CPU priority of the thread that started it unless its first message asks it to lower it (the
// engine's training worker does).
import { parentPort } from 'node:worker_threads';
import { type IalsShared, type IalsTask, runIalsTask } from './ials-parallel.js';
import { lowerThreadPriority } from './start-worker.js';

let shared: IalsShared | undefined;

parentPort?.on('message', (message: { shared?: IalsShared; lowerPriority?: boolean; task?: IalsTask }) => {
  try {
    if (message.lowerPriority === true) lowerThreadPriority();
    if (message.shared !== undefined) shared = message.shared;
    if (message.task !== undefined && shared !== undefined) runIalsTask(shared, message.task);
    parentPort?.postMessage({});
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
