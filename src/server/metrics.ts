import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Engine } from '../engine/engine.js';

/** Prometheus metrics of one server: its own registry, so several servers can live in one process. */
export function installMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'setlist_process_' });
  const requests = new Counter({
    name: 'setlist_http_requests_total',
    help: 'HTTP requests by route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'setlist_http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}

/** Engine-side metrics read at scrape time: the audit of explored impressions. */
export function installEngineMetrics(registry: Registry, engine: Engine): void {
  new Gauge({
    name: 'setlist_exploration_impressions_total',
    help: 'Feed slots served as exploration (Thompson sampling of little-exposed items) since start.',
    registers: [registry],
    collect() {
      this.set(engine.explorationAudit(0).impressions);
    },
  });
}
