import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import type { ReasonLanguage } from '../../engine/reasons.js';

export function discoveryRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Params: { creatorId: string } }>('/v1/creators/:creatorId/profile', async (req) =>
    engine.creatorProfile(req.params.creatorId),
  );
  // `n` and `lang` as the engine takes them; it validates them at run time, a query string's text included.
  app.get<{ Querystring: { n?: number; lang?: ReasonLanguage } }>('/v1/trending', async (req) =>
    engine.trending(req.query.n, { lang: req.query.lang }),
  );
}
