import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import type { EventInput } from '../../types.js';

export function eventRoutes(app: FastifyInstance, engine: Engine): void {
  // Declared, not checked: the engine validates the body.
  app.post<{ Body: { events: EventInput[] } }>('/v1/events', async (req) => engine.ingest(req.body));
}
