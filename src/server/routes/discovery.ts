import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { notImplemented } from '../not-implemented.js';

export function discoveryRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Params: { creatorId: string } }>('/v1/creators/:creatorId/profile', async (req) =>
    engine.creatorProfile(req.params.creatorId),
  );
  app.get('/v1/trending', notImplemented('trends'));
}
