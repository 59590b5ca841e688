import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Engine } from '../engine/engine.js';
import { SetlistError } from '../errors.js';
import { type AuthOptions, installAuth } from './auth.js';
import { installContentEncoding } from './content-encoding.js';
import { clientErrorHandler, expectationFailed, frameworkErrors, installErrorHandler } from './errors.js';
import { installHostCheck } from './host-check.js';
import { installEngineMetrics, installMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { installRateLimit, type RateLimitOptions } from './rate-limit.js';
import { installRequestId, requestIdOf } from './request-id.js';
import { discoveryRoutes } from './routes/discovery.js';
import { eventRoutes } from './routes/events.js';
import { itemRoutes } from './routes/items.js';
import { modelRoutes } from './routes/models.js';
import { userRoutes } from './routes/users.js';
import { findWebRoot, webRoutes } from './routes/web.js';
import { installShutdown } from './shutdown.js';

export const VERSION = '0.1.0';

export interface AppOptions {
  engine: Engine;
  /** Largest accepted request body; the default fits a 10,000-event batch. */
  bodyLimitBytes?: number;
  logger?: FastifyServerOptions['logger'];
  /** API keys with scopes; without it every route is open (serve it on loopback only). */
  auth?: AuthOptions;
  /** Per-key (or per-IP without a key) token buckets; off when absent. */
  rateLimit?: RateLimitOptions;
  /** Longest time to receive a whole request; default 30 s. */
  requestTimeoutMs?: number;
  /** An idle connection is closed after this long; default 120 s. */
  connectionTimeoutMs?: number;
  /** The built dashboard's folder; default: found beside the server; `false` serves no dashboard. */
  webRoot?: string | false;
  /**
   * Answer only requests whose `Host` is a loopback name or one of these (see `installHostCheck`):
   * for a server without keys, against DNS rebinding. Absent: any host.
   */
  allowedHosts?: readonly string[];
}

/**
 * The HTTP layer: thin routes over the engine, one error handler, metrics and the OpenAPI document.
 *
 * @example
 * const app = buildApp({ engine });
 * const res = await app.inject({ method: 'GET', url: '/healthz' });
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    http: {
      // Refused in installRequestId instead, in the standard shape.
      requireHostHeader: false,
      // Node checks the timeouts only this often (30 s by default), so a stalled request's 408 came late.
      connectionsCheckingInterval: requestTimeoutMs > 0 ? Math.min(1_000, requestTimeoutMs) : 30_000,
      // Node derives it from a requestTimeout given here, not Fastify's, set later: a longer one let a stalled body outlive requestTimeout.
      ...(requestTimeoutMs > 0 ? { headersTimeout: Math.min(60_000, requestTimeoutMs) } : {}),
    },
    logger: redactSecrets(options.logger ?? false),
    bodyLimit: options.bodyLimitBytes ?? 8 * 1024 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestTimeout: requestTimeoutMs,
    connectionTimeout: options.connectionTimeoutMs ?? 120_000,
    routerOptions: { maxParamLength: 1_024 },
    frameworkErrors,
    clientErrorHandler,
    // installShutdown answers these in the standard shape instead.
    return503OnClosing: false,
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
  installErrorHandler(app);
  app.server.on('checkExpectation', expectationFailed.bind(app));
  installRequestId(app);
  const shutdown = installShutdown(app);
  // JSON only: Fastify's own text/plain parser would hand a JSON body sent as text to the routes as a string.
  app.removeContentTypeParser('text/plain');
  app.addHook('preValidation', async (request) => rejectRepeatedQuery(request));
  if (options.allowedHosts !== undefined) installHostCheck(app, options.allowedHosts);
  if (options.auth !== undefined) installAuth(app, options.auth);
  if (options.rateLimit !== undefined) installRateLimit(app, options.rateLimit);
  installContentEncoding(app);
  const registry = installMetrics(app);
  const { engine } = options;
  installEngineMetrics(registry, engine);
  itemRoutes(app, engine);
  userRoutes(app, engine);
  eventRoutes(app, engine);
  discoveryRoutes(app, engine);
  modelRoutes(app, engine, shutdown);
  app.get('/v1/status', async () => engine.status());
  // Liveness: 503 once the engine has stopped taking events, so that a supervisor restarts it.
  app.get('/healthz', async (_request, reply) => {
    const health = engine.health();
    if (!health.ok) reply.code(503);
    return health;
  });
  // Readiness: 503 until the event log is replayed after a start, so that a balancer sends feeds
  // elsewhere while this node's feeds reflect only part of it. Reads no store.
  app.get('/readyz', async (_request, reply) => {
    const readiness = engine.readiness();
    if (!readiness.ready) reply.code(503);
    return readiness;
  });
  const doc = openApiDocument(VERSION, engine.config);
  app.get('/openapi.json', async () => doc);
  if (options.webRoot !== false) webRoutes(app, options.webRoot ?? findWebRoot());
  return app;
}

/** A query parameter given twice (`?n=3&n=4`) arrives as a list, which no route takes: say so. */
function rejectRepeatedQuery(request: FastifyRequest): void {
  const query = request.query as Record<string, unknown>;
  for (const key in query) {
    if (!Array.isArray(query[key])) continue;
    const name = key.slice(0, 100);
    throw new SetlistError('SETLIST_ERR_VALIDATION', { message: `${name} must be given once`, path: name });
  }
}

/** API keys must never reach a log line, whatever the caller's logger options. */
function redactSecrets(
  logger: NonNullable<FastifyServerOptions['logger']>,
): NonNullable<FastifyServerOptions['logger']> {
  if (typeof logger !== 'object') return logger;
  const paths = ['req.headers.authorization', 'headers.authorization', 'request.headers.authorization'];
  const redact = (logger as { redact?: unknown }).redact;
  const extra = Array.isArray(redact) ? (redact as string[]) : [];
  return { ...logger, redact: { paths: [...paths, ...extra], censor: '[redacted]' } } as NonNullable<
    FastifyServerOptions['logger']
  >;
}
