import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** An incoming `X-Request-Id` is taken as the request's id only in this form; any other is ignored. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the caller's `X-Request-Id` when it is 1-128 characters of `A-Z a-z 0-9 . _ : -`,
 * a fresh UUID otherwise (a malformed one is never an error and never reaches a log). Pass it as
 * Fastify's `genReqId`, which makes it the `reqId` of the request's log lines.
 *
 * @example
 * requestIdOf({ headers: { 'x-request-id': 'lb-7f3a' } } as IncomingMessage); // 'lb-7f3a'
 */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Every answer, errors and 404s included, carries the request's id as `X-Request-Id`. */
export function installRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}
