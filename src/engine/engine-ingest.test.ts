import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClock } from '../../test/helpers.js';
import { isSetlistError } from '../errors.js';
import { buildApp } from '../server/app.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { AppendResult, Store } from '../store/store.js';
import { createEngine } from './engine.js';

/** An append the gated store has told the engine about and holds until the test commits or fails it. */
interface Held {
  result: AppendResult;
  commit(): void;
  fail(cause: Error): void;
}

/**
 * A store whose appends tell their seqs at once (as the file store's writer does before its COMMIT)
 * and become durable only when the test says so; `failBeforeTelling` fails the next append outright.
 */
function gatedStore(): { store: Store; held: Held[]; failBeforeTelling: () => void } {
  const inner = createSqliteStore({ path: ':memory:' });
  const held: Held[] = [];
  let failNext = false;
  const store: Store = {
    ...inner,
    async appendEvents(events, receivedAt, onLogged) {
      if (failNext) {
        failNext = false;
        throw new Error('database is locked');
      }
      const result = await inner.appendEvents(events, receivedAt);
      onLogged?.(result);
      return new Promise<AppendResult>((resolve, reject) => {
        held.push({ result, commit: () => resolve(result), fail: reject });
      });
    },
  };
  return { store, held, failBeforeTelling: () => (failNext = true) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 10_000) throw new Error('the condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function gatedEngine() {
  const gated = gatedStore();
  const clock = createClock();
  const engine = createEngine({ store: gated.store, now: clock.now });
  await engine.open();
  await engine.putItems({
    items: ['a', 'b', 'c'].map((id) => ({ id, creatorId: `c-${id}`, tags: ['t'], createdAt: clock.now() })),
  });
  return { engine, ...gated };
}

test("an ingest's events are in the online state while the store makes them durable, and it answers after", async () => {
  const { engine, held } = await gatedEngine();
  let answered = false;
  const ingest = engine.ingest({ events: [{ userId: 'u', itemId: 'a', type: 'like' }] }).then((r) => {
    answered = true;
    return r;
  });
  await until(() => held.length === 1);
  const profile = await engine.profile('u');
  assert.deepEqual(
    profile.recent.map((r) => r.itemId),
    ['a'],
  );
  const feed = (await engine.feed('u', 3)).items;
  assert.deepEqual(
    feed.map((i) => [i.itemId, i.reason.source === 'rewatch']),
    [...feed.slice(0, 2).map((i) => [i.itemId, false]), ['a', true]],
    'the liked item comes back only after the unseen ones, as seen before',
  );
  assert.equal(answered, false);
  held[0]!.commit();
  assert.deepEqual(await ingest, { accepted: 1, duplicates: 0 });
  await engine.close();
});

test('a batch the log fails to commit after the state applied it stops the engine taking events, and says why', async () => {
  const { engine, held } = await gatedEngine();
  const ingest = engine.ingest({ events: [{ userId: 'u', itemId: 'a', type: 'like' }] });
  await until(() => held.length === 1);
  held[0]!.fail(new Error('disk I/O error'));
  await assert.rejects(ingest, (err: unknown) => {
    assert.ok(isSetlistError(err));
    assert.equal(err.code, 'SETLIST_ERR_UNAVAILABLE');
    assert.match(err.message, /disk I\/O error/);
    assert.match(err.message, /restart/);
    return true;
  });
  // Later batches are refused before they reach the store: the state and the log disagree until a restart.
  await assert.rejects(engine.ingest({ events: [{ userId: 'v', itemId: 'b', type: 'like' }] }), {
    code: 'SETLIST_ERR_UNAVAILABLE',
  });
  assert.equal(held.length, 1);
  assert.match((await engine.status()).ingestStopped ?? '', /disk I\/O error/);
  const health = engine.health();
  assert.equal(health.ok, false);
  const app = buildApp({ engine, webRoot: false });
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().ok, false);
  assert.match(res.json().reason, /disk I\/O error/);
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /^setlist_ingest_accepting 0$/m);
  await app.close();
  await engine.close();
});

test('an append that fails before telling its seqs fails only its own batch: nothing applied, the next one taken', async () => {
  const { engine, held, failBeforeTelling } = await gatedEngine();
  failBeforeTelling();
  await assert.rejects(
    engine.ingest({ events: [{ userId: 'u', itemId: 'a', type: 'like' }] }),
    /database is locked/,
  );
  assert.deepEqual((await engine.profile('u').catch(() => ({ recent: [] }))).recent, []);
  const next = engine.ingest({ events: [{ userId: 'u', itemId: 'b', type: 'like' }] });
  await until(() => held.length === 1);
  held[0]!.commit();
  assert.deepEqual(await next, { accepted: 1, duplicates: 0 });
  assert.deepEqual(engine.health(), { ok: true });
  assert.equal((await engine.status()).ingestStopped, undefined);
  await engine.close();
});
