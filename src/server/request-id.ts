import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { SetlistError } from '../errors.js';

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

/** The id of the request each connection is reading or answering, while it is in flight. */
const inFlight = new WeakMap<object, string>();

/**
 * The id of the request in flight on `socket`, for an answer Node's parser gives it (a body that did
 * not arrive in time); undefined between requests.
 */
export function inFlightRequestId(socket: Duplex): string | undefined {
  return inFlight.get(socket);
}

/**
 * Every answer, errors and 404s included, carries the request's id as `X-Request-Id`. Node's own
 * Host check is off (`requireHostHeader: false`) so that an HTTP/1.1 request without a `Host` is
 * refused here, in the standard shape and with its id.
 */
export function installRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // An injected request may have no socket.
    if (request.raw.socket) inFlight.set(request.raw.socket, request.id);
    if (request.raw.httpVersion === '1.1' && (request.headers.host ?? '').trim() === '') {
      // As Node's own check did: a client this far off the protocol gets no further requests read.
      reply.header('connection', 'close');
      throw new SetlistError('SETLIST_ERR_VALIDATION', {
        message: 'HTTP/1.1 requires a Host header: send one naming this server (Host: localhost:7733).',
        path: 'host',
      });
    }
  });
  app.addHook('onResponse', async (request) => {
    const socket = request.raw.socket;
    if (socket && inFlight.get(socket) === request.id) inFlight.delete(socket);
  });
}
