import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import type { ReasonLanguage } from '../../engine/reasons.js';
import type { ProfilePatch, UserInput } from '../../types.js';

interface UserParams {
  userId: string;
}

/**
 * A list's query as the engine takes it. Declared, not checked: the engine validates it at run time,
 * a query string's text `n` included.
 */
interface CountQuery {
  n?: number;
  lang?: ReasonLanguage;
}

/**
 * The feed's JSON shape, so fast-json-stringify writes it instead of JSON.stringify: the busiest
 * route. Properties in the order the engine builds them, so the bytes on the wire stay the same.
 */
export const FEED_RESPONSE = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          itemId: { type: 'string' },
          score: { type: 'number' },
          reason: {
            type: 'object',
            properties: {
              source: { type: 'string' },
              exploration: { type: 'boolean' },
              text: { type: 'string' },
              facet: { type: 'string' },
              because: { type: 'array', items: { type: 'string' } },
            },
            required: ['source', 'exploration', 'text'],
            additionalProperties: false,
          },
        },
        required: ['itemId', 'score', 'reason'],
        additionalProperties: false,
      },
    },
  },
  required: ['items'],
  additionalProperties: false,
} as const;

export function userRoutes(app: FastifyInstance, engine: Engine): void {
  app.put<{ Params: UserParams; Body: UserInput | undefined }>('/v1/users/:userId', async (req) => ({
    user: await engine.putUser(req.params.userId, req.body),
  }));
  app.get<{ Params: UserParams }>('/v1/users/:userId', async (req) => ({
    user: await engine.getUser(req.params.userId),
  }));
  app.get<{ Params: UserParams; Querystring: CountQuery }>(
    '/v1/users/:userId/feed',
    { schema: { response: { 200: FEED_RESPONSE } } },
    async (req) => engine.feed(req.params.userId, req.query.n, { lang: req.query.lang }),
  );
  app.get<{ Params: UserParams }>('/v1/users/:userId/profile', async (req) =>
    engine.profile(req.params.userId),
  );
  app.patch<{ Params: UserParams; Body: ProfilePatch }>('/v1/users/:userId/profile', async (req) =>
    engine.patchProfile(req.params.userId, req.body),
  );
}
