import { getPriority, setPriority } from 'node:os';

export { startWorker } from '../start-worker.js';

/** The nice value of training threads: the server thread wins the CPU whenever it has work. */
const TRAINING_NICE = 10;

/**
 * Lowers the calling worker thread's CPU priority, so a training run that keeps every core busy
 * does not delay the server's event loop. Linux only, where the nice value is per thread; elsewhere
 * it would apply to the whole process, server included.
 *
 * @example
 * lowerThreadPriority(); // first thing in a training worker's entry
 */
export function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(Math.max(getPriority(), TRAINING_NICE));
  } catch {
    // Not permitted (e.g. a sandbox): training simply runs at normal priority.
  }
}
