import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { z } from 'zod';
import {
  checkTime,
  countSchema,
  eventBatchSchema,
  idSchema,
  itemBatchSchema,
  itemPatchSchema,
  profilePatchSchema,
  userPutSchema,
  validate,
  validateEventBatch,
} from './validate.js';

const good = {
  events: [
    { userId: 'u1', itemId: 'v1', type: 'like' },
    {
      id: 'e2',
      userId: 'u1',
      itemId: 'v2',
      type: 'view',
      at: Date.UTC(2026, 0, 1),
      watchMs: 10,
      watchRatio: 0.5,
    },
    { userId: 'u2', itemId: 'v1', type: 'view', at: '2026-01-01T00:00:00Z' },
  ],
};

test('the event batch fast path accepts what the schema accepts, with the same value', () => {
  assert.deepEqual(validateEventBatch(good), validate(eventBatchSchema, good));
  assert.equal(validateEventBatch(good).ok, true);
});

test('the event batch fast path reports exactly the issues of the schema', () => {
  const bad: unknown[] = [
    {},
    { events: [] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'poke' }] },
    { events: [{ userId: '', itemId: 'v1', type: 'like' }] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'like', extra: 1 }] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'like' }], more: true },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'view', watchRatio: -1 }] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'view', watchMs: Number.NaN }] },
    { events: [{ userId: 'u1', itemId: 'v1', type: 'view', at: 'yesterday' }] },
    { events: [{ userId: 'u\uD800', itemId: 'v1', type: 'like' }] },
    { events: [{ itemId: 'v1', type: 'like' }] },
    { events: [null] },
    { events: [{ userId: '..', itemId: 'v1', type: 'like' }] },
    { events: [{ userId: 'u1', itemId: '.', type: 'like' }] },
  ];
  for (const body of bad) {
    const fast = validateEventBatch(body);
    assert.equal(fast.ok, false, JSON.stringify(body));
    assert.deepEqual(fast, validate(eventBatchSchema, body));
  }
});

test("every issue reads as a phrase after its field's path, and names the field at fault", () => {
  const event = (fields: Record<string, unknown>) => ({
    events: [{ userId: 'u1', itemId: 'v1', type: 'view', ...fields }],
  });
  const cases: [z.ZodType<unknown>, unknown, string, string][] = [
    [countSchema, 'abc', 'n', 'must be a number'],
    [countSchema, '', 'n', 'must be a number, not empty'],
    [countSchema, '1e400', 'n', 'must be a finite number'],
    [countSchema, '0', 'n', 'must be at least 1'],
    ...['0x10', '0b1', '0o7', '1_0'].map((n): [z.ZodType<unknown>, unknown, string, string] => [
      countSchema,
      n,
      'n',
      'must be a number',
    ]),
    [countSchema, '1.5', 'n', 'must be an integer'],
    [eventBatchSchema, event({ watchRatio: -1 }), 'events.0.watchRatio', 'must be at least 0'],
    [eventBatchSchema, event({ watchRatio: 101 }), 'events.0.watchRatio', 'must be at most 100'],
    [eventBatchSchema, event({ watchMs: '5' }), 'events.0.watchMs', 'must be a number, not a string'],
    [eventBatchSchema, event({ foo: 1 }), 'events.0.foo', 'is not a known field'],
    [eventBatchSchema, event({ foo: 1, bar: 2 }), 'events.0.foo', 'is not a known field (nor "bar")'],
    [eventBatchSchema, event({ userId: undefined }), 'events.0.userId', 'is required'],
    [eventBatchSchema, event({ userId: 7 }), 'events.0.userId', 'must be a string, not a number'],
    [
      eventBatchSchema,
      event({ at: true }),
      'events.0.at',
      'must be an ISO-8601 date-time or epoch milliseconds',
    ],
    ...['2024-05-01T10:00:00', '2024-05-01'].map((at): [z.ZodType<unknown>, unknown, string, string] => [
      eventBatchSchema,
      event({ at }),
      'events.0.at',
      'must be an ISO-8601 date-time with an offset (Z or ±hh:mm), such as 2024-05-01T10:00:00Z, or epoch milliseconds',
    ]),
    [eventBatchSchema, { events: 5 }, 'events', 'must be an array, not a number'],
    [eventBatchSchema, [], '', 'must be an object, not an array'],
    [itemBatchSchema, { items: [{ id: 'a', tags: 'x' }] }, 'items.0.tags', 'must be an array, not a string'],
    [
      itemBatchSchema,
      { items: [{ id: 'a', embedding: [] }] },
      'items.0.embedding',
      'must have at least 1 entry',
    ],
    [
      itemPatchSchema,
      { visibility: 'gone', reason: 'x' },
      'visibility',
      'must be one of "visible", "hidden"',
    ],
    [itemPatchSchema, { visibility: 'hidden', reason: '' }, 'reason', 'must not be empty'],
    [itemPatchSchema, { visibility: 'hidden', reason: ' \t ' }, 'reason', 'must not be only spaces'],
    [
      profilePatchSchema,
      { declare: [{ tag: '   ', weight: 1 }] },
      'declare.0.tag',
      'must not be only spaces',
    ],
    [
      itemBatchSchema,
      { items: [{ id: 'a', tags: ['ok', ' '] }] },
      'items.0.tags.1',
      'must not be only spaces',
    ],
    [itemPatchSchema, { reason: 'x' }, 'reason', 'goes with a visibility change'],
    [itemPatchSchema, { caption: 'c', actor: 'mod-7' }, 'actor', 'goes with a visibility change'],
    [profilePatchSchema, { declare: [{ tag: 'x', weight: 3 }] }, 'declare.0.weight', 'must be at most 1'],
    [
      profilePatchSchema,
      { mute: Array.from({ length: 101 }, (_, k) => `f${k}`) },
      'mute',
      'must have at most 100 entries',
    ],
    [userPutSchema, { traits: { a: [1] } }, 'traits.a', 'must be a string, a number, true or false, or null'],
  ];
  for (const [schema, input, path, message] of cases) {
    const r = validate(schema, input, path === 'n' ? 'n' : '');
    assert.equal(r.ok, false, JSON.stringify(input));
    assert.deepEqual(r.ok ? undefined : r.issues[0], { path, message }, JSON.stringify(input));
  }
});

test('"." and ".." are not ids of items, users, creators or events\' users and items', () => {
  const message = 'must not be "." or "..": a URL path cannot address them';
  const cases: [z.ZodType<unknown>, unknown, string][] = [
    [idSchema, '.', ''],
    [idSchema, '..', ''],
    [itemBatchSchema, { items: [{ id: 'a' }, { id: '.' }] }, 'items.1.id'],
    [itemBatchSchema, { items: [{ id: 'a', creatorId: '..' }] }, 'items.0.creatorId'],
    [itemPatchSchema, { creatorId: '.' }, 'creatorId'],
    [userPutSchema, { id: '..' }, 'id'],
    [eventBatchSchema, { events: [{ userId: '..', itemId: 'v1', type: 'like' }] }, 'events.0.userId'],
    [eventBatchSchema, { events: [{ userId: 'u1', itemId: '.', type: 'like' }] }, 'events.0.itemId'],
  ];
  for (const [schema, input, path] of cases) {
    const r = schema === eventBatchSchema ? validateEventBatch(input) : validate(schema, input);
    assert.deepEqual(r.ok ? undefined : r.issues, [{ path, message }], JSON.stringify(input));
  }
  // Dots inside an id, an event's own id and a facet id are fine: none is a URL path segment.
  for (const id of ['.x', 'a.', '...', 'v1.mp4']) assert.equal(validate(idSchema, id).ok, true, id);
  assert.equal(
    validateEventBatch({ events: [{ id: '.', userId: 'u1', itemId: 'v1', type: 'like' }] }).ok,
    true,
  );
  assert.equal(validate(profilePatchSchema, { mute: ['..'] }).ok, true);
});

test('a time before 2000 given as a number says times are epoch milliseconds', () => {
  const now = Date.UTC(2026, 0, 1);
  const seconds = Date.UTC(2024, 4, 1, 10) / 1000;
  assert.deepEqual(checkTime(seconds, now), {
    ok: false,
    issues: [
      { path: '', message: 'must not be before 2000-01-01 (times are epoch milliseconds, not seconds)' },
    ],
  });
  assert.deepEqual(checkTime('1999-12-31T23:59:59Z', now), {
    ok: false,
    issues: [{ path: '', message: 'must not be before 2000-01-01' }],
  });
  assert.deepEqual(checkTime(seconds * 1000, now), { ok: true, value: seconds * 1000 });
});
