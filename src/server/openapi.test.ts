import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
// Fastify's own validator, a dependency of fastify: compiled here against the document's schemas.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { replayingEngine, stoppedEngine } from '../../test/fixtures/unwell-engines.js';
import { createClock, openEngine, T0, tempDbPath } from '../../test/helpers.js';
import { saveReport } from '../cli/reports.js';
import { DEFAULT_ENGINE_CONFIG } from '../engine/config.js';
import type { Engine } from '../engine/engine.js';
import { buildApp } from './app.js';
import { servedRoutes } from './errors.js';

interface MediaType {
  schema: object;
}
interface Operation {
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation | unknown[]>>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
/** A smaller batch limit than the default, to see that the document states the engine's own. */
const MAX_EVENTS = 40;

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const compiled = new WeakMap<object, ValidateFunction>();

/** `POST /v1/items/{itemId}` for each operation of the document. */
function documentedOperations(doc: Document): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

function operation(doc: Document, op: string): Operation {
  const [method, path] = op.split(' ') as [string, string];
  const found = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(found !== undefined && !Array.isArray(found), `${op} is not in the document`);
  return found as Operation;
}

/**
 * Checks a response against the document: its status is declared (an error may fall to `default`),
 * its content type is the declared one, and its body is valid against the declared schema.
 */
function assertDocumented(doc: Document, op: string, res: LightMyRequestResponse): void {
  const responses = operation(doc, op).responses;
  const declared =
    responses[String(res.statusCode)] ?? (res.statusCode >= 400 ? responses.default : undefined);
  assert.ok(
    declared?.content !== undefined,
    `${op} answered ${res.statusCode}, which the document does not declare`,
  );
  const [type, media] = Object.entries(declared.content)[0]!;
  assert.equal(String(res.headers['content-type']).split(';')[0], type, op);
  let validate = compiled.get(media.schema);
  if (validate === undefined) {
    validate = ajv.compile(media.schema);
    compiled.set(media.schema, validate);
  }
  const body: unknown = type === 'application/json' ? res.json() : res.body;
  assert.ok(
    validate(body),
    `${op} ${res.statusCode}: ${ajv.errorsText(validate.errors)}; the body: ${res.body.slice(0, 600)}`,
  );
}

/** Every object in a schema says whether it takes other properties, so a field the server gains fails. */
function openObjects(schema: unknown, at = '#'): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const here = node.type === 'object' && !('additionalProperties' in node) ? [at] : [];
  return [
    ...here,
    ...Object.entries(node).flatMap(([key, value]) =>
      Array.isArray(value)
        ? value.flatMap((v, k) => openObjects(v, `${at}/${key}/${k}`))
        : openObjects(value, `${at}/${key}`),
    ),
  ];
}

describe('the OpenAPI document', () => {
  const clock = createClock(T0);
  let engine: Engine;
  let app: FastifyInstance;
  let doc: Document;
  /** Operations a request answered with a 2xx, to see that every documented one was tried. */
  const succeeded = new Set<string>();

  const send = async (
    op: string,
    url: string,
    status: number,
    payload?: object,
    instance: FastifyInstance = app,
  ): Promise<LightMyRequestResponse> => {
    const method = op.split(' ')[0] as 'GET' | 'PUT' | 'POST' | 'PATCH';
    const res = await instance.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
    assert.equal(res.statusCode, status, `${op} (${url}): ${res.body.slice(0, 300)}`);
    assertDocumented(doc, op, res);
    if (status < 300) succeeded.add(op);
    return res;
  };

  before(async () => {
    const path = tempDbPath('openapi');
    // A saved report's own JSON comes back beside its name and time.
    await saveReport(path, 'eval', { source: 'fixture', models: [{ kind: 'ease', test: { ndcg10: 0.2 } }] });
    engine = await openEngine(path, {
      now: clock.now,
      // Every account's like counts toward a trend at once, so that trending lists items and tags.
      config: {
        maxEventsPerBatch: MAX_EVENTS,
        trends: { ...DEFAULT_ENGINE_CONFIG.trends, trustItems: 0, minSupport: 1 },
      },
    });
    app = buildApp({ engine, webRoot: false });
    await app.ready();
    doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  after(async () => {
    await app.close();
    await engine.close();
  });

  test('documents every route the server serves, and only those', () => {
    const served = servedRoutes(app).flatMap(({ url, methods }) =>
      methods
        .filter((m) => m !== 'HEAD')
        .map((m) => `${m} ${url.replace(/:(\w+)/g, (_match, name: string) => `{${name}}`)}`),
    );
    assert.deepEqual(documentedOperations(doc).sort(), served.sort());
  });

  test('every response schema says of each object whether it takes other fields', () => {
    for (const op of documentedOperations(doc)) {
      for (const [status, response] of Object.entries(operation(doc, op).responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          assert.deepEqual(openObjects(media.schema), [], `${op} ${status} ${type}`);
        }
      }
    }
  });

  test('states the batch limits the engine enforces', () => {
    const events = operation(doc, 'POST /v1/events').requestBody?.content['application/json']?.schema as {
      properties: { events: { maxItems: number } };
    };
    assert.equal(events.properties.events.maxItems, MAX_EVENTS);
  });

  test('a user is created without a body, as the document says the body is optional', async () => {
    assert.equal(operation(doc, 'PUT /v1/users/{userId}').requestBody?.required, false);
    await send('PUT /v1/users/{userId}', '/v1/users/bare', 200);
  });

  test("every route's responses match the schemas the document declares for their status", async () => {
    // Before any event: training has nothing to learn from.
    const untrained = await send('POST /v1/train', '/v1/train?wait=true', 200);
    assert.equal(untrained.json().trained, false);

    const categories = ['cats', 'cooking', 'hiking'];
    const items = Array.from({ length: 30 }, (_, k) => ({
      id: `v${k}`,
      creatorId: `c${k % 4}`,
      caption: `${categories[k % 3]} clip ${k}`,
      tags: [categories[k % 3]!, `t${k % 5}`],
      category: categories[k % 3]!,
      createdAt: T0 - 3_600_000,
    }));
    await send('POST /v1/items', '/v1/items', 200, { items });
    await send('PUT /v1/items/{itemId}', '/v1/items/full', 200, {
      creatorId: 'c0',
      caption: 'every field',
      tags: ['cats'],
      category: 'cats',
      createdAt: T0 - 60_000,
      durationMs: 15_000,
      embedding: [0.1, 0.2, 0.3],
    });
    await send('GET /v1/items/{itemId}', '/v1/items/full', 200);
    await send('GET /v1/items/{itemId}', '/v1/items/missing', 404);
    await send('PATCH /v1/items/{itemId}', '/v1/items/v29', 200, { visibility: 'hidden', reason: 'review' });
    await send('GET /v1/items/{itemId}/audit', '/v1/items/v29/audit', 200);
    await send('PUT /v1/users/{userId}', '/v1/users/u0', 200, { traits: { lang: 'en', age: 30, x: null } });
    await send('GET /v1/users/{userId}', '/v1/users/u0', 200);

    const events = [];
    for (let u = 0; u < 12; u++) {
      for (let k = 0; k < 3; k++) {
        events.push({
          id: `e${u}-${k}`,
          userId: `u${u}`,
          itemId: `v${(u % 3) + 3 * ((u + k * 4) % 9)}`,
          type: 'like',
        });
      }
    }
    await send('POST /v1/events', '/v1/events', 200, { events: events.slice(0, MAX_EVENTS) });
    await send('POST /v1/events', '/v1/events', 413, {
      events: [...events, ...events].slice(0, MAX_EVENTS + 1),
    });
    await send('POST /v1/events', '/v1/events', 400, {
      events: [{ userId: 'u0', itemId: 'v0', type: 'poke' }],
    });

    await send('POST /v1/train', '/v1/train', 202);
    const trained = await send('POST /v1/train', '/v1/train?wait=true', 200);
    assert.equal(trained.json().trained, true);
    assert.equal(typeof trained.json().labelModelVersion, 'number', 'a label model too');

    await send('GET /v1/users/{userId}/feed', '/v1/users/u1/feed?n=5', 200);
    await send('GET /v1/users/{userId}/feed', '/v1/users/u1/feed?n=0', 400);
    await send('GET /v1/items/{itemId}/similar', '/v1/items/v1/similar?n=5&lang=zh', 200);
    await send('GET /v1/items/{itemId}/labels', '/v1/items/v1/labels', 200);
    const profile = await send('GET /v1/users/{userId}/profile', '/v1/users/u1/profile', 200);
    assert.ok(profile.json().facets.length > 0, 'a profile with facets');
    await send('PATCH /v1/users/{userId}/profile', '/v1/users/u1/profile', 200, {
      mute: [profile.json().facets[0].id],
      declare: [{ tag: 'hiking', weight: 0.5 }],
    });
    await send('GET /v1/creators/{creatorId}/profile', '/v1/creators/c1/profile', 200);
    await send('GET /v1/creators/{creatorId}/profile', '/v1/creators/nobody/profile', 404);
    clock.advance(60_000);
    const trending = await send('GET /v1/trending', '/v1/trending?n=5', 200);
    assert.ok(trending.json().items.length > 0 && trending.json().tags.length > 0, 'something trending');
    const quality = await send('GET /v1/quality', '/v1/quality', 200);
    assert.deepEqual(
      quality.json().reports.map((r: { name: string }) => r.name),
      [`serving blend v${trained.json().version} (validation)`, 'eval'],
    );
    const status = await send('GET /v1/status', '/v1/status', 200);
    assert.deepEqual(
      status.json().models.map((m: { name: string }) => m.name),
      ['popularity', 'cooccurrence', 'blend', 'labels'],
    );
    await send('GET /healthz', '/healthz', 200);
    await send('GET /readyz', '/readyz', 200);
    await send('GET /metrics', '/metrics', 200);
    await send('GET /openapi.json', '/openapi.json', 200);

    assert.deepEqual(
      documentedOperations(doc).filter((op) => !succeeded.has(op)),
      [],
      'documented operations no request above answered',
    );
  });

  test('/healthz and /readyz answer 503 with the bodies the document declares', async () => {
    const stopped = await stoppedEngine();
    const stoppedApp = buildApp({ engine: stopped, webRoot: false });
    const unhealthy = await send('GET /healthz', '/healthz', 503, undefined, stoppedApp);
    assert.match(unhealthy.json().reason, /disk I\/O error/);
    await send('GET /v1/status', '/v1/status', 200, undefined, stoppedApp);
    await send(
      'POST /v1/events',
      '/v1/events',
      503,
      { events: [{ userId: 'u', itemId: 'v1', type: 'view' }] },
      stoppedApp,
    );
    await stoppedApp.close();
    await stopped.close();

    const replaying = await replayingEngine();
    const replayingApp = buildApp({ engine: replaying.engine, webRoot: false });
    await send('GET /readyz', '/readyz', 503, undefined, replayingApp);
    await send('GET /v1/status', '/v1/status', 200, undefined, replayingApp);
    await send('POST /v1/train', '/v1/train', 503, undefined, replayingApp);
    await replaying.finish();
    await send('GET /readyz', '/readyz', 200, undefined, replayingApp);
    await replayingApp.close();
    await replaying.engine.close();
  });
});
