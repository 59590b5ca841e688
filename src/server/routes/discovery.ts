import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { notImplemented } from '../not-implemented.js';

export function discoveryRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/v1/creators/:creatorId/profile', notImplemented('creator profiles'));
  app.get<{ Querystring: { n?: string } }>('/v1/trending', async (req) => engine.trending(req.query.n));
}
