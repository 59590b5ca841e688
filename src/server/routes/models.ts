import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';

export function modelRoutes(app: FastifyInstance, engine: Engine): void {
  // Training takes a while: by default answer 202 at once; `?wait=true` answers when it is done.
  app.post<{ Querystring: { wait?: string } }>('/v1/train', async (req, reply) => {
    const run = engine.train();
    if (req.query.wait === 'true') {
      const result = await run;
      return result === undefined
        ? { trained: false, reason: 'not enough events to train on' }
        : { trained: true, ...result };
    }
    run.catch((err: unknown) => req.log.error({ err }, 'training failed'));
    return reply.status(202).send({ started: true });
  });
}
