// Compile-time only: `npm run typecheck` fails when the client's wire types, the engine's types and
// the OpenAPI response schemas (src/server/responses.ts) drift apart. The HTTP layer sends the
// engine's objects as JSON, so for every response the engine's type, with branded ids read as plain
// strings, must fit both the client type and the schema, and all three must name the same fields at
// every depth: a field the server sends that a client type lacks fails, and so does one it never sends.
// This file has no runtime part and is not a test file; tsc checks it with the rest of test/.
import type { z } from 'zod';
import type * as Client from '../src/client/types.js';
import type {
  Engine,
  EngineStatus,
  UserProfile as EngineUserProfile,
  IngestResult,
  Readiness,
  TrainResult,
} from '../src/engine/engine.js';
import type { FeedItem } from '../src/engine/feed.js';
import type { CreatorProfile, ItemLabels } from '../src/engine/labels.js';
import type { Reason, ReasonSource } from '../src/engine/reasons.js';
import type { Trending } from '../src/engine/trends.js';
import type * as Responses from '../src/server/responses.js';
import type { AuditEntry, ItemRecord, UserRecord } from '../src/types.js';

/** The JSON form of a value: arrays and objects mapped field by field. */
type Wire<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** Resolves to `true` only when A is assignable to B. */
type Assignable<A, B> = [A] extends [B] ? true : false;

/** Every field of T at every depth as a path (`.models[].report.validation.ndcg10`). */
type Paths<T, P extends string = ''> = T extends string | number | boolean | bigint | null | undefined
  ? never
  : T extends readonly (infer U)[]
    ? Paths<U, `${P}[]`>
    : T extends object
      ? { [K in keyof T & string]-?: `${P}.${K}` | Paths<T[K], `${P}.${K}`> }[keyof T & string]
      : never;

/** Paths of A's fields that B does not have. */
type OnlyIn<A, B> = Exclude<Paths<A>, Paths<B>>;

/**
 * What is wrong between the server's body S, its client type C and its response schema Z, as
 * sentences; `never` when they agree.
 */
type Problems<Name extends string, S, C, Z> =
  | (Assignable<Wire<S>, C> extends true ? never : `${Name}: the server's body does not fit the client type`)
  | (Assignable<Wire<S>, Z> extends true
      ? never
      : `${Name}: the server's body does not fit its response schema`)
  | `${Name}: the client type lacks ${OnlyIn<Wire<S>, C>}`
  | `${Name}: the client type has ${OnlyIn<C, Wire<S>>}, which the server never sends`
  | `${Name}: the response schema lacks ${OnlyIn<Wire<S>, Z>}`
  | `${Name}: the response schema has ${OnlyIn<Z, Wire<S>>}, which the server never sends`;

/** Compiles only when T is `never`; otherwise the error shows T: the problems found. */
type None<T extends never> = T;

/** The problems as plain strings, so that a compile error lists them rather than naming the type. */
type Listed<T> = keyof { [K in T & string as `${K}`]: 0 };

type Out<T extends z.ZodType> = z.output<T>;

/** What POST /v1/train answers (src/server/routes/models.ts). */
type TrainAnswer = { started: true } | { trained: false; reason: string } | ({ trained: true } & TrainResult);

export type WireTypesAgree = None<
  Listed<
    | Problems<'item', { item: ItemRecord }, { item: Client.Item }, Out<typeof Responses.itemResponse>>
    | Problems<
        'item batch',
        Awaited<ReturnType<Engine['putItems']>>,
        { upserted: number },
        Out<typeof Responses.itemBatchResponse>
      >
    | Problems<
        'audit',
        { audit: AuditEntry[] },
        { audit: Client.AuditEntry[] },
        Out<typeof Responses.auditResponse>
      >
    | Problems<'labels', ItemLabels, Client.ItemLabels, Out<typeof Responses.labelsResponse>>
    | Problems<'user', { user: UserRecord }, { user: Client.User }, Out<typeof Responses.userResponse>>
    | Problems<'profile', EngineUserProfile, Client.UserProfile, Out<typeof Responses.userProfileResponse>>
    | Problems<'events', IngestResult, Client.IngestResult, Out<typeof Responses.ingestResponse>>
    | Problems<'creator', CreatorProfile, Client.CreatorProfile, Out<typeof Responses.creatorProfileResponse>>
    | Problems<'trending', Trending, Client.TrendingResponse, Out<typeof Responses.trendingResponse>>
    | Problems<
        'train',
        TrainAnswer,
        Client.TrainResponse,
        Out<typeof Responses.trainResponse> | Out<typeof Responses.trainStartedResponse>
      >
    | Problems<'status', EngineStatus, Client.StatusResponse, Out<typeof Responses.statusResponse>>
    | Problems<
        'healthz',
        ReturnType<Engine['health']>,
        Client.HealthResponse,
        Out<typeof Responses.healthyResponse> | Out<typeof Responses.unhealthyResponse>
      >
    | Problems<
        'readyz',
        Readiness,
        Client.Readiness,
        Out<typeof Responses.readyResponse> | Out<typeof Responses.notReadyResponse>
      >
    // The engine types its reports `unknown[]`: the client type is checked against the schema alone,
    // which openapi.test.ts checks against real responses.
    | Problems<
        'quality',
        Client.QualityResponse,
        Client.QualityResponse,
        Out<typeof Responses.qualityResponse>
      >
    // The feed's schema is the serialiser's JSON schema (routes/users.test.ts checks it names every field).
    | Problems<'feed', { items: FeedItem[] }, Client.FeedResponse, { items: Client.RankedItem[] }>
  >
>;

/** The client's reason sources are the engine's: none missing, none it never gives. */
export type ReasonSourcesAgree = [
  None<Exclude<ReasonSource, Client.ReasonSource>>,
  None<Exclude<Client.ReasonSource, ReasonSource>>,
  Assignable<Wire<Reason>, Client.Reason>,
];
