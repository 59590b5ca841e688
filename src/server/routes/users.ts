import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';

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
  app.get<{ Params: UserParams }>('/v1/users/:userId/profile', async (req) =>
    engine.profile(req.params.userId),
  );
  app.patch<{ Params: UserParams }>('/v1/users/:userId/profile', async (req) =>
    engine.patchProfile(req.params.userId, req.body),
  );
}
