import { z } from 'zod';

// Each route's body as it leaves the server. The OpenAPI document's response schemas are built from
// these, and a test checks real responses of every route against them (openapi.test.ts); at compile
// time, test/client-wire-types.ts checks them against the engine's and the client's types. Objects
// are closed (`additionalProperties: false`), so a field the server gains or loses fails the test.

const count = z.number().int().nonnegative();
/** Epoch milliseconds. */
const time = z.number();

const itemRecord = z.object({
  id: z.string(),
  creatorId: z.string().optional(),
  caption: z.string().optional(),
  tags: z.array(z.string()),
  category: z.string().optional(),
  createdAt: time,
  durationMs: z.number().optional(),
  embedding: z.array(z.number()).optional(),
  visibility: z.enum(['visible', 'hidden']),
  visibilityReason: z.string().optional(),
  updatedAt: time,
});

/** PUT, GET and PATCH /v1/items/{itemId}. */
export const itemResponse = z.object({ item: itemRecord });

/** POST /v1/items. */
export const itemBatchResponse = z.object({ upserted: count });

/** GET /v1/items/{itemId}/audit. */
export const auditResponse = z.object({
  audit: z.array(
    z.object({
      itemId: z.string(),
      at: time,
      actor: z.string(),
      action: z.enum(['hide', 'restore']),
      reason: z.string(),
    }),
  ),
});

const label = z.object({ tag: z.string(), confidence: z.number() });

/** GET /v1/items/{itemId}/labels. */
export const labelsResponse = z.object({
  labels: z.array(label),
  unknown: z.boolean(),
  modelVersion: z.number().int().nullable(),
});

const declaredInterest = z.object({ tag: z.string(), weight: z.number() });

const userRecord = z.object({
  id: z.string(),
  traits: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  controls: z.object({ muted: z.array(z.string()), declared: z.array(declaredInterest) }),
  createdAt: time,
  updatedAt: time,
});

/** PUT and GET /v1/users/{userId}. */
export const userResponse = z.object({ user: userRecord });

/** A user's or a creator's facet, as both profiles show it. */
const facet = z.object({
  id: z.string(),
  label: z.string(),
  weight: z.number(),
  tags: z.array(z.string()),
  examples: z.array(z.string()),
});

/** GET and PATCH /v1/users/{userId}/profile. */
export const userProfileResponse = z.object({
  userId: z.string(),
  facets: z.array(facet.extend({ muted: z.boolean() })),
  declared: z.array(declaredInterest),
  muted: z.array(z.string()),
  recent: z.array(z.object({ itemId: z.string(), at: time, weight: z.number() })),
});

/** POST /v1/events. */
export const ingestResponse = z.object({ accepted: count, duplicates: count });

/** GET /v1/creators/{creatorId}/profile. */
export const creatorProfileResponse = z.object({
  creatorId: z.string(),
  itemCount: count,
  facets: z.array(facet.extend({ itemCount: count })),
});

/** GET /v1/trending. */
export const trendingResponse = z.object({
  items: z.array(
    z.object({ itemId: z.string(), score: z.number(), velocity: z.number(), reason: z.string() }),
  ),
  tags: z.array(z.object({ tag: z.string(), score: z.number(), velocity: z.number() })),
});

/** GET /v1/quality: the serving model's validation, then reports `setlist eval` and `simulate` saved. */
export const qualityResponse = z.object({
  reports: z.array(
    // A saved report carries its command's own JSON beside these.
    z.looseObject({
      name: z.string(),
      at: time,
      metrics: z.record(z.string(), z.number()).optional(),
    }),
  ),
});

const trainReport = z.object({
  users: count,
  items: count,
  pairs: count,
  weights: z.record(z.string(), z.number()),
  validation: z.object({
    ndcg10: z.number(),
    recall20: z.number(),
    users: count,
    popularityPercentile: z.number().optional(),
  }),
  members: z.array(
    z.object({ kind: z.string(), params: z.record(z.string(), z.number()), ndcg10: z.number() }),
  ),
  trainMs: z.number(),
  epochMs: z.array(z.number()).optional(),
  epochCpuMs: z.array(z.number()).optional(),
  annBuildMs: z.number().optional(),
});

/** POST /v1/train, 202: started in the background. */
export const trainStartedResponse = z.object({ started: z.literal(true) });

/** POST /v1/train?wait=true, 200: the outcome. */
export const trainResponse = z.union([
  z.object({ trained: z.literal(false), reason: z.string() }),
  z.object({
    trained: z.literal(true),
    version: count,
    trainedAt: time,
    report: trainReport,
    labelModelVersion: count.optional(),
  }),
]);

const readiness = {
  phase: z.enum(['loading', 'catching-up', 'open', 'closed']),
  eventsApplied: count,
};

/** GET /v1/status. */
export const statusResponse = z.object({
  store: z.string(),
  counts: z.object({ items: count, users: count, events: count, creators: count }),
  models: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['online', 'batch']),
      version: count,
      trainedAt: time.nullable(),
      report: trainReport.optional(),
      retrieval: z.enum(['index', 'scan', 'none']).optional(),
      thread: z.boolean().optional(),
      candidateCache: z.object({ users: count, hits: count, misses: count }).optional(),
    }),
  ),
  training: z.boolean(),
  eventsBehind: count,
  cluster: z
    .object({
      nodeId: z.string(),
      redis: z.enum(['up', 'down']),
      publishFailures: count,
      remoteEventsApplied: count,
      caughtUpEvents: count,
    })
    .optional(),
  ingestStopped: z.string().optional(),
  startup: z.object({
    ready: z.boolean(),
    ...readiness,
    servingAfterMs: z.number().optional(),
    readyAfterMs: z.number().optional(),
  }),
  startedAt: time,
  uptimeMs: z.number(),
});

/** GET /healthz, 200. */
export const healthyResponse = z.object({ ok: z.literal(true) });
/** GET /healthz, 503: the server stopped taking events, and why. */
export const unhealthyResponse = z.object({ ok: z.literal(false), reason: z.string() });

/** GET /readyz, 200. */
export const readyResponse = z.object({ ready: z.literal(true), ...readiness });
/** GET /readyz, 503: the event log is still being replayed. */
export const notReadyResponse = z.object({ ready: z.literal(false), ...readiness });
