import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { notImplemented } from '../not-implemented.js';

interface UserParams {
  userId: string;
}

export function userRoutes(app: FastifyInstance, engine: Engine): void {
  app.put<{ Params: UserParams }>('/v1/users/:userId', async (req) => ({
    user: await engine.putUser(req.params.userId, req.body),
  }));
  app.get<{ Params: UserParams }>('/v1/users/:userId', async (req) => ({
    user: await engine.getUser(req.params.userId),
  }));
  app.get<{ Params: UserParams; Querystring: { n?: string } }>('/v1/users/:userId/feed', async (req) =>
    engine.feed(req.params.userId, req.query.n),
  );
  app.get('/v1/users/:userId/profile', notImplemented('user profiles'));
  app.patch('/v1/users/:userId/profile', notImplemented('user profiles'));
}
