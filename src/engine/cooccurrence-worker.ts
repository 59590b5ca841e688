import { parentPort } from 'node:worker_threads';
import { type CooccurrenceWriter, createCooccurrence } from '../core/online-cooccurrence.js';
import {
  applyCooccurrenceCommands,
  type CooccurrenceMessage,
  type CooccurrenceReply,
} from './cooccurrence-thread.js';

// The co-occurrence thread: applies the server thread's batches of updates to the shared rows.
// Imported outside a worker (bench/warm-modules.ts compiles every entry in a plain process), it does nothing.
let writer: CooccurrenceWriter | undefined;
let done: Int32Array | undefined;
parentPort?.on('message', (message: CooccurrenceMessage) => {
  if (message.kind === 'init') {
    writer = createCooccurrence(message);
    done = message.done;
    return;
  }
  try {
    writer!.releaseFreed(message.acked);
    writer!.holdFreed(message.batch);
    applyCooccurrenceCommands(writer!, message.commands, message.length);
  } catch (error) {
    const reply: CooccurrenceReply = {
      batch: message.batch,
      error: error instanceof Error ? error.message : String(error),
    };
    parentPort!.postMessage(reply);
    return;
  }
  Atomics.store(done!, 0, message.batch);
  Atomics.notify(done!, 0);
  const reply: CooccurrenceReply = { batch: message.batch, commands: message.commands };
  parentPort!.postMessage(reply, [message.commands.buffer]);
});
