import { z } from 'zod';
import { REASON_LANGUAGES } from '../engine/reasons.js';
import {
  eventBatchSchema,
  itemBatchSchema,
  itemPatchSchema,
  itemPutSchema,
  profilePatchSchema,
  userPutSchema,
} from '../engine/validate.js';
import { FEED_RESPONSE } from './routes/users.js';

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' } },
    },
  },
};

/** The feed's and similar items' body: the schema the feed route serialises with, so the two cannot drift. */
const rankedList = FEED_RESPONSE;

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: json(schema) } },
});
const ok = (schema: object = { type: 'object' }) => ({
  '200': { description: 'OK', content: { 'application/json': { schema } } },
  default: { description: 'Error', content: { 'application/json': { schema: errorBody } } },
});
const idParam = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', maxLength: 256 },
});
const nParam = { name: 'n', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 20 } };
const langParam = {
  name: 'lang',
  in: 'query',
  description: "The language of every reason's text; by default, each item's own text's.",
  schema: { type: 'string', enum: [...REASON_LANGUAGES] },
};

/** The OpenAPI 3.1 description of HTTP API v1, built from the same schemas that validate requests. */
export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: { title: 'setlist HTTP API', version },
    // Optional because a loopback server without keys is open; see docs/guides/security.md for scopes.
    security: [{}, { apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key from `setlist keys create`, with the read, ingest or admin scope.',
        },
      },
    },
    paths: {
      '/v1/items': {
        post: {
          summary: 'Create or replace items in a batch',
          requestBody: body(itemBatchSchema),
          responses: ok(),
        },
      },
      '/v1/items/{itemId}': {
        parameters: [idParam('itemId')],
        put: { summary: 'Create or replace an item', requestBody: body(itemPutSchema), responses: ok() },
        get: { summary: 'Read an item', responses: ok() },
        patch: {
          summary: 'Change fields, including visibility with a reason',
          requestBody: body(itemPatchSchema),
          responses: ok(),
        },
      },
      '/v1/items/{itemId}/audit': {
        parameters: [idParam('itemId')],
        get: { summary: 'Visibility audit trail', responses: ok() },
      },
      '/v1/items/{itemId}/similar': {
        parameters: [idParam('itemId'), nParam, langParam],
        get: { summary: 'Items like this one, with reasons', responses: ok(rankedList) },
      },
      '/v1/items/{itemId}/labels': {
        parameters: [idParam('itemId')],
        get: { summary: 'Labels with calibrated confidence', responses: ok() },
      },
      '/v1/users/{userId}': {
        parameters: [idParam('userId')],
        put: { summary: 'Create or replace a user', requestBody: body(userPutSchema), responses: ok() },
        get: { summary: 'Read a user', responses: ok() },
      },
      '/v1/users/{userId}/feed': {
        parameters: [idParam('userId'), nParam, langParam],
        get: { summary: "The user's feed, each item with its reason", responses: ok(rankedList) },
      },
      '/v1/users/{userId}/profile': {
        parameters: [idParam('userId')],
        get: { summary: 'Interest facets', responses: ok() },
        patch: {
          summary: 'Mute, unmute, declare interests',
          requestBody: body(profilePatchSchema),
          responses: ok(),
        },
      },
      '/v1/events': {
        post: {
          summary: 'Ingest events (idempotent by id)',
          requestBody: body(eventBatchSchema),
          responses: ok(),
        },
      },
      '/v1/creators/{creatorId}/profile': {
        parameters: [idParam('creatorId')],
        get: { summary: "A creator's facets", responses: ok() },
      },
      '/v1/trending': { parameters: [nParam], get: { summary: 'Rising items and tags', responses: ok() } },
      '/v1/quality': {
        get: {
          summary: 'Quality reports: serving model validation, saved eval and simulate runs',
          responses: ok(),
        },
      },
      '/v1/train': {
        post: { summary: 'Train the batch model now (admin); ?wait=true waits for it', responses: ok() },
      },
      '/v1/status': { get: { summary: 'Counts, models, freshness', responses: ok() } },
      '/healthz': {
        get: { summary: 'Liveness: 503 once the server has stopped taking events', responses: ok() },
      },
      '/readyz': {
        get: {
          summary:
            'Readiness: 503 while the event log is replayed after a start (requests are served meanwhile, from the events applied so far), 200 once every event is applied',
          responses: ok(),
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text/plain' } } },
      },
    },
  };
}
