import { z } from 'zod';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../engine/config.js';
import { REASON_LANGUAGES } from '../engine/reasons.js';
import {
  eventBatchSchema,
  itemBatchSchema,
  itemPatchSchema,
  itemPutSchema,
  MAX_ID_LENGTH,
  profilePatchSchema,
  userPutSchema,
} from '../engine/validate.js';
import { errorCatalogue } from '../errors.js';
import {
  auditResponse,
  creatorProfileResponse,
  healthyResponse,
  ingestResponse,
  itemBatchResponse,
  itemResponse,
  labelsResponse,
  notReadyResponse,
  qualityResponse,
  readyResponse,
  statusResponse,
  trainResponse,
  trainStartedResponse,
  trendingResponse,
  unhealthyResponse,
  userProfileResponse,
  userResponse,
} from './responses.js';
import { FEED_RESPONSE } from './routes/users.js';

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(errorCatalogue) },
        message: { type: 'string' },
        path: { type: 'string' },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

/** The feed's and similar items' body: the schema the feed route serialises with, so the two cannot drift. */
const rankedList = FEED_RESPONSE;

type JsonSchema = Record<string, unknown>;

const json = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
const out = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
const body = (schema: JsonSchema, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});
/** A batch body whose `field` holds at most `max` entries; more get 413. */
const batchBody = (schema: z.ZodType, field: string, max: number) => {
  const doc = json(schema);
  const list = (doc.properties as Record<string, JsonSchema>)[field]!;
  list.maxItems = Math.min(max, (list.maxItems as number | undefined) ?? max);
  return body(doc);
};
const content = (description: string, schema: object) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = { default: content('Error', errorBody) };
const ok = (schema: z.ZodType | object) => ({
  '200': content('OK', schema instanceof z.ZodType ? out(schema) : schema),
  ...error,
});
const tooLarge = (what: string, max: number) => ({
  '413': content(
    `More than ${max} ${what} (SETLIST_ERR_BATCH_TOO_LARGE), or a body over the size limit (SETLIST_ERR_BODY_TOO_LARGE)`,
    errorBody,
  ),
});
const idParam = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, not: { enum: ['.', '..'] } },
});
const nParam = { name: 'n', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 20 } };
const langParam = {
  name: 'lang',
  in: 'query',
  description: "The language of every reason's text; by default, each item's own text's.",
  schema: { type: 'string', enum: [...REASON_LANGUAGES] },
};
const waitParam = {
  name: 'wait',
  in: 'query',
  description: 'true: answer 200 with the outcome once training is done; otherwise 202 at once.',
  schema: { type: 'boolean', default: false },
};

/** The limits the document states: the engine's configured batch sizes. */
export type DocumentLimits = Pick<EngineConfig, 'maxEventsPerBatch' | 'maxItemsPerBatch'>;

/**
 * The OpenAPI 3.1 description of HTTP API v1: request bodies from the schemas that validate them,
 * responses from `responses.ts`'s schemas, batch limits from the engine's configuration.
 *
 * @example
 * const doc = openApiDocument('0.1.0', engine.config);
 */
export function openApiDocument(version: string, limits: DocumentLimits = DEFAULT_ENGINE_CONFIG): object {
  const { maxEventsPerBatch, maxItemsPerBatch } = limits;
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
          requestBody: batchBody(itemBatchSchema, 'items', maxItemsPerBatch),
          responses: { ...ok(itemBatchResponse), ...tooLarge('items', maxItemsPerBatch) },
        },
      },
      '/v1/items/{itemId}': {
        parameters: [idParam('itemId')],
        put: {
          summary: 'Create or replace an item',
          requestBody: body(json(itemPutSchema)),
          responses: ok(itemResponse),
        },
        get: { summary: 'Read an item', responses: ok(itemResponse) },
        patch: {
          summary: 'Change fields (ingest), including visibility with a reason (admin)',
          requestBody: body(json(itemPatchSchema)),
          responses: ok(itemResponse),
        },
      },
      '/v1/items/{itemId}/audit': {
        parameters: [idParam('itemId')],
        get: { summary: 'Visibility audit trail', responses: ok(auditResponse) },
      },
      '/v1/items/{itemId}/similar': {
        parameters: [idParam('itemId'), nParam, langParam],
        get: { summary: 'Items like this one, with reasons', responses: ok(rankedList) },
      },
      '/v1/items/{itemId}/labels': {
        parameters: [idParam('itemId')],
        get: { summary: 'Labels with calibrated confidence', responses: ok(labelsResponse) },
      },
      '/v1/users/{userId}': {
        parameters: [idParam('userId')],
        put: {
          summary: 'Create or replace a user; the body (traits) is optional',
          requestBody: body(json(userPutSchema), false),
          responses: ok(userResponse),
        },
        get: { summary: 'Read a user', responses: ok(userResponse) },
      },
      '/v1/users/{userId}/feed': {
        parameters: [idParam('userId'), nParam, langParam],
        get: { summary: "The user's feed, each item with its reason", responses: ok(rankedList) },
      },
      '/v1/users/{userId}/profile': {
        parameters: [idParam('userId')],
        get: { summary: 'Interest facets', responses: ok(userProfileResponse) },
        patch: {
          summary: 'Mute, unmute, declare interests',
          requestBody: body(json(profilePatchSchema)),
          responses: ok(userProfileResponse),
        },
      },
      '/v1/events': {
        post: {
          summary: 'Ingest events (idempotent by id)',
          requestBody: batchBody(eventBatchSchema, 'events', maxEventsPerBatch),
          responses: { ...ok(ingestResponse), ...tooLarge('events', maxEventsPerBatch) },
        },
      },
      '/v1/creators/{creatorId}/profile': {
        parameters: [idParam('creatorId')],
        get: { summary: "A creator's facets", responses: ok(creatorProfileResponse) },
      },
      '/v1/trending': {
        parameters: [nParam, langParam],
        get: { summary: 'Rising items and tags', responses: ok(trendingResponse) },
      },
      '/v1/quality': {
        get: {
          summary: 'Quality reports: serving model validation, saved eval and simulate runs',
          responses: ok(qualityResponse),
        },
      },
      '/v1/train': {
        parameters: [waitParam],
        post: {
          summary: 'Train the batch model now (admin): 202 at once, or 200 with the outcome with ?wait=true',
          responses: {
            '200': content('With ?wait=true: the outcome', out(trainResponse)),
            '202': content('Started in the background', out(trainStartedResponse)),
            ...error,
          },
        },
      },
      '/v1/status': { get: { summary: 'Counts, models, freshness', responses: ok(statusResponse) } },
      '/healthz': {
        get: {
          summary: 'Liveness: 503 once the server has stopped taking events',
          responses: {
            '200': content('Taking events', out(healthyResponse)),
            '503': content('Stopped taking events, and why: restart it', out(unhealthyResponse)),
            ...error,
          },
        },
      },
      '/readyz': {
        get: {
          summary:
            'Readiness: 503 while the event log is replayed after a start (requests are served meanwhile, from the events applied so far), 200 once every event is applied',
          responses: {
            '200': content('Every event is applied', out(readyResponse)),
            '503': content('Still replaying the event log', out(notReadyResponse)),
            ...error,
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            '200': {
              description: 'The Prometheus text exposition',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...error,
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: ok({
            type: 'object',
            required: ['openapi', 'info', 'paths'],
            properties: {
              openapi: { type: 'string', const: '3.1.0' },
              info: { type: 'object', additionalProperties: true },
              paths: { type: 'object', additionalProperties: true },
            },
            additionalProperties: true,
          }),
        },
      },
    },
  };
}
