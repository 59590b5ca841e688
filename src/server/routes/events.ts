import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';

export function eventRoutes(app: FastifyInstance, engine: Engine): void {
  app.post('/v1/events', async (req) => engine.ingest(req.body));
}
