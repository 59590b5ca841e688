import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Engine, ServingStats } from '../engine/engine.js';

/** Prometheus metrics of one server: its own registry, so several servers can live in one process. */
export function installMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'setlist_' });
  // prom-client names three gauges `*_total`, the suffix Prometheus keeps for counters; its
  // `nodejs_active_resources` (by type) stands for them.
  for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
    registry.removeSingleMetric(`setlist_nodejs_${name}`);
  }
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

/**
 * Engine-side metrics read at scrape time: the audit of explored impressions, and how the trained
 * model finds its candidates (no retrieval mode before a model is trained or loaded, counts of 0).
 */
export function installEngineMetrics(registry: Registry, engine: Engine): void {
  new Gauge({
    name: 'setlist_model_retrieval',
    help: "How the trained model finds candidates: 1 for the current mode (index, scan; none while a large catalogue's index is built and feeds rank without the model).",
    labelNames: ['mode'] as const,
    registers: [registry],
    collect() {
      const stats = engine.servingStats();
      this.reset();
      if (stats === undefined) return;
      for (const mode of ['index', 'scan', 'none'] as const)
        this.set({ mode }, stats.retrieval === mode ? 1 : 0);
    },
  });
  const servingCount = (name: string, help: string, read: (stats: ServingStats) => number): void => {
    engineCounter(registry, name, help, () => {
      const stats = engine.servingStats();
      return stats === undefined ? 0 : read(stats);
    });
  };
  servingCount(
    'setlist_model_candidate_cache_hits_total',
    "Feeds that read the trained model's candidates kept for the user since start.",
    (stats) => stats.candidateCache.hits,
  );
  servingCount(
    'setlist_model_candidate_cache_misses_total',
    "Feeds that computed the trained model's candidates for the user since start (fold-in and search).",
    (stats) => stats.candidateCache.misses,
  );
  servingCount(
    'setlist_search_thread_failures_total',
    'Search threads of the trained model that stopped without being released since start.',
    (stats) => stats.threadFailures,
  );
  servingCount(
    'setlist_search_thread_restarts_total',
    'Search threads of the trained model started again after a failure since start.',
    (stats) => stats.threadRestarts,
  );
  new Gauge({
    name: 'setlist_ready',
    help: '1 once the event log is replayed after a start (GET /readyz answers 200), 0 while it is replayed.',
    registers: [registry],
    collect() {
      this.set(engine.readiness().ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'setlist_events_applied',
    help: 'Events in the online state: while the log is replayed after a start, how far the replay is.',
    registers: [registry],
    collect() {
      this.set(engine.readiness().eventsApplied);
    },
  });
  new Gauge({
    name: 'setlist_ingest_accepting',
    help: '1 while the engine takes events, 0 once it stopped (the event log failed to commit: restart it; GET /healthz answers 503) or closed.',
    registers: [registry],
    collect() {
      this.set(engine.health().ok && engine.readiness().phase !== 'closed' ? 1 : 0);
    },
  });
  if (engine.cluster() !== undefined) installClusterMetrics(registry, engine);
  engineCounter(
    registry,
    'setlist_exploration_impressions_total',
    'Feed slots served as exploration (Thompson sampling of little-exposed items) since start.',
    () => engine.explorationAudit(0).impressions,
  );
}

/** A scaled-out node's view of the Redis event stream it shares with the other nodes. */
function installClusterMetrics(registry: Registry, engine: Engine): void {
  new Gauge({
    name: 'setlist_cluster_stream_connected',
    help: "1 while this node follows the cluster's Redis event stream and can publish to it, 0 while Redis is away (other nodes then see this node's events through the store's log, within the catch-up interval).",
    registers: [registry],
    collect() {
      this.set(engine.cluster()?.redis === 'up' ? 1 : 0);
    },
  });
  engineCounter(
    registry,
    'setlist_cluster_publish_failures_total',
    "Committed batches this node failed to append to the cluster's Redis stream since start (the others read them from the store's log).",
    () => engine.cluster()?.publishFailures ?? 0,
  );
}

/**
 * A Prometheus counter of a count the engine keeps since open: each scrape adds what the count grew
 * by since the last, so the counter equals the count and never goes down.
 */
function engineCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      if (value > last) this.inc(value - last);
      last = Math.max(last, value);
    },
  });
}
