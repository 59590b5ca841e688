import type { FastifyInstance } from 'fastify';
import { SetlistError } from '../errors.js';

/** Resolves once the server starts to close. */
export interface Shutdown {
  readonly closing: Promise<void>;
}

/**
 * Answers requests that arrive while the server closes with `503 SETLIST_ERR_SHUTTING_DOWN` in the
 * standard shape (and `Connection: close`). Pass `return503OnClosing: false` to Fastify, whose own
 * answer has another shape; install before the hooks that check keys or hosts.
 */
export function installShutdown(app: FastifyInstance): Shutdown {
  let closingNow = false;
  let started!: () => void;
  const closing = new Promise<void>((resolve) => {
    started = resolve;
  });
  app.addHook('preClose', async () => {
    closingNow = true;
    started();
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closingNow) return;
    reply.header('connection', 'close');
    throw new SetlistError('SETLIST_ERR_SHUTTING_DOWN');
  });
  return { closing };
}
