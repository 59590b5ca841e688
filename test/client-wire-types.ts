// Compile-time only: `npm run typecheck` fails when the client's wire types drift from what the
// engine returns. The HTTP layer sends the engine's objects as JSON, so each engine response type,
// with branded ids read as plain strings, must be assignable to the client type that describes it.
// This file has no runtime part and is not a test file; tsc checks it with the rest of test/.
import type * as Client from '../src/client/types.js';
import type {
  EngineStatus,
  UserProfile as EngineUserProfile,
  IngestResult,
  TrainResult,
} from '../src/engine/engine.js';
import type { FacetView } from '../src/engine/facets.js';
import type { CreatorProfile, ItemLabels } from '../src/engine/labels.js';
import type { Reason } from '../src/engine/reasons.js';
import type { Trending } from '../src/engine/trends.js';

/** The JSON form of a value: functions dropped, arrays and objects mapped field by field. */
type Wire<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** Resolves to `true` only when A is assignable to B; otherwise the `Check` below fails to compile. */
type Assignable<A, B> = [A] extends [B] ? true : false;
type Check<T extends true> = T;

export type WireTypesAgree = [
  Check<Assignable<Wire<Reason>, Client.Reason>>,
  Check<Assignable<Wire<FacetView>, Client.Facet>>,
  Check<Assignable<Wire<EngineUserProfile>, Client.UserProfile>>,
  Check<Assignable<Wire<ItemLabels>, Client.ItemLabels>>,
  Check<Assignable<Wire<CreatorProfile>, Client.CreatorProfile>>,
  Check<Assignable<Wire<Trending>, Client.TrendingResponse>>,
  Check<Assignable<Wire<IngestResult>, Client.IngestResult>>,
  Check<Assignable<Wire<EngineStatus>, Client.StatusResponse>>,
  Check<Assignable<Wire<{ trained: true } & TrainResult>, Client.TrainResponse>>,
];
