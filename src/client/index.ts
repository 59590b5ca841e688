import type { ErrorCode as ServerErrorCode } from '../errors.js';
import type {
  AuditEntry,
  CreatorProfile,
  EventInput,
  FeedResponse,
  HealthResponse,
  IngestResult,
  Item,
  ItemBatchEntry,
  ItemInput,
  ItemLabels,
  ItemPatch,
  ProfilePatch,
  QualityResponse,
  Readiness,
  StatusResponse,
  TrainResponse,
  TrendingResponse,
  User,
  UserInput,
  UserProfile,
} from './types.js';

export type {
  AuditEntry,
  CreatorFacet,
  CreatorProfile,
  DeclaredInterest,
  EventInput,
  EventType,
  Facet,
  FeedResponse,
  HealthResponse,
  IngestResult,
  Item,
  ItemBatchEntry,
  ItemInput,
  ItemLabels,
  ItemPatch,
  Label,
  ModelStatus,
  ProfilePatch,
  QualityReport,
  QualityResponse,
  RankedItem,
  Readiness,
  Reason,
  ReasonSource,
  StatusResponse,
  TimeInput,
  TrainReport,
  TrainResponse,
  TraitValue,
  TrendingItem,
  TrendingResponse,
  TrendingTag,
  User,
  UserInput,
  UserProfile,
  Visibility,
} from './types.js';

/** The codes of the server's error catalogue (docs/reference/errors.md). */
export type { ServerErrorCode };

/** Codes the client itself raises when no API error body is available. */
export type ClientErrorCode =
  | 'SETLIST_CLIENT_NETWORK'
  | 'SETLIST_CLIENT_TIMEOUT'
  | 'SETLIST_CLIENT_ABORTED'
  | 'SETLIST_CLIENT_BAD_RESPONSE'
  /** An argument the client refuses before sending anything (an id of `.`, a path without `/`). */
  | 'SETLIST_CLIENT_INVALID_ARGUMENT';

/** Every code a `SetlistClientError` can carry: the server's catalogue and the client's own. */
export type ErrorCode = ServerErrorCode | ClientErrorCode;

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/**
 * A failed call: the server's `{ error: { code, message, path } }`, or a client-side code with
 * `status` 0 when no response arrived.
 *
 * @example
 * try { await client.items.get('nope'); }
 * catch (err) { if (err instanceof SetlistClientError && err.code === 'SETLIST_ERR_NOT_FOUND') ... }
 */
export class SetlistClientError extends Error {
  /** The catalogue code from the server, or a `SETLIST_CLIENT_*` code. */
  readonly code: ErrorCode;
  /** The HTTP status; 0 when the request got no response. */
  readonly status: number;
  /** The request field at fault, as the server named it (`events.3.type`). */
  readonly path: string | undefined;
  readonly method: HttpMethod;
  /** The URL path of the request, without the query string. */
  readonly route: string;
  /** How many attempts were made, retries included. */
  readonly attempts: number;
  /**
   * The call's request id, to find it in the server's log: the answer's `X-Request-Id`, or the one
   * the client sent when no answer came; undefined when the client refused the call before sending.
   */
  readonly requestId: string | undefined;

  constructor(init: {
    code: ErrorCode;
    status: number;
    message: string;
    path?: string | undefined;
    method: HttpMethod;
    route: string;
    attempts: number;
    requestId?: string | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'SetlistClientError';
    this.code = init.code;
    this.status = init.status;
    this.path = init.path;
    this.method = init.method;
    this.route = init.route;
    this.attempts = init.attempts;
    this.requestId = init.requestId;
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /**
   * Where the server is, an absolute http(s) URL such as `http://127.0.0.1:7733`; `''` or `/` means
   * the page's own origin, in a browser. Anything else throws a TypeError from `createClient`.
   */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Retries after the first attempt for idempotent calls; default 2. */
  retries?: number;
  /** The first backoff delay; doubled each retry, with jitter; default 200 ms. */
  retryDelayMs?: number;
  /** No wait between attempts is longer than this, Retry-After included; default 10 s. */
  maxRetryDelayMs?: number;
  /** Gives up on one attempt after this long; default none. */
  timeoutMs?: number;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
}

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Sent as `X-Request-Id` (1-128 of `A-Z a-z 0-9 . _ : -`, or the server uses its own); default: an
   * `X-Request-Id` in the client's `headers`, else a fresh UUID per call, the same for its retries.
   */
  requestId?: string;
}

export interface CountOptions extends CallOptions {
  n?: number;
}

export interface ListOptions extends CountOptions {
  /** The language of every reason's text; by default, each item's own text's. */
  lang?: 'en' | 'zh';
}

export interface RequestOptions extends CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Whether the call may be retried; default: true for GET and PUT. */
  idempotent?: boolean;
  /** `text` returns the body as a string (for /metrics). */
  as?: 'json' | 'text';
  /**
   * Error statuses whose JSON body is the answer, as a probe's 503 is; an error body
   * (`{ error: ... }`) with one of them still throws.
   */
  answers?: readonly number[];
}

export interface SetlistClient {
  /** Any route, for endpoints this client does not name yet; `path` starts with `/`. */
  request<T>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>;
  items: {
    put(itemId: string, item: ItemInput, options?: CallOptions): Promise<{ item: Item }>;
    batch(items: ItemBatchEntry[], options?: CallOptions): Promise<{ upserted: number }>;
    get(itemId: string, options?: CallOptions): Promise<{ item: Item }>;
    patch(itemId: string, patch: ItemPatch, options?: CallOptions): Promise<{ item: Item }>;
    audit(itemId: string, options?: CallOptions): Promise<{ audit: AuditEntry[] }>;
    similar(itemId: string, options?: ListOptions): Promise<FeedResponse>;
    labels(itemId: string, options?: CallOptions): Promise<ItemLabels>;
  };
  users: {
    put(userId: string, user?: UserInput, options?: CallOptions): Promise<{ user: User }>;
    get(userId: string, options?: CallOptions): Promise<{ user: User }>;
    feed(userId: string, options?: ListOptions): Promise<FeedResponse>;
    profile(userId: string, options?: CallOptions): Promise<UserProfile>;
    patchProfile(userId: string, patch: ProfilePatch, options?: CallOptions): Promise<UserProfile>;
  };
  events: {
    /** Retried on failure only when every event has an `id`, so a retry cannot double-count. */
    send(events: EventInput[], options?: CallOptions): Promise<IngestResult>;
  };
  creators: {
    profile(creatorId: string, options?: CallOptions): Promise<CreatorProfile>;
  };
  trending(options?: ListOptions): Promise<TrendingResponse>;
  /** Quality reports: the serving model's validation metrics, and saved `eval` and `simulate` runs. */
  quality(options?: CallOptions): Promise<QualityResponse>;
  /** Starts training the batch model (202); with `wait: true`, answers when it is done. */
  train(options?: CallOptions & { wait?: boolean }): Promise<TrainResponse>;
  status(options?: CallOptions): Promise<StatusResponse>;
  /**
   * Liveness: `{ ok: false, reason }` (the server's 503) once the server has stopped taking events
   * and needs a restart. Not retried: a probe reports what it sees now.
   */
  healthz(options?: CallOptions): Promise<HealthResponse>;
  /**
   * Readiness: `ready: false` (the server's 503) while a restarted server replays its event log,
   * serving meanwhile from the events applied so far. Not retried: a probe reports what it sees now.
   */
  readyz(options?: CallOptions): Promise<Readiness>;
  /** The Prometheus text exposition. */
  metrics(options?: CallOptions): Promise<string>;
}

const RETRY_STATUSES = new Set([429, 503]);

/**
 * A typed client for setlist's HTTP API v1. Uses `fetch` only, so it runs in Node 20 and browsers.
 * Idempotent calls (GET, PUT, and event batches whose events all carry an `id`) are retried on
 * network errors, 429 and 503, with exponential backoff that honours Retry-After; the probes
 * (`healthz`, `readyz`) are not, and return their 503 bodies as answers. Each call sends an
 * `X-Request-Id` (a fresh UUID, the same on its retries) and its errors carry it as `requestId`.
 *
 * @example
 * const client = createClient({ baseUrl: 'http://127.0.0.1:7733' });
 * await client.events.send([{ id: 'e1', userId: 'u1', itemId: 'v1', type: 'like' }]);
 * const { items } = await client.users.feed('u1', { n: 10 });
 */
export function createClient(options: ClientOptions): SetlistClient {
  const base = baseUrlOf(options.baseUrl);
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const retries = Math.max(0, options.retries ?? 2);
  const retryDelayMs = options.retryDelayMs ?? 200;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;

  async function request<T>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
      throw invalidArgument(method, String(path), 'path', `The path must start with a single "/": ${path}.`);
    }
    let url = `${base}${path}`;
    const query = Object.entries(opts.query ?? {}).filter(([, v]) => v !== undefined);
    if (query.length > 0) {
      url += `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
    const givenIdHeader = Object.keys(headers).find((k) => k.toLowerCase() === 'x-request-id');
    const sentId =
      opts.requestId ?? (givenIdHeader === undefined ? undefined : headers[givenIdHeader]) ?? newRequestId();
    if (givenIdHeader !== undefined) delete headers[givenIdHeader];
    // One id for every attempt, so that the server's log shows a call's retries together.
    headers['x-request-id'] = sentId;
    let requestId = sentId;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const idempotent = opts.idempotent ?? (method === 'GET' || method === 'PUT');
    const maxAttempts = idempotent ? retries + 1 : 1;
    const fail = (init: Omit<ConstructorParameters<typeof SetlistClientError>[0], 'method' | 'route'>) =>
      new SetlistClientError({ requestId, ...init, method, route: path });

    /**
     * What an attempt that failed before its whole response arrived (no headers, or a body cut off by
     * the signal or the connection) becomes: the error to throw, or undefined when it is retried.
     */
    const attemptFailure = (
      err: unknown,
      attempt: number,
      status: number,
      timedOut: boolean,
    ): SetlistClientError | undefined => {
      if (opts.signal?.aborted) {
        return fail({
          code: 'SETLIST_CLIENT_ABORTED',
          status,
          message: 'The call was aborted.',
          attempts: attempt,
          cause: err,
        });
      }
      if (attempt < maxAttempts) return undefined;
      const code = timedOut ? 'SETLIST_CLIENT_TIMEOUT' : 'SETLIST_CLIENT_NETWORK';
      const message =
        code === 'SETLIST_CLIENT_TIMEOUT'
          ? `${method} ${path} took longer than ${options.timeoutMs} ms.`
          : `${method} ${path} failed: ${err instanceof Error ? err.message : String(err)}`;
      return fail({ code, status, message, attempts: attempt, cause: err });
    };

    for (let attempt = 1; ; attempt++) {
      requestId = sentId;
      const { signal, cleanup, timedOut } = attemptSignal(opts.signal, options.timeoutMs);
      let response: Response;
      try {
        const init: RequestInit = { method, headers };
        if (body !== undefined) init.body = body;
        if (signal !== undefined) init.signal = signal;
        response = await doFetch(url, init);
      } catch (err) {
        cleanup();
        const error = attemptFailure(err, attempt, 0, timedOut());
        if (error !== undefined) throw error;
        await sleep(backoff(attempt, retryDelayMs, maxRetryDelayMs), opts.signal);
        continue;
      }
      requestId = response.headers.get('x-request-id') ?? sentId;
      const readBody = (): Promise<string> =>
        response.text().catch((err: unknown) => {
          throw new BodyReadFailure(err);
        });
      try {
        if (response.ok || opts.answers?.includes(response.status) === true) {
          if (opts.as === 'text') return (await readBody()) as T;
          const text = await readBody();
          if (text === '' && response.ok) return undefined as T;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (err) {
            throw fail({
              code: 'SETLIST_CLIENT_BAD_RESPONSE',
              status: response.status,
              message: `${method} ${path} answered ${response.status} with a body that is not JSON.`,
              attempts: attempt,
              cause: err,
            });
          }
          if (response.ok || errorBodyOf(parsed) === undefined) return parsed as T;
          throw errorFromText(text, response.status, attempt, fail);
        }
        if (RETRY_STATUSES.has(response.status) && attempt < maxAttempts) {
          await response.body?.cancel().catch(() => undefined);
          const wait = retryAfterMs(response.headers.get('retry-after'));
          const delay =
            wait === undefined
              ? backoff(attempt, retryDelayMs, maxRetryDelayMs)
              : Math.min(wait, maxRetryDelayMs);
          await sleep(delay, opts.signal);
          continue;
        }
        throw errorFromText(await readBody(), response.status, attempt, fail);
      } catch (err) {
        if (!(err instanceof BodyReadFailure)) throw err;
        const error = attemptFailure(err.cause, attempt, response.status, timedOut());
        if (error !== undefined) throw error;
      } finally {
        cleanup();
      }
      await sleep(backoff(attempt, retryDelayMs, maxRetryDelayMs), opts.signal);
    }
  }

  /**
   * Calls a route whose `{name}` placeholders are filled with the encoded ids in `ids`; an id that
   * cannot be a path segment is a rejected SETLIST_CLIENT_INVALID_ARGUMENT, before anything is sent.
   */
  async function call<T>(
    method: HttpMethod,
    route: string,
    ids: Record<string, string>,
    opts: RequestOptions = {},
  ): Promise<T> {
    const path = route.replace(/\{(\w+)\}/g, (_, name: string) => segment(method, route, name, ids[name]));
    return request<T>(method, path, opts);
  }

  return {
    request,
    items: {
      put: (itemId, item, o) => call('PUT', '/v1/items/{itemId}', { itemId }, { ...o, body: item }),
      batch: (items, o) => request('POST', `/v1/items`, { ...o, body: { items } }),
      get: (itemId, o) => call('GET', '/v1/items/{itemId}', { itemId }, { ...o }),
      patch: (itemId, patch, o) => call('PATCH', '/v1/items/{itemId}', { itemId }, { ...o, body: patch }),
      audit: (itemId, o) => call('GET', '/v1/items/{itemId}/audit', { itemId }, { ...o }),
      similar: (itemId, o = {}) =>
        call('GET', '/v1/items/{itemId}/similar', { itemId }, { ...o, query: { n: o.n, lang: o.lang } }),
      labels: (itemId, o) => call('GET', '/v1/items/{itemId}/labels', { itemId }, { ...o }),
    },
    users: {
      put: (userId, user = {}, o) => call('PUT', '/v1/users/{userId}', { userId }, { ...o, body: user }),
      get: (userId, o) => call('GET', '/v1/users/{userId}', { userId }, { ...o }),
      feed: (userId, o = {}) =>
        call('GET', '/v1/users/{userId}/feed', { userId }, { ...o, query: { n: o.n, lang: o.lang } }),
      profile: (userId, o) => call('GET', '/v1/users/{userId}/profile', { userId }, { ...o }),
      patchProfile: (userId, patch, o) =>
        call('PATCH', '/v1/users/{userId}/profile', { userId }, { ...o, body: patch }),
    },
    events: {
      send: (events, o) =>
        request('POST', '/v1/events', {
          ...o,
          body: { events },
          idempotent: events.length > 0 && events.every((e) => typeof e.id === 'string' && e.id !== ''),
        }),
    },
    creators: {
      profile: (creatorId, o) => call('GET', '/v1/creators/{creatorId}/profile', { creatorId }, { ...o }),
    },
    trending: (o = {}) => request('GET', '/v1/trending', { ...o, query: { n: o.n, lang: o.lang } }),
    quality: (o) => request('GET', '/v1/quality', { ...o }),
    train: (o = {}) => {
      const { wait, ...rest } = o;
      return request('POST', '/v1/train', { ...rest, query: { wait: wait === true ? 'true' : undefined } });
    },
    status: (o) => request('GET', '/v1/status', { ...o }),
    healthz: (o) => request('GET', '/healthz', { ...o, answers: [503], idempotent: false }),
    readyz: (o) => request('GET', '/readyz', { ...o, answers: [503], idempotent: false }),
    metrics: (o) => request('GET', '/metrics', { ...o, as: 'text' }),
  };
}

/**
 * The base URL without trailing slashes: an absolute http(s) URL, or `''` for the page's own origin
 * (only where there is a page). Throws a TypeError for anything else, which fetch would refuse on
 * every call.
 */
function baseUrlOf(baseUrl: string): string {
  if (typeof baseUrl !== 'string') {
    throw new TypeError(`setlist client: baseUrl must be a string, not ${typeof baseUrl}.`);
  }
  const base = baseUrl.trim().replace(/\/+$/, '');
  if (base === '') {
    const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
    if (typeof origin === 'string' && /^https?:\/\//.test(origin)) return '';
    throw new TypeError(
      `setlist client: baseUrl ${JSON.stringify(baseUrl)} means the page's own origin, and there is no page here; ` +
        'give an absolute URL such as http://127.0.0.1:7733.',
    );
  }
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TypeError(
      `setlist client: baseUrl ${JSON.stringify(baseUrl)} is not an absolute URL; give one such as http://127.0.0.1:7733.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`setlist client: baseUrl ${JSON.stringify(baseUrl)} is not an http or https URL.`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new TypeError(
      `setlist client: baseUrl ${JSON.stringify(baseUrl)} must not carry credentials, a query or a fragment.`,
    );
  }
  return base;
}

function invalidArgument(
  method: HttpMethod,
  route: string,
  name: string,
  message: string,
): SetlistClientError {
  return new SetlistClientError({
    code: 'SETLIST_CLIENT_INVALID_ARGUMENT',
    status: 0,
    message,
    path: name,
    method,
    route,
    attempts: 0,
  });
}

/**
 * An id as one encoded path segment. `.`, `..` and `''` are refused: URL normalisation would drop or
 * climb over them and the call would reach another route; so is a lone UTF-16 surrogate, which
 * cannot be encoded.
 */
function segment(method: HttpMethod, route: string, name: string, id: unknown): string {
  if (typeof id !== 'string' || id === '' || id === '.' || id === '..') {
    throw invalidArgument(
      method,
      route,
      name,
      `${name} must be a non-empty string other than "." and "..": got ${typeof id === 'string' ? JSON.stringify(id) : typeof id}.`,
    );
  }
  try {
    return encodeURIComponent(id);
  } catch (err) {
    throw new SetlistClientError({
      code: 'SETLIST_CLIENT_INVALID_ARGUMENT',
      status: 0,
      message: `${name} is not well-formed Unicode (it holds a lone surrogate): ${JSON.stringify(id)}.`,
      path: name,
      method,
      route,
      attempts: 0,
      cause: err,
    });
  }
}

/** Reading a response's body failed: the signal fired or the connection broke after the headers. */
class BodyReadFailure {
  constructor(readonly cause: unknown) {}
}

/** The `error` of a setlist error body, `{ error: { code, message, path? } }`; undefined for any other. */
function errorBodyOf(parsed: unknown): { code: string; message?: unknown; path?: unknown } | undefined {
  const error = (
    parsed as { error?: { code?: unknown; message?: unknown; path?: unknown } } | null | undefined
  )?.error;
  return error !== undefined && error !== null && typeof error.code === 'string'
    ? (error as { code: string })
    : undefined;
}

function errorFromText(
  text: string,
  status: number,
  attempts: number,
  fail: (
    init: Omit<ConstructorParameters<typeof SetlistClientError>[0], 'method' | 'route'>,
  ) => SetlistClientError,
): SetlistClientError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = errorBodyOf(parsed);
  if (error !== undefined) {
    return fail({
      code: error.code as ServerErrorCode,
      status,
      message: typeof error.message === 'string' ? error.message : `HTTP ${status}`,
      path: typeof error.path === 'string' ? error.path : undefined,
      attempts,
    });
  }
  return fail({
    code: 'SETLIST_CLIENT_BAD_RESPONSE',
    status,
    message: `HTTP ${status} without a setlist error body: ${text.slice(0, 200)}`,
    attempts,
  });
}

/** A fresh UUID: `crypto.randomUUID` where there is one (Node 20, browsers in a secure context). */
function newRequestId(): string {
  const crypto = (
    globalThis as {
      crypto?: { randomUUID?: () => string; getRandomValues?: <T extends Uint8Array>(a: T) => T };
    }
  ).crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  // RFC 9562 version 4, variant 10.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Full-jitter exponential backoff: a random wait up to base * 2^(attempt-1), capped. */
function backoff(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Retry-After in milliseconds, from delta-seconds or an HTTP date; undefined when absent or bad. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

function attemptSignal(
  outer: AbortSignal | undefined,
  timeoutMs: number | undefined,
): { signal: AbortSignal | undefined; cleanup: () => void; timedOut: () => boolean } {
  if (timeoutMs === undefined) return { signal: outer, cleanup: () => undefined, timedOut: () => false };
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  if (outer?.aborted) controller.abort();
  return {
    signal: controller.signal,
    cleanup: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
    timedOut: () => expired,
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
