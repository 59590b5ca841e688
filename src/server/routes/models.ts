import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { SetlistError } from '../../errors.js';

export function modelRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/v1/quality', async () => engine.quality());
  // Training takes a while: by default answer 202 at once; `?wait=true` answers when it is done.
  app.post<{ Querystring: { wait?: string } }>('/v1/train', async (req, reply) => {
    const wait = req.query.wait;
    if (wait !== undefined && wait !== 'true' && wait !== 'false') {
      throw new SetlistError('SETLIST_ERR_VALIDATION', {
        message: `wait must be true or false, got ${JSON.stringify(wait).slice(0, 40)}`,
        path: 'wait',
      });
    }
    const run = engine.train();
    if (wait === 'true') {
      const result = await run;
      return result === undefined
        ? { trained: false, reason: 'not enough events to train on' }
        : { trained: true, ...result };
    }
    run.catch((err: unknown) => req.log.error({ err }, 'training failed'));
    return reply.status(202).send({ started: true });
  });
}
