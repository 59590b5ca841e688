import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Engine } from '../engine/engine.js';
import { installErrorHandler } from './errors.js';
import { installEngineMetrics, installMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { discoveryRoutes } from './routes/discovery.js';
import { eventRoutes } from './routes/events.js';
import { itemRoutes } from './routes/items.js';
import { userRoutes } from './routes/users.js';

export const VERSION = '0.1.0';

export interface AppOptions {
  engine: Engine;
  /** Largest accepted request body; the default fits a 10,000-event batch. */
  bodyLimitBytes?: number;
  logger?: FastifyServerOptions['logger'];
}

/**
 * The HTTP layer: thin routes over the engine, one error handler, metrics and the OpenAPI document.
 *
 * @example
 * const app = buildApp({ engine });
 * const res = await app.inject({ method: 'GET', url: '/healthz' });
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 8 * 1024 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestTimeout: 30_000,
    routerOptions: { maxParamLength: 1_024 },
  });
  installErrorHandler(app);
  const registry = installMetrics(app);
  const { engine } = options;
  installEngineMetrics(registry, engine);
  itemRoutes(app, engine);
  userRoutes(app, engine);
  eventRoutes(app, engine);
  discoveryRoutes(app, engine);
  app.get('/v1/status', async () => engine.status());
  app.get('/healthz', async () => ({ ok: true }));
  const doc = openApiDocument(VERSION);
  app.get('/openapi.json', async () => doc);
  return app;
}
