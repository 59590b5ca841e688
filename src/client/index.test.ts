import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance } from 'fastify';
import { replayingEngine, stoppedEngine } from '../../test/fixtures/unwell-engines.js';
import { openApp } from '../../test/helpers.js';
import type { Engine } from '../engine/engine.js';
import { buildApp } from '../server/app.js';
import {
  createClient,
  type ErrorCode,
  type FetchLike,
  type ReasonSource,
  retryAfterMs,
  SetlistClientError,
} from './index.js';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that answers from a script of responses (or throws for `'network'`) and records calls. */
function scriptedFetch(script: (Response | 'network')[]): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const next = script.shift();
    if (next === undefined) throw new Error('the script ran out');
    if (next === 'network') throw new TypeError('fetch failed');
    return next;
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const unavailable = (retryAfter = '0') =>
  json(503, { error: { code: 'SETLIST_ERR_UNAVAILABLE', message: 'down' } }, { 'retry-after': retryAfter });

async function rejection(promise: Promise<unknown>): Promise<SetlistClientError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SetlistClientError, `expected a SetlistClientError, got ${String(err)}`);
    return err;
  }
  assert.fail('the call should have failed');
}

describe('the client against a live server', () => {
  let app: FastifyInstance;
  let client: ReturnType<typeof createClient>;

  before(async () => {
    ({ app } = await openApp());
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    client = createClient({ baseUrl: `${url}/`, retries: 0 });
  });
  after(async () => {
    await app.close();
  });

  test('an item written with put reads back with get', async () => {
    const { item } = await client.items.put('v/1', { caption: '口红试色 lipstick', tags: ['美妆'] });
    assert.equal(item.id, 'v/1');
    const read = await client.items.get('v/1');
    assert.deepEqual(read.item.tags, ['美妆']);
    assert.equal(read.item.caption, '口红试色 lipstick');
  });

  test('hiding an item through patch shows in its visibility and audit trail', async () => {
    await client.items.batch([{ id: 'h1', tags: ['a'] }]);
    const { item } = await client.items.patch('h1', { visibility: 'hidden', reason: 'under review' });
    assert.equal(item.visibility, 'hidden');
    const { audit } = await client.items.audit('h1');
    assert.deepEqual(
      audit.map((a) => [a.action, a.reason]),
      [['hide', 'under review']],
    );
  });

  test('events go in and the feed comes back with a reason on every item', async () => {
    await client.items.batch([
      { id: 'f1', tags: ['x'] },
      { id: 'f2', tags: ['x'] },
      { id: 'f3', tags: ['y'] },
    ]);
    await client.users.put('fu1', { traits: { lang: 'zh' } });
    const first = await client.events.send([{ id: 'e1', userId: 'fu1', itemId: 'f1', type: 'like' }]);
    assert.deepEqual(first, { accepted: 1, duplicates: 0 });
    const again = await client.events.send([{ id: 'e1', userId: 'fu1', itemId: 'f1', type: 'like' }]);
    assert.deepEqual(again, { accepted: 0, duplicates: 1 });
    const feed = await client.users.feed('fu1', { n: 2 });
    assert.equal(feed.items.length, 2);
    for (const entry of feed.items) assert.ok(entry.reason.text.length > 0);
    assert.equal((await client.users.get('fu1')).user.traits.lang, 'zh');
    // These items' text is Latin: their reasons are English unless the viewer's language is asked for.
    const han = /[\u4e00-\u9fff]/;
    assert.ok(feed.items.every((entry) => !han.test(entry.reason.text)));
    const inChinese = await client.users.feed('fu1', { n: 2, lang: 'zh' });
    assert.ok(inChinese.items.every((entry) => han.test(entry.reason.text)));
    const similar = await client.items.similar('f1', { n: 2, lang: 'zh' });
    assert.ok(similar.items.length > 0 && similar.items.every((entry) => han.test(entry.reason.text)));
  });

  test('a declared interest comes back in the user profile', async () => {
    await client.users.put('pu1');
    const patched = await client.users.patchProfile('pu1', { declare: [{ tag: 'hiking', weight: 0.8 }] });
    assert.ok(Array.isArray(patched.facets));
    const { declared } = await client.users.profile('pu1');
    assert.deepEqual(declared, [{ tag: 'hiking', weight: 0.8 }]);
  });

  test('similar items, status, quality, healthz, readyz and metrics answer in their shapes', async () => {
    await client.items.batch([
      { id: 's1', tags: ['z'] },
      { id: 's2', tags: ['z'] },
    ]);
    const similar = await client.items.similar('s1', { n: 5 });
    assert.ok(Array.isArray(similar.items));
    const status = await client.status();
    assert.ok(status.counts.items >= 2);
    assert.equal(status.startup.phase, 'open');
    assert.deepEqual(await client.quality(), { reports: [] });
    assert.deepEqual(await client.healthz(), { ok: true });
    assert.deepEqual(await client.readyz(), {
      ready: true,
      phase: 'open',
      eventsApplied: status.startup.eventsApplied,
    });
    assert.match(await client.metrics(), /setlist_http_requests_total/);
  });

  test('an unknown item is a SetlistClientError with the code, status and field path', async () => {
    const err = await rejection(client.items.get('missing'));
    assert.equal(err.code, 'SETLIST_ERR_NOT_FOUND');
    assert.equal(err.status, 404);
    assert.equal(err.path, 'itemId');
    assert.equal(err.route, '/v1/items/missing');
  });

  test("an error carries the server's request id, the caller's when it gave one", async () => {
    const fresh = await rejection(client.items.get('missing'));
    assert.match(
      fresh.requestId ?? '',
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const given = await rejection(client.items.get('missing', { requestId: 'trace-42' }));
    assert.equal(given.requestId, 'trace-42');
  });

  test('an invalid event names the field at fault', async () => {
    const err = await rejection(
      client.events.send([{ userId: 'u', itemId: 'i', type: 'wave' as unknown as 'view' }]),
    );
    assert.equal(err.code, 'SETLIST_ERR_VALIDATION');
    assert.equal(err.status, 400);
    assert.equal(err.path, 'events.0.type');
  });
});

describe("the client's probes against a live server that is not well", () => {
  /** A client of `engine` served on a port until the test ends, with a count of the requests it sent. */
  async function probing(t: TestContext, engine: Engine, finish?: () => Promise<void>) {
    const app = buildApp({ engine, webRoot: false });
    t.after(async () => {
      await app.close();
      await finish?.();
      await engine.close();
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    let requests = 0;
    const fetch: FetchLike = (input, init) => {
      requests++;
      return globalThis.fetch(input, init);
    };
    // Retries allowed, with a long wait: a probe that used them would be seen, and would be slow.
    const client = createClient({ baseUrl: url, fetch, retries: 2, retryDelayMs: 5_000 });
    return { client, requests: () => requests };
  }

  test("readyz answers a replaying server's 503 body at once, then ready once the log is replayed", async (t) => {
    const { engine, finish } = await replayingEngine();
    const { client, requests } = await probing(t, engine, finish);
    const started = performance.now();
    assert.deepEqual(await client.readyz(), { ready: false, phase: 'catching-up', eventsApplied: 0 });
    assert.equal(requests(), 1);
    assert.ok(performance.now() - started < 2_000, 'answered without waiting for a retry');
    await finish();
    assert.deepEqual(await client.readyz(), { ready: true, phase: 'open', eventsApplied: 1 });
  });

  test('healthz answers ok: false with the reason once the server has stopped taking events', async (t) => {
    const engine = await stoppedEngine();
    const { client, requests } = await probing(t, engine);
    const health = await client.healthz();
    assert.equal(health.ok, false);
    assert.match(health.ok ? '' : health.reason, /disk I\/O error/);
    assert.equal(requests(), 1);
    assert.match((await client.status()).ingestStopped ?? '', /disk I\/O error/);
  });
});

describe('the client retries', () => {
  test('a GET is retried after a 503 and then succeeds', async () => {
    const { fetch, calls } = scriptedFetch([unavailable(), json(200, { store: 'sqlite' })]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    assert.deepEqual(await client.status(), { store: 'sqlite' });
    assert.equal(calls.length, 2);
  });

  test("a probe's 503 with an error body is an error, and is not retried", async () => {
    const { fetch, calls } = scriptedFetch([unavailable(), unavailable()]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    const err = await rejection(client.readyz());
    assert.equal(err.code, 'SETLIST_ERR_UNAVAILABLE');
    assert.equal(err.status, 503);
    assert.equal(calls.length, 1);
  });

  test('a PUT is retried after a network error', async () => {
    const { fetch, calls } = scriptedFetch(['network', json(200, { user: { id: 'u1' } })]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    await client.users.put('u1', {});
    assert.equal(calls.length, 2);
    assert.equal(calls[1]?.init.method, 'PUT');
  });

  test('a PATCH is not retried after a 503', async () => {
    const { fetch, calls } = scriptedFetch([unavailable(), json(200, {})]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    const err = await rejection(client.items.patch('v1', { caption: 'x' }));
    assert.equal(err.code, 'SETLIST_ERR_UNAVAILABLE');
    assert.equal(err.attempts, 1);
    assert.equal(calls.length, 1);
  });

  test('events without ids are not retried after a network error', async () => {
    const { fetch, calls } = scriptedFetch(['network', json(200, { accepted: 1, duplicates: 0 })]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    const err = await rejection(
      client.events.send([
        { id: 'a', userId: 'u', itemId: 'i', type: 'view' },
        { userId: 'u', itemId: 'i', type: 'like' },
      ]),
    );
    assert.equal(err.code, 'SETLIST_CLIENT_NETWORK');
    assert.equal(err.status, 0);
    assert.equal(calls.length, 1);
  });

  test('events that all have ids are retried after a network error', async () => {
    const { fetch, calls } = scriptedFetch(['network', json(200, { accepted: 1, duplicates: 0 })]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    const result = await client.events.send([{ id: 'a', userId: 'u', itemId: 'i', type: 'view' }]);
    assert.deepEqual(result, { accepted: 1, duplicates: 0 });
    assert.equal(calls.length, 2);
  });

  test('a 429 is retried at most `retries` times and then surfaces with the attempt count', async () => {
    const limited = () =>
      json(
        429,
        { error: { code: 'SETLIST_ERR_RATE_LIMITED', message: 'slow down' } },
        { 'retry-after': '0' },
      );
    const { fetch, calls } = scriptedFetch([limited(), limited(), limited(), json(200, {})]);
    const client = createClient({ baseUrl: 'http://x', fetch, retries: 2, retryDelayMs: 0 });
    const err = await rejection(client.status());
    assert.equal(err.code, 'SETLIST_ERR_RATE_LIMITED');
    assert.equal(err.status, 429);
    assert.equal(err.attempts, 3);
    assert.equal(calls.length, 3);
  });

  test('the wait before a retry honours Retry-After', async () => {
    const { fetch } = scriptedFetch([unavailable('0.08'), json(200, { reports: [] })]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    const started = performance.now();
    await client.quality();
    assert.ok(performance.now() - started >= 75, 'the retry came before Retry-After said');
  });

  test('Retry-After is read from seconds and from an HTTP date', () => {
    assert.equal(retryAfterMs('2'), 2_000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(retryAfterMs('soon'), undefined);
    assert.equal(retryAfterMs(null), undefined);
  });
});

describe('the client on the wire', () => {
  test('the API key goes out as a bearer token and ids are URL-encoded', async () => {
    const { fetch, calls } = scriptedFetch([json(200, { items: [] })]);
    const client = createClient({ baseUrl: 'http://x/', fetch, apiKey: 'k1' });
    await client.users.feed('a b/c', { n: 3 });
    assert.equal(calls[0]?.url, 'http://x/v1/users/a%20b%2Fc/feed?n=3');
    assert.equal((calls[0]!.init.headers as Record<string, string>).authorization, 'Bearer k1');
  });

  test('each call sends a fresh X-Request-Id, the same on each of its retries', async () => {
    const { fetch, calls } = scriptedFetch([unavailable(), json(200, {}), json(200, {})]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    await client.status();
    await client.status();
    const ids = calls.map((c) => (c.init.headers as Record<string, string>)['x-request-id']);
    assert.match(ids[0] ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(ids[1], ids[0]);
    assert.notEqual(ids[2], ids[0]);
  });

  test("a request id given in the call's options or the client's headers is sent instead", async () => {
    const { fetch, calls } = scriptedFetch([json(200, {}), json(200, {})]);
    const client = createClient({ baseUrl: 'http://x', fetch, headers: { 'X-Request-Id': 'from-headers' } });
    await client.status();
    await client.status({ requestId: 'from-call' });
    const sent = calls.map((c) => c.init.headers as Record<string, string>);
    assert.deepEqual(
      sent.map((h) => Object.keys(h).filter((k) => k.toLowerCase() === 'x-request-id')),
      [['x-request-id'], ['x-request-id']],
    );
    assert.deepEqual(
      sent.map((h) => h['x-request-id']),
      ['from-headers', 'from-call'],
    );
  });

  test("an error with an answer carries the answer's X-Request-Id as requestId", async () => {
    const notFound = json(
      404,
      { error: { code: 'SETLIST_ERR_NOT_FOUND', message: 'no' } },
      { 'x-request-id': 'srv-7' },
    );
    const { fetch } = scriptedFetch([notFound]);
    const err = await rejection(createClient({ baseUrl: 'http://x', fetch }).items.get('v1'));
    assert.equal(err.requestId, 'srv-7');
  });

  test('an error without an answer carries the id that was sent as requestId', async () => {
    const { fetch, calls } = scriptedFetch(['network']);
    const err = await rejection(createClient({ baseUrl: 'http://x', fetch, retries: 0 }).status());
    assert.equal(err.code, 'SETLIST_CLIENT_NETWORK');
    assert.equal(err.requestId, (calls[0]!.init.headers as Record<string, string>)['x-request-id']);
    assert.match(err.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  test('train asks the server to wait only when told to, and is never retried', async () => {
    const { fetch, calls } = scriptedFetch([json(202, { started: true }), unavailable()]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    assert.deepEqual(await client.train(), { started: true });
    assert.equal(calls[0]?.url, 'http://x/v1/train');
    const err = await rejection(client.train({ wait: true }));
    assert.equal(calls[1]?.url, 'http://x/v1/train?wait=true');
    assert.equal(calls[1]?.init.method, 'POST');
    assert.equal(err.attempts, 1);
  });

  test('an error without a setlist body is a bad-response error with the status', async () => {
    const { fetch } = scriptedFetch([new Response('<html>bad gateway</html>', { status: 502 })]);
    const client = createClient({ baseUrl: 'http://x', fetch });
    const err = await rejection(client.trending());
    assert.equal(err.code, 'SETLIST_CLIENT_BAD_RESPONSE');
    assert.equal(err.status, 502);
  });

  test('an attempt that outlasts timeoutMs fails with a timeout code', async () => {
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const client = createClient({ baseUrl: 'http://x', fetch: hang, timeoutMs: 20, retries: 0 });
    const err = await rejection(client.status());
    assert.equal(err.code, 'SETLIST_CLIENT_TIMEOUT');
  });

  test('the client bundles for browsers without Node built-ins', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    assert.equal(result.errors.length, 0);
    assert.doesNotMatch(result.outputFiles[0]?.text ?? '', /require\(|node:/);
  });
});

describe('the client refuses what it cannot send', () => {
  test('an id of ".", ".." or "" is a rejected invalid-argument error naming it, and nothing is sent', async () => {
    const { fetch, calls } = scriptedFetch([]);
    const client = createClient({ baseUrl: 'http://x', fetch });
    const cases: [Promise<unknown>, string][] = [
      [client.users.feed('.'), 'userId'],
      [client.users.get('..'), 'userId'],
      [client.items.get(''), 'itemId'],
      [client.items.similar('..'), 'itemId'],
      [client.creators.profile('.'), 'creatorId'],
    ];
    for (const [promise, name] of cases) {
      const err = await rejection(promise);
      assert.equal(err.code, 'SETLIST_CLIENT_INVALID_ARGUMENT');
      assert.equal(err.path, name);
      assert.match(err.message, new RegExp(name));
      assert.equal(err.attempts, 0);
    }
    assert.equal(calls.length, 0);
  });

  test('an id with a lone surrogate is a rejected promise, not a synchronous URIError', async () => {
    const { fetch, calls } = scriptedFetch([]);
    const client = createClient({ baseUrl: 'http://x', fetch });
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = client.items.put('a\uD800b', {});
    });
    const err = await rejection(promise!);
    assert.equal(err.code, 'SETLIST_CLIENT_INVALID_ARGUMENT');
    assert.equal(err.path, 'itemId');
    assert.ok(err.cause instanceof URIError);
    assert.equal(calls.length, 0);
  });

  test('ids that merely contain dots still go out, encoded', async () => {
    const { fetch, calls } = scriptedFetch([
      json(200, { user: { id: '...' } }),
      json(200, { user: { id: 'a.b' } }),
    ]);
    const client = createClient({ baseUrl: 'http://x', fetch });
    await client.users.get('...');
    await client.users.get('a.b');
    assert.deepEqual(
      calls.map((c) => c.url),
      ['http://x/v1/users/...', 'http://x/v1/users/a.b'],
    );
  });

  test('a request path without a leading "/" is an invalid-argument error, not retried network errors', async () => {
    const { fetch, calls } = scriptedFetch([json(200, {}), json(200, {}), json(200, {})]);
    const client = createClient({ baseUrl: 'http://x', fetch, retryDelayMs: 0 });
    for (const path of ['v1/status', '', '//evil.example/v1/status']) {
      const err = await rejection(client.request('GET', path));
      assert.equal(err.code, 'SETLIST_CLIENT_INVALID_ARGUMENT');
      assert.equal(err.path, 'path');
      assert.equal(err.attempts, 0);
    }
    assert.equal(calls.length, 0);
  });

  test('a baseUrl that is not an absolute http(s) URL throws from createClient', () => {
    for (const baseUrl of [
      '',
      '/',
      'localhost:7733',
      '127.0.0.1:7733',
      'api/v1',
      'ftp://x',
      'http://x?a=1',
      'not a url',
    ]) {
      assert.throws(() => createClient({ baseUrl }), TypeError, `baseUrl ${JSON.stringify(baseUrl)}`);
    }
    for (const baseUrl of ['http://x', 'https://x:8443/', 'http://127.0.0.1:7733/api/']) {
      assert.doesNotThrow(() => createClient({ baseUrl }));
    }
  });

  test("'' and '/' mean the page's own origin where there is a page", async (t) => {
    t.after(() => {
      delete (globalThis as { location?: unknown }).location;
    });
    (globalThis as { location?: unknown }).location = { origin: 'http://page.example' };
    const { fetch, calls } = scriptedFetch([json(200, {}), json(200, {})]);
    await createClient({ baseUrl: '', fetch }).status();
    await createClient({ baseUrl: '/', fetch }).status();
    assert.deepEqual(
      calls.map((c) => c.url),
      ['/v1/status', '/v1/status'],
    );
  });
});

/**
 * A local server that sends the headers and the first bytes of a JSON body at once, then stalls the
 * rest of the body for `stalls` requests, answering whole after that; it counts the requests.
 */
async function stallingServer(
  t: TestContext,
  stalls: number,
): Promise<{ url: string; requests: () => number; stalled: Promise<void> }> {
  let requests = 0;
  const open = new Set<ServerResponse>();
  let onStalled: () => void = () => {};
  const stalled = new Promise<void>((resolve) => {
    onStalled = resolve;
  });
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    if (requests > stalls) {
      res.end('{"ok":true}');
      return;
    }
    res.write('{"ok":', () => onStalled());
    open.add(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    /** Resolves once the first stalled answer's headers and first bytes are written. */
    stalled,
  };
}

describe('the client when the body stalls after the headers', () => {
  test('a timeout while reading the body is a timeout error with the status, after the retries', async (t) => {
    const { url, requests } = await stallingServer(t, Number.POSITIVE_INFINITY);
    const client = createClient({ baseUrl: url, timeoutMs: 100, retries: 1, retryDelayMs: 0 });
    const err = await rejection(client.status());
    assert.equal(err.code, 'SETLIST_CLIENT_TIMEOUT');
    assert.equal(err.status, 200);
    assert.equal(err.attempts, 2);
    assert.equal(requests(), 2);
  });

  test('a GET whose body timed out is retried, and the retry answers', async (t) => {
    const { url, requests } = await stallingServer(t, 1);
    const client = createClient({ baseUrl: url, timeoutMs: 100, retries: 2, retryDelayMs: 0 });
    assert.deepEqual(await client.status(), { ok: true });
    assert.equal(requests(), 2);
  });

  test('a POST whose body timed out is not retried', async (t) => {
    const { url, requests } = await stallingServer(t, 1);
    const client = createClient({ baseUrl: url, timeoutMs: 100, retries: 2, retryDelayMs: 0 });
    const err = await rejection(client.request('POST', '/v1/anything', { body: {} }));
    assert.equal(err.code, 'SETLIST_CLIENT_TIMEOUT');
    assert.equal(err.attempts, 1);
    assert.equal(requests(), 1);
  });

  for (const timeoutMs of [undefined, 5_000]) {
    test(`an abort while reading the body is an aborted error, not retried (timeoutMs ${timeoutMs})`, async (t) => {
      const { url, requests, stalled } = await stallingServer(t, Number.POSITIVE_INFINITY);
      const client = createClient({
        baseUrl: url,
        retries: 2,
        retryDelayMs: 0,
        ...(timeoutMs ? { timeoutMs } : {}),
      });
      const controller = new AbortController();
      // Once the headers are on their way (a fixed delay from the start raced them on a busy machine).
      void stalled.then(() => setTimeout(() => controller.abort(), 100));
      const err = await rejection(client.status({ signal: controller.signal }));
      assert.equal(err.code, 'SETLIST_CLIENT_ABORTED');
      assert.equal(err.status, 200);
      assert.equal(requests(), 1);
    });
  }
});

describe("the client's exported types", () => {
  // Checked by tsc (npm run typecheck): these lines do not compile when the types are not exported.
  test('ErrorCode is the type of SetlistClientError.code, server and client codes alike', () => {
    const codes: ErrorCode[] = ['SETLIST_ERR_NOT_FOUND', 'SETLIST_CLIENT_TIMEOUT'];
    const err = new SetlistClientError({
      code: codes[0]!,
      status: 404,
      message: 'x',
      method: 'GET',
      route: '/',
      attempts: 1,
    });
    const code: ErrorCode = err.code;
    const back: SetlistClientError['code'] = code;
    assert.equal(back, 'SETLIST_ERR_NOT_FOUND');
  });

  test('ReasonSource names each source once', () => {
    const sources: Record<ReasonSource, true> = {
      'co-occurrence': true,
      model: true,
      follow: true,
      declared: true,
      facet: true,
      popular: true,
      fresh: true,
      'similar-tags': true,
      'same-creator': true,
      fallback: true,
      discovery: true,
      rewatch: true,
    };
    assert.equal(Object.keys(sources).length, 12);
  });
});
