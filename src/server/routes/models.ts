import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import { SetlistError } from '../../errors.js';
import type { Shutdown } from '../shutdown.js';

export function modelRoutes(app: FastifyInstance, engine: Engine, shutdown: Shutdown): void {
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
      // Closing waits for every request in flight: a run of many minutes must not hold it.
      const outcome = await Promise.race([
        run.then((result) => ({ result })),
        shutdown.closing.then(() => undefined),
      ]);
      if (outcome === undefined) {
        run.catch((err: unknown) => req.log.error({ err }, 'training failed'));
        reply.header('connection', 'close');
        throw new SetlistError('SETLIST_ERR_SHUTTING_DOWN', {
          message:
            'The server is shutting down before the training run finished: the run is abandoned when the engine closes, and no new model is saved unless it finished first. Train again once the server is back.',
        });
      }
      const { result } = outcome;
      return result === undefined
        ? { trained: false, reason: 'not enough events to train on' }
        : { trained: true, ...result };
    }
    run.catch((err: unknown) => req.log.error({ err }, 'training failed'));
    return reply.status(202).send({ started: true });
  });
}
