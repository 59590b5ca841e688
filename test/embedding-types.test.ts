// The embedding API's input types. The `@ts-expect-error` lines are the test as much as the
// assertions: `npm run typecheck` (tsc over test/) fails if a wrong input compiles or a right one
// does not. The run-time half holds that an untyped caller is still validated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { z } from 'zod';
import type {
  eventBatchSchema,
  eventSchema,
  itemBatchSchema,
  itemPatchSchema,
  itemPutSchema,
  profilePatchSchema,
  userPutSchema,
} from '../src/engine/validate.js';
import {
  createSetlist,
  type EventInput,
  type ItemBatchEntry,
  type ItemInput,
  type ItemPatch,
  type ProfilePatch,
  SetlistError,
  type UserInput,
} from '../src/index.js';
import { T0 } from './helpers.js';

/**
 * `true` when every A is a B and both name the same fields at the top: the public types and the
 * schemas cannot drift. (Zod's optional fields also take `undefined`, which the public types leave out.)
 */
type Same<A, B> = [DeepMutable<A>] extends [B]
  ? [keyof A] extends [keyof B]
    ? [keyof B] extends [keyof A]
      ? true
      : false
    : false
  : false;
/** The public types take read-only arrays (a caller's `as const` lists), which Zod's inputs do not name. */
type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;
const agree: [
  Same<{ events: EventInput[] }, z.input<typeof eventBatchSchema>>,
  Same<EventInput, z.input<typeof eventSchema>>,
  Same<ItemInput, Omit<z.input<typeof itemPutSchema>, 'id'>>,
  Same<{ items: ItemBatchEntry[] }, z.input<typeof itemBatchSchema>>,
  Same<ItemBatchEntry, z.input<typeof itemBatchSchema>['items'][number]>,
  Same<ItemPatch, z.input<typeof itemPatchSchema>>,
  Same<UserInput, Omit<z.input<typeof userPutSchema>, 'id'>>,
  Same<ProfilePatch, z.input<typeof profilePatchSchema>>,
] = [true, true, true, true, true, true, true, true];

test('the README example compiles and runs', async () => {
  const engine = await createSetlist({ dbPath: ':memory:', now: () => T0 });
  await engine.ingest({ events: [{ userId: 'u1', itemId: 'v1', type: 'like' }] });
  const { items } = await engine.feed('u1', 20);
  await engine.close();
  assert.ok(Array.isArray(items));
  assert.ok(agree.every(Boolean));
});

test('the public EventInput is the shape a caller sends: plain string ids, a time as ISO-8601 or epoch ms', () => {
  const events: EventInput[] = [
    { id: 'e1', userId: 'u1', itemId: 'v1', type: 'view', at: '2024-05-01T10:00:00Z', watchRatio: 0.9 },
    { userId: 'u1', itemId: 'v2', type: 'like', at: T0, watchMs: 1_200 },
    { userId: 'u1', itemId: 'v3', type: 'skip' },
  ];
  // @ts-expect-error an unknown event type
  const teleport: EventInput = { userId: 'u1', itemId: 'v1', type: 'teleport' };
  // @ts-expect-error userId is required
  const anonymous: EventInput = { itemId: 'v1', type: 'like' };
  // @ts-expect-error a time is a number or a string
  const when: EventInput = { userId: 'u1', itemId: 'v1', type: 'like', at: new Date(T0) };
  assert.equal(events.length + [teleport, anonymous, when].length, 6);
});

test('wrong inputs do not compile, and an untyped caller passing them is refused at run time', async () => {
  const engine = await createSetlist({ dbPath: ':memory:', now: () => T0 });
  const refused = async (call: () => Promise<unknown>, path: string | undefined) =>
    assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof SetlistError);
      assert.equal(err.code, 'SETLIST_ERR_VALIDATION');
      assert.equal(err.path, path);
      return true;
    });
  await refused(
    // @ts-expect-error an unknown event type
    () => engine.ingest({ events: [{ userId: 'u1', itemId: 'v1', type: 'teleport' }] }),
    'events.0.type',
  );
  // @ts-expect-error events, not a bare array
  await refused(() => engine.ingest([{ userId: 'u1', itemId: 'v1', type: 'like' }]), undefined);
  // @ts-expect-error tags are an array
  await refused(() => engine.putItem('v1', { tags: 'cats' }), 'tags');
  // @ts-expect-error a batch entry needs its id
  await refused(() => engine.putItems({ items: [{ caption: 'no id' }] }), 'items.0.id');
  // @ts-expect-error visibility is 'visible' or 'hidden'
  await refused(() => engine.patchItem('v1', { visibility: 'gone', reason: 'x' }), 'visibility');
  // @ts-expect-error a declared interest has a weight
  await refused(() => engine.patchProfile('u1', { declare: [{ tag: 'cats' }] }), 'declare.0.weight');
  // @ts-expect-error n is a number
  await refused(() => engine.feed('u1', 'twenty'), 'n');
  // @ts-expect-error lang is 'en' or 'zh'
  await refused(() => engine.feed('u1', 10, { lang: 'fr' }), 'lang');
  await engine.close();
});

test("a caller's read-only lists (`as const`) are accepted as they are", async () => {
  const engine = await createSetlist({ dbPath: ':memory:', now: () => T0 });
  const tags = ['cats', 'funny'] as const;
  const item: ItemInput = { tags, embedding: [0.5, 0.25] as const };
  await engine.putItem('v1', item);
  await engine.patchItem('v1', { tags: ['dogs'] as const });
  await engine.putItems({ items: [{ id: 'v2', tags }] as const });
  await engine.patchProfile('u1', { mute: ['f1'] as const, declare: [{ tag: 'cats', weight: 1 }] as const });
  assert.deepEqual((await engine.getItem('v1')).tags, ['dogs']);
  assert.deepEqual((await engine.getItem('v2')).tags, ['cats', 'funny']);
  await engine.close();
});
