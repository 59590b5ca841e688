import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.js';
import type { ReasonLanguage } from '../../engine/reasons.js';
import type { ItemBatchEntry, ItemInput, ItemPatch } from '../../types.js';

interface ItemParams {
  itemId: string;
}
/**
 * A list's query as the engine takes it. Declared, not checked: the engine validates it at run time,
 * a query string's text `n` included.
 */
interface CountQuery {
  n?: number;
  lang?: ReasonLanguage;
}

export function itemRoutes(app: FastifyInstance, engine: Engine): void {
  app.put<{ Params: ItemParams; Body: ItemInput }>('/v1/items/:itemId', async (req) => {
    return { item: await engine.putItem(req.params.itemId, req.body) };
  });
  app.post<{ Body: { items: ItemBatchEntry[] } }>('/v1/items', async (req) => engine.putItems(req.body));
  app.get<{ Params: ItemParams }>('/v1/items/:itemId', async (req) => ({
    item: await engine.getItem(req.params.itemId),
  }));
  app.patch<{ Params: ItemParams; Body: ItemPatch }>('/v1/items/:itemId', async (req) => {
    const actor = req.apiKey?.name;
    return {
      item: await engine.patchItem(req.params.itemId, req.body, actor === undefined ? {} : { actor }),
    };
  });
  app.get<{ Params: ItemParams }>('/v1/items/:itemId/audit', async (req) => ({
    audit: await engine.itemAudit(req.params.itemId),
  }));
  app.get<{ Params: ItemParams; Querystring: CountQuery }>('/v1/items/:itemId/similar', async (req) =>
    engine.similar(req.params.itemId, req.query.n, { lang: req.query.lang }),
  );
  app.get<{ Params: ItemParams }>('/v1/items/:itemId/labels', async (req) =>
    engine.itemLabels(req.params.itemId),
  );
}
