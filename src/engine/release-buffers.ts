import { MessageChannel } from 'node:worker_threads';

/**
 * Frees the memory of `buffers` now, without waiting for a garbage collection: each is detached
 * (its views become empty) by a transfer into a channel that is closed before the message is read.
 * A buffer the heap has held for long is otherwise freed only by the next full collection, which
 * on an idle thread can be minutes away. SharedArrayBuffers (other threads may read them) and
 * buffers already detached are skipped. Resolves once the memory is returned.
 *
 * @example
 * await releaseBuffers([matrix.indices.buffer, matrix.values.buffer]); // matrix.indices.length === 0
 */
export function releaseBuffers(buffers: readonly ArrayBufferLike[]): Promise<void> {
  const owned = new Set<ArrayBuffer>();
  for (const b of buffers) if (b instanceof ArrayBuffer && b.byteLength > 0) owned.add(b);
  if (owned.size === 0) return Promise.resolve();
  const { port1, port2 } = new MessageChannel();
  const closed = new Promise<void>((resolve) => port2.once('close', () => resolve()));
  port1.postMessage(null, [...owned]);
  // The queued message, and with it the buffers' memory, is dropped as the ports close.
  port1.close();
  port2.close();
  return closed;
}
