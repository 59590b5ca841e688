import { z } from 'zod';
import { EVENT_TYPES } from '../types.js';
import { REASON_LANGUAGES } from './reasons.js';

/** The outcome of validating input: a value, or the issues with the path of each field at fault. */
export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };
export interface Issue {
  path: string;
  message: string;
}

export const MAX_ID_LENGTH = 256;
/** Earliest accepted event or item time: 2000-01-01. */
export const MIN_TIME_MS = Date.UTC(2000, 0, 1);
/** How far into the future a timestamp may be (clock skew between services). */
export const MAX_FUTURE_SKEW_MS = 24 * 3600 * 1000;

const DOT_SEGMENT_MESSAGE = 'must not be "." or "..": a URL path cannot address them';

function isDotSegment(s: string): boolean {
  return s === '.' || s === '..';
}

/** An id that never appears in a URL: an event's own id, a facet id. */
const keySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .refine((s) => s.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)');

/**
 * The id of an item, user or creator: one URL path segment, so not `.` or `..`, which URLs resolve
 * away (RFC 3986 §5.2.4) before a request is sent.
 */
export const idSchema = keySchema
  .refine((s) => !isDotSegment(s), DOT_SEGMENT_MESSAGE)
  .meta({ not: { enum: ['.', '..'] } });

const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)');

const TIME_FORMS = 'must be an ISO-8601 date-time or epoch milliseconds';

/** Epoch milliseconds or an ISO-8601 string; checked against the clock by {@link checkTime}. */
export const timeSchema = z.union(
  [
    z.number().finite('must be a finite number of epoch milliseconds'),
    z.iso.datetime({
      offset: true,
      local: false,
      message:
        'must be an ISO-8601 date-time with an offset (Z or ±hh:mm), such as 2024-05-01T10:00:00Z, or epoch milliseconds',
    }),
  ],
  // Neither form (a boolean, an object): the union's own issue.
  { message: TIME_FORMS },
);

const notBlank = (s: string): boolean => s.trim() !== '';

export const tagSchema = text(64).min(1, 'must not be empty').refine(notBlank, 'must not be only spaces');

export const itemFieldsSchema = z.strictObject({
  creatorId: idSchema.optional(),
  caption: text(5_000).optional(),
  tags: z.array(tagSchema).max(100, 'must have at most 100 tags').optional(),
  category: text(128).optional(),
  createdAt: timeSchema.optional(),
  durationMs: z.number().finite().nonnegative().max(1e10).optional(),
  embedding: z.array(z.number().finite()).min(1).max(4_096).optional(),
});

export const itemPutSchema = itemFieldsSchema.extend({ id: idSchema.optional() });
export const itemBatchSchema = z.strictObject({
  items: z
    .array(itemFieldsSchema.extend({ id: idSchema }))
    .min(1, 'must have at least one item')
    .max(10_000, 'must have at most 10000 items'),
});

export const itemPatchSchema = z
  .strictObject({
    creatorId: idSchema.nullable().optional(),
    caption: text(5_000).nullable().optional(),
    tags: z.array(tagSchema).max(100).optional(),
    category: text(128).nullable().optional(),
    createdAt: timeSchema.optional(),
    durationMs: z.number().finite().nonnegative().max(1e10).nullable().optional(),
    embedding: z.array(z.number().finite()).min(1).max(4_096).nullable().optional(),
    visibility: z.enum(['visible', 'hidden']).optional(),
    reason: text(1_000).min(1).refine(notBlank, 'must not be only spaces').optional(),
    actor: text(256).min(1).refine(notBlank, 'must not be only spaces').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.visibility !== undefined && v.reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when visibility changes' });
    }
    // They describe a visibility change: alone they would change nothing but the item's updatedAt.
    for (const key of ['reason', 'actor'] as const) {
      if (v.visibility === undefined && v[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'goes with a visibility change' });
      }
    }
  });

const traitValue = z.union([text(1_000), z.number().finite(), z.boolean(), z.null()], {
  message: 'must be a string, a number, true or false, or null',
});
export const userPutSchema = z.strictObject({
  id: idSchema.optional(),
  traits: z
    .record(text(128), traitValue)
    .refine((r) => Object.keys(r).length <= 100, 'must have at most 100 traits')
    .optional(),
});

export const eventSchema = z.strictObject({
  id: keySchema.optional(),
  userId: idSchema,
  itemId: idSchema,
  type: z.enum(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` }),
  at: timeSchema.optional(),
  watchMs: z.number().finite().nonnegative().max(1e10).optional(),
  watchRatio: z.number().finite().nonnegative().max(100).optional(),
});
export const eventBatchSchema = z.strictObject({
  events: z.array(eventSchema).min(1, 'must have at least one event'),
});

export const profilePatchSchema = z
  .strictObject({
    mute: z.array(keySchema).max(100).optional(),
    unmute: z.array(keySchema).max(100).optional(),
    declare: z
      .array(z.strictObject({ tag: tagSchema, weight: z.number().finite().min(-1).max(1) }))
      .max(100)
      .optional(),
  })
  .refine((v) => v.mute !== undefined || v.unmute !== undefined || v.declare !== undefined, {
    message: 'must have at least one of mute, unmute, declare',
  });

/** A list's `lang`: the language of its reasons' text. */
export const langSchema = z.enum(REASON_LANGUAGES, {
  message: `must be one of ${REASON_LANGUAGES.map((l) => JSON.stringify(l)).join(', ')}`,
});

/** A number written in decimal: `Number` alone would also read `0x10`, `0o7` and `0b1`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A list's length, `n`: a number, or a query string's text of one in decimal (`?n=` is empty, not 0). */
export const countSchema = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? (DECIMAL.test(v.trim()) ? Number(v) : Number.NaN) : v),
  z
    .number({
      error: (issue) => (typeof issue.input === 'string' ? 'must be a number, not empty' : undefined),
    })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500'),
);

/**
 * Validates `input` against a schema and returns a value or the issues; never throws.
 *
 * @example
 * const r = validate(eventBatchSchema, body);
 * if (!r.ok) console.log(r.issues[0].path); // "events.0.type"
 */
export function validate<T>(schema: z.ZodType<T>, input: unknown, pathPrefix = ''): Result<T> {
  const parsed = schema.safeParse(input, { error: describeIssue });
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => {
      const at = issue.path.map(String);
      // An unknown field is the field at fault, not the object holding it.
      if (issue.code === 'unrecognized_keys') at.push(issue.keys[0]!);
      const path = [pathPrefix, ...at].filter((p) => p !== '').join('.');
      return { path, message: issue.message };
    }),
  };
}

/**
 * The message of an issue its schema gives none for, in the words of the schemas' own ("must be at
 * most 100"): it follows the field's path in an error, as in "events.0.watchRatio must be at least 0".
 * Zod's defaults ("Too small: expected number to be >=0") read as a second sentence.
 */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      // A query parameter coerced to a number ("?n=abc") arrives as NaN.
      if (typeof issue.input === 'number' && issue.expected === 'number') {
        return Number.isNaN(issue.input) ? 'must be a number' : 'must be a finite number';
      }
      return `must be ${TYPE_NOUNS[issue.expected] ?? issue.expected}, not ${nounOf(issue.input)}`;
    case 'too_small':
      return bound('at least', 'greater than', issue.origin, Number(issue.minimum), issue.inclusive);
    case 'too_big':
      return bound('at most', 'less than', issue.origin, Number(issue.maximum), issue.inclusive);
    case 'unrecognized_keys':
      return issue.keys.length === 1
        ? 'is not a known field'
        : `is not a known field (nor ${issue.keys
            .slice(1)
            .map((k) => `"${k}"`)
            .join(', ')})`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}

const TYPE_NOUNS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

function nounOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return TYPE_NOUNS[typeof input] ?? typeof input;
}

function bound(
  inclusiveWords: string,
  exclusiveWords: string,
  origin: string,
  limit: number,
  inclusive: boolean | undefined,
): string {
  const words = inclusive === false ? exclusiveWords : inclusiveWords;
  if (origin === 'string') {
    return limit === 1 && words === 'at least' ? 'must not be empty' : `must be ${words} ${limit} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    return `must have ${words} ${limit} ${limit === 1 ? 'entry' : 'entries'}`;
  }
  return `must be ${words} ${limit}`;
}

/** Converts epoch milliseconds or ISO-8601 to epoch milliseconds, checking the accepted range. */
export function checkTime(value: number | string, nowMs: number): Result<number> {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) return { ok: false, issues: [{ path: '', message: 'is not a valid time' }] };
  if (ms < MIN_TIME_MS) {
    // Epoch seconds are the likeliest mistake: 1714557600 is 1970-01-20 in milliseconds.
    const hint = typeof value === 'number' ? ' (times are epoch milliseconds, not seconds)' : '';
    return { ok: false, issues: [{ path: '', message: `must not be before 2000-01-01${hint}` }] };
  }
  if (ms > nowMs + MAX_FUTURE_SKEW_MS) {
    return { ok: false, issues: [{ path: '', message: 'must not be more than 24 hours in the future' }] };
  }
  return { ok: true, value: Math.round(ms) };
}

type EventBatch = z.infer<typeof eventBatchSchema>;
const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * {@link validate} with {@link eventBatchSchema}, with a hand-written pass for the common case (ids,
 * known types, numeric times): a batch of 1,000 events validates without building a parse tree. Any
 * event the pass is unsure of sends the whole batch through the schema, so issues are the schema's.
 *
 * @example
 * const r = validateEventBatch({ events: [{ userId: 'u1', itemId: 'v1', type: 'like' }] });
 */
export function validateEventBatch(input: unknown): Result<EventBatch> {
  return isPlainEventBatch(input) ? { ok: true, value: input } : validate(eventBatchSchema, input);
}

function isPlainEventBatch(input: unknown): input is EventBatch {
  if (!isRecord(input)) return false;
  let keys = 0;
  for (const key in input) {
    if (key !== 'events') return false;
    keys++;
  }
  const events = input.events;
  if (keys !== 1 || !Array.isArray(events) || events.length === 0) return false;
  for (let k = 0; k < events.length; k++) if (!isPlainEvent(events[k])) return false;
  return true;
}

function isPlainEvent(e: unknown): boolean {
  if (!isRecord(e)) return false;
  let required = 0;
  for (const key in e) {
    const v = e[key];
    switch (key) {
      case 'userId':
      case 'itemId':
        required++;
        if (!isPlainId(v) || isDotSegment(v as string)) return false;
        break;
      case 'id':
        if (!isPlainId(v)) return false;
        break;
      case 'type':
        required++;
        if (typeof v !== 'string' || !EVENT_TYPE_SET.has(v)) return false;
        break;
      case 'at':
        if (typeof v !== 'number' || !Number.isFinite(v)) return false;
        break;
      case 'watchMs':
        if (typeof v !== 'number' || !(v >= 0 && v <= 1e10)) return false;
        break;
      case 'watchRatio':
        if (typeof v !== 'number' || !(v >= 0 && v <= 100)) return false;
        break;
      default:
        return false;
    }
  }
  return required === 3;
}

function isPlainId(v: unknown): boolean {
  return typeof v === 'string' && v.length >= 1 && v.length <= MAX_ID_LENGTH && v.isWellFormed();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  );
}
