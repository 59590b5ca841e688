import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_ID_LENGTH } from '../engine/validate.js';
import { SetlistError } from '../errors.js';
import { inFlightRequestId, requestIdOf } from './request-id.js';

/**
 * The one error handler: every failure leaves as `{ error: { code, message, path? } }` with the
 * catalogue's status. Unexpected errors are logged and answered with a generic 500.
 */
export function installErrorHandler(app: FastifyInstance): void {
  const routes: RoutePattern[] = [];
  routeTables.set(app, routes);
  // Every route but the dashboard's catch-all (`/*`), for the methods a path has (405 and Allow).
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return;
    const methods = [route.method].flat().map((m) => m.toUpperCase());
    const known = routes.find((r) => r.url === route.url);
    if (known === undefined) routes.push({ url: route.url, ...patternOf(route.url), methods });
    else known.methods.push(...methods);
  });
  app.setErrorHandler((err: FastifyError | SetlistError | Error, request, reply) => {
    const mapped = toSetlistError(err);
    // A server starting or closing refuses by design: worth a line, not an error with a stack.
    if (EXPECTED_REFUSALS.has(mapped.code)) request.log.info({ code: mapped.code }, 'request refused');
    else if (mapped.status >= 500) request.log.error({ err }, 'request failed');
    if (
      (mapped.code === 'SETLIST_ERR_RATE_LIMITED' || mapped.code === 'SETLIST_ERR_UNAVAILABLE') &&
      !reply.hasHeader('retry-after')
    ) {
      reply.header('retry-after', '1');
    }
    if (mapped.code === 'SETLIST_ERR_STARTING') reply.header('retry-after', '5');
    return reply.status(mapped.status).send(mapped.toJSON());
  });
  app.setNotFoundHandler(async (request, reply) => {
    throw routeMissing(request, reply);
  });
}

/** 5xx answers that are the server's state, not a failure: logged at info. */
const EXPECTED_REFUSALS: ReadonlySet<string> = new Set(['SETLIST_ERR_STARTING', 'SETLIST_ERR_SHUTTING_DOWN']);

interface RoutePattern {
  url: string;
  pattern: RegExp;
  /** The names of the path's parameters, in the order of the pattern's groups. */
  params: string[];
  methods: string[];
}

const routeTables = new WeakMap<FastifyInstance, RoutePattern[]>();

/**
 * The routes `app` serves, each path (`/v1/items/:itemId`) with its methods, the dashboard's
 * catch-all left out; empty for an app without {@link installErrorHandler}.
 */
export function servedRoutes(app: FastifyInstance): { url: string; methods: readonly string[] }[] {
  return (routeTables.get(app) ?? []).map(({ url, methods }) => ({ url, methods: [...methods] }));
}

/** `/v1/users/:userId/feed` as a regular expression of the paths it serves, a group per parameter. */
function patternOf(url: string): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const segments = url.split('/').map((s) => {
    if (!s.startsWith(':')) return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    params.push(s.slice(1));
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${segments.join('/')}$`), params };
}

/** The methods the routes of `request`'s path answer, sorted; none for a path no route serves. */
function allowedMethods(request: FastifyRequest): string[] {
  const path = request.url.split('?')[0] ?? '/';
  const methods = new Set<string>();
  for (const route of routeTables.get(request.server) ?? []) {
    if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
  }
  return [...methods].sort();
}

/**
 * The parameter of a route for `request`'s method and path that the router refused as longer than
 * its `maxParamLength`: such a request reaches no route, yet names one.
 */
function overlongParam(request: FastifyRequest, path: string): string | undefined {
  for (const route of routeTables.get(request.server) ?? []) {
    if (!route.methods.includes(request.method)) continue;
    const values = route.pattern.exec(path)?.slice(1) ?? [];
    for (const [k, value] of values.entries()) {
      if (decodedLength(value) > MAX_ID_LENGTH) return route.params[k];
    }
  }
  return undefined;
}

function decodedLength(segment: string): number {
  try {
    return decodeURIComponent(segment).length;
  } catch {
    return segment.length;
  }
}

/**
 * What a request no route answered gets: 405 when the path is served with another method (the path's
 * methods set in `reply`'s `Allow`), a validation error when an id in it is too long for the router,
 * `SETLIST_ERR_ROUTE_NOT_FOUND` otherwise.
 */
export function routeMissing(request: FastifyRequest, reply: FastifyReply): SetlistError {
  const path = request.url.split('?')[0]?.slice(0, 200);
  const allowed = allowedMethods(request);
  if (allowed.length > 0 && !allowed.includes(request.method)) {
    reply.header('allow', allowed.join(', '));
    return new SetlistError('SETLIST_ERR_METHOD_NOT_ALLOWED', {
      message: `${path} does not take ${request.method}: it takes ${allowed.join(', ')}.`,
    });
  }
  const overlong = overlongParam(request, request.url.split('?')[0] ?? '/');
  if (overlong !== undefined) {
    return new SetlistError('SETLIST_ERR_VALIDATION', {
      message: `${overlong} must be at most ${MAX_ID_LENGTH} characters`,
      path: overlong,
    });
  }
  return new SetlistError('SETLIST_ERR_ROUTE_NOT_FOUND', {
    message: `No route ${request.method} ${path}: see GET /openapi.json.`,
  });
}

/**
 * Fastify's own early errors (a URL that does not decode, a path parameter too long for the router)
 * bypass the error handler; this gives them the standard shape too. Pass it as the `frameworkErrors`
 * server option.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let mapped: SetlistError;
  if (err.code === 'FST_ERR_BAD_URL') {
    mapped = new SetlistError('SETLIST_ERR_VALIDATION', {
      message: 'The URL is not valid: percent-encode ids as UTF-8 (encodeURIComponent).',
      path: 'url',
      cause: err,
    });
  } else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    // The router refused a path parameter longer than its `maxParamLength`: an over-long id.
    mapped = routeMissing(request, reply);
  } else {
    mapped = toSetlistError(err);
  }
  // These requests skip the onRequest hooks, which set it for every other answer.
  reply.header('x-request-id', request.id);
  void reply.status(mapped.status).send(mapped.toJSON());
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (headers over the size limit, a
 * malformed request line or `Content-Length`, a request that did not arrive in time) is answered in
 * the standard shape too, and the connection closed. The `X-Request-Id` is the id of the request
 * whose body was being read, if any, a fresh one otherwise. Logged at info, without the request's
 * bytes. Pass it as the `clientErrorHandler` server option.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Duplex,
): void {
  // A reset connection has no one left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const mapped = clientError(err);
  const id = inFlightRequestId(socket) ?? requestIdOf({ headers: {} });
  // Not the error itself: its rawPacket may hold an Authorization header.
  this.log.info({ reqId: id, code: err.code, status: mapped.status }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(mapped.toJSON());
    socket.write(
      `HTTP/1.1 ${mapped.status} ${STATUS_CODES[mapped.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${id}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(err);
}

/**
 * An `Expect` other than `100-continue` gets 417 in the standard shape, with the request's id. Node
 * answers such a request itself (an empty 417) unless the server has a `checkExpectation` listener:
 * this is one.
 */
export function expectationFailed(this: FastifyInstance, req: IncomingMessage, res: ServerResponse): void {
  const mapped = new SetlistError('SETLIST_ERR_EXPECTATION_FAILED', {
    message: `The server meets no Expect header but "Expect: 100-continue": got ${JSON.stringify(String(req.headers.expect).slice(0, 100))}.`,
    path: 'expect',
  });
  const id = requestIdOf(req);
  this.log.info({ reqId: id, code: mapped.code, status: mapped.status }, 'request refused');
  const body = JSON.stringify(mapped.toJSON());
  res.writeHead(mapped.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': id,
    connection: 'close',
  });
  res.end(body);
}

function clientError(err: Error & { code?: string }): SetlistError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new SetlistError('SETLIST_ERR_HEADERS_TOO_LARGE', { cause: err });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new SetlistError('SETLIST_ERR_REQUEST_TIMEOUT', { cause: err });
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return new SetlistError('SETLIST_ERR_VALIDATION', {
        message:
          'The Content-Length header is not valid: send one decimal length, or none with chunked encoding.',
        path: 'content-length',
        cause: err,
      });
    default:
      return new SetlistError('SETLIST_ERR_VALIDATION', {
        message: 'The HTTP request is malformed: check its request line and headers.',
        cause: err,
      });
  }
}

function toSetlistError(err: FastifyError | SetlistError | Error): SetlistError {
  if (err instanceof SetlistError) return err;
  const code = (err as FastifyError).code;
  const status = (err as FastifyError).statusCode;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SetlistError('SETLIST_ERR_BODY_TOO_LARGE', { cause: err });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SetlistError('SETLIST_ERR_UNSUPPORTED_MEDIA_TYPE', { cause: err });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new SetlistError('SETLIST_ERR_MALFORMED_JSON', { cause: err });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new SetlistError('SETLIST_ERR_VALIDATION', {
        message: 'The Content-Length header is wrong.',
        cause: err,
      });
    default:
      break;
  }
  if (err instanceof SyntaxError || (status === 400 && /JSON|prototype|constructor/i.test(err.message))) {
    return new SetlistError('SETLIST_ERR_MALFORMED_JSON', {
      message: `The body is not acceptable JSON: ${err.message.slice(0, 200)}`,
      cause: err,
    });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new SetlistError('SETLIST_ERR_VALIDATION', { message: err.message.slice(0, 500), cause: err });
  }
  return new SetlistError('SETLIST_ERR_INTERNAL', { cause: err });
}
