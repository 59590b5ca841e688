/**
 * The one catalogue of setlist's error codes. Each code has an HTTP status and a message that says
 * how to fix the problem; `docs/reference/errors.md` must list every code (a test checks it).
 */
export const errorCatalogue = {
  SETLIST_ERR_VALIDATION: {
    status: 400,
    message: 'The request is not valid: fix the field named in `path` and send it again.',
  },
  SETLIST_ERR_MALFORMED_JSON: {
    status: 400,
    message: 'The body is not valid JSON: send a JSON document with Content-Type application/json.',
  },
  SETLIST_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Only application/json bodies are accepted.',
  },
  SETLIST_ERR_BATCH_TOO_LARGE: {
    status: 413,
    message: 'The batch has too many entries: split it into smaller requests.',
  },
  SETLIST_ERR_BODY_TOO_LARGE: {
    status: 413,
    message: 'The request body is larger than the configured limit: split it into smaller requests.',
  },
  SETLIST_ERR_NOT_FOUND: {
    status: 404,
    message: 'No such resource: check the id, or create it first.',
  },
  SETLIST_ERR_ROUTE_NOT_FOUND: {
    status: 404,
    message: 'No such route: see GET /openapi.json for the routes this server answers.',
  },
  SETLIST_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    message: 'This route does not take this method: the Allow header lists the methods it takes.',
  },
  SETLIST_ERR_UNAUTHORIZED: {
    status: 401,
    message: 'A valid API key is required: send it as `Authorization: Bearer <key>`.',
  },
  SETLIST_ERR_FORBIDDEN: {
    status: 403,
    message: 'The API key does not have the scope this route needs.',
  },
  SETLIST_ERR_RATE_LIMITED: {
    status: 429,
    message: 'Too many requests for this key: wait for the number of seconds in Retry-After.',
  },
  SETLIST_ERR_UNAVAILABLE: {
    status: 503,
    message: 'A backing service is unavailable: retry later; nothing from this request was stored.',
  },
  SETLIST_ERR_STARTING: {
    status: 503,
    message:
      'The server is still replaying its event log after a start: retry in a few seconds, or once GET /readyz answers 200.',
  },
  SETLIST_ERR_SHUTTING_DOWN: {
    status: 503,
    message:
      'The server is shutting down: send the request again, to another node or once this one is back; nothing from it was stored.',
  },
  SETLIST_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    message:
      "The request's headers are larger than the server takes (16 KiB by default): send fewer or shorter headers.",
  },
  SETLIST_ERR_REQUEST_TIMEOUT: {
    status: 408,
    message:
      'The request did not arrive whole within the time allowed: send it again, on a faster link or smaller.',
  },
  SETLIST_ERR_EXPECTATION_FAILED: {
    status: 417,
    message: 'The server meets no Expect header but "Expect: 100-continue": send the request without it.',
  },
  SETLIST_ERR_STORE_CORRUPT: {
    status: 500,
    message:
      'The database file is not a readable setlist store: restore it from a backup or point --db elsewhere.',
  },
  SETLIST_ERR_STORE_LOCKED: {
    status: 409,
    message:
      'Another process has the database open: stop it, or send the change to the running server over HTTP.',
  },
  SETLIST_ERR_STORE_TOO_NEW: {
    status: 500,
    message: 'The database was written by a newer setlist: upgrade setlist to open it.',
  },
  SETLIST_ERR_STORE_NEEDS_MIGRATION: {
    status: 500,
    message:
      "The database's schema is missing or older than this setlist, and this role may not create or upgrade it: run `setlist migrate` as its owner, then start again.",
  },
  SETLIST_ERR_CONFIG: {
    status: 500,
    message: 'The configuration is not valid: fix the option named in `path`.',
  },
  SETLIST_ERR_INTERNAL: {
    status: 500,
    message: 'An internal error occurred: the request was not applied; see the server log.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface SetlistErrorOptions {
  /** The field at fault, as a JSON pointer-like dotted path (`events.3.type`). */
  path?: string;
  /** Replaces the catalogue's message with a more specific one. */
  message?: string;
  cause?: unknown;
}

/**
 * An error with a catalogue code. Every error the HTTP layer returns is one of these.
 *
 * @example
 * throw new SetlistError('SETLIST_ERR_NOT_FOUND', { message: 'No item "v1".', path: 'itemId' });
 */
export class SetlistError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly path: string | undefined;

  constructor(code: ErrorCode, options: SetlistErrorOptions = {}) {
    super(options.message ?? errorCatalogue[code].message, { cause: options.cause });
    this.name = 'SetlistError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.path = options.path;
  }

  toJSON(): { error: { code: ErrorCode; message: string; path?: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.path === undefined ? {} : { path: this.path }),
      },
    };
  }
}

export function isSetlistError(value: unknown): value is SetlistError {
  return value instanceof SetlistError;
}
