import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';

export function discoveryRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Params: { creatorId: string } }>('/v1/creators/:creatorId/profile', async (req) =>
    engine.creatorProfile(req.params.creatorId),
  );
  // `n` as the engine takes it; it validates it at run time, a query string's text included.
  app.get<{ Querystring: { n?: number } }>('/v1/trending', async (req) => engine.trending(req.query.n));
}
