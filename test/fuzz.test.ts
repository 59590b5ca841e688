import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { createClock, openApp, T0 } from './helpers.js';

// Every property is seeded and bounded so the suite stays fast and a failure reproduces exactly.
const RUNS = { seed: 20261129, numRuns: 40 };

const clock = createClock(T0);
const { app, engine } = await openApp(':memory:', { now: clock.now });
after(() => app.close());
await engine.putItems({
  items: Array.from({ length: 12 }, (_, i) => ({ id: `v${i}`, creatorId: `c${i % 3}`, tags: [`t${i % 4}`] })),
});
await engine.putUser('u1', { traits: { country: 'NL' } });
await engine.ingest({
  events: Array.from({ length: 30 }, (_, k) => ({ userId: `u${k % 5}`, itemId: `v${k % 12}`, type: 'view' })),
});

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH';

async function snapshot() {
  const status = await engine.status();
  return { counts: status.counts, hidden: (await engine.getItem('v1')).visibility };
}

/** Sends a request and checks the contract: never 5xx, an error in the standard shape, and a rejected request changes nothing. */
async function check(
  method: Method,
  url: string,
  payload?: string | Buffer,
  contentType = 'application/json',
) {
  const before = await snapshot();
  const res = await app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload, headers: { 'content-type': contentType } }),
  });
  assert.ok(
    res.statusCode < 500,
    `${method} ${url.slice(0, 120)} -> ${res.statusCode} ${res.body.slice(0, 300)}`,
  );
  if (res.statusCode >= 400) {
    const body = res.json();
    assert.match(body.error.code, /^SETLIST_ERR_/);
    assert.equal(typeof body.error.message, 'string');
    assert.deepEqual(await snapshot(), before, `${method} ${url} was rejected but changed the store`);
  }
  return res;
}

const hugeString = fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n));
const weirdString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '/',
    '../../etc/passwd',
    '%2F',
    '\u0000',
    '\ud800',
    '💩'.repeat(200),
    '__proto__',
    'constructor',
  ),
  hugeString,
);
const weirdNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 5e-324, -1, 0),
);
const weirdTime = fc.oneof(
  weirdNumber,
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
  fc.constantFrom(
    '2026-11-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-000001-01-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '1969-12-31T23:59:59Z',
    'yesterday',
  ),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.dictionary(weirdString, tie('tree'), { maxKeys: 3 }),
  ),
}));
const weirdValue = fc.oneof(weirdString, weirdNumber, fc.boolean(), fc.constant(null), tree);
const eventLike = fc.record(
  {
    id: fc.oneof(weirdString, weirdValue),
    userId: fc.oneof(fc.constantFrom('u1', 'u2'), weirdString, weirdValue),
    itemId: fc.oneof(fc.constantFrom('v1', 'v2'), weirdString, weirdValue),
    type: fc.oneof(fc.constantFrom('view', 'like', 'report'), weirdValue),
    at: weirdTime,
    watchMs: weirdNumber,
    watchRatio: weirdNumber,
    extra: weirdValue,
  },
  { requiredKeys: [] },
);
const itemLike = fc.record(
  {
    id: weirdString,
    creatorId: weirdValue,
    caption: fc.oneof(weirdString, weirdValue),
    tags: fc.oneof(fc.array(weirdString, { maxLength: 200 }), weirdValue),
    category: weirdValue,
    createdAt: weirdTime,
    durationMs: weirdNumber,
    embedding: fc.oneof(fc.array(weirdNumber, { maxLength: 5_000 }), weirdValue),
    visibility: fc.oneof(fc.constantFrom('visible', 'hidden'), weirdValue),
    reason: weirdValue,
    actor: weirdValue,
    traits: fc.oneof(fc.dictionary(weirdString, weirdValue, { maxKeys: 150 }), weirdValue),
  },
  { requiredKeys: [] },
);

/** Bodies: any JSON, hostile shapes, and raw texts JSON cannot parse or that smuggle NaN-like numbers. */
const body = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.array(eventLike, { maxLength: 5 }).map((events) => JSON.stringify({ events })),
  fc.array(itemLike, { maxLength: 5 }).map((items) => JSON.stringify({ items })),
  itemLike.map((v) => JSON.stringify(v)),
  // Nearly valid bodies with one hostile field, so that acceptance paths are exercised too.
  fc
    .record({ at: weirdTime, watchRatio: weirdNumber }, { requiredKeys: [] })
    .map((e) => JSON.stringify({ events: [{ userId: 'u1', itemId: 'v1', type: 'view', ...e }] })),
  fc
    .record({ createdAt: weirdTime, tags: fc.array(weirdString, { maxLength: 3 }) }, { requiredKeys: [] })
    .chain((v) => fc.constantFrom(JSON.stringify(v), JSON.stringify({ items: [{ id: 'fuzzed', ...v }] }))),
  fc
    .record({ visibility: fc.constantFrom('hidden', 'visible'), reason: weirdValue }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{"events":[{"userId":"u1","itemId":"v1","type":"view","at":1e400}]}',
    '{"events":[{"userId":"u1","itemId":"v1","type":"view","watchRatio":-1e400}]}',
    '{"events":[{"userId":"u1","itemId":"v1","type":"view","watchMs":NaN}]}',
    '{"items":[{"id":"x","durationMs":Infinity}]}',
    '{"__proto__":{"polluted":true},"events":[]}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"traits":{"__proto__":{"admin":true}}}',
    '{"traits":{"constructor":"x","toString":1,"hasOwnProperty":null}}',
    `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
    `{"events":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
    `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
    '',
    'null',
    '[]',
    '"events"',
    '{"events": [',
  ),
);

const writeRoutes: [Method, string][] = [
  ['POST', '/v1/events'],
  ['POST', '/v1/items'],
  ['PUT', '/v1/items/fuzzed'],
  ['PATCH', '/v1/items/v1'],
  ['PUT', '/v1/users/fuzzed'],
];

describe('hostile input always gets a 4xx and changes nothing', () => {
  for (const [method, url] of writeRoutes) {
    test(`${method} ${url} never answers 5xx to any body`, async () => {
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          await check(method, url, payload);
        }),
        RUNS,
      );
    });
  }

  test('bodies with invalid UTF-8 bytes never get a 5xx', async () => {
    const valid = '{"events":[{"userId":"u1","itemId":"v1","type":"view","id":"XX"}]}';
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => b.map((x) => x | 0x80)),
        fc.integer({ min: 0, max: valid.length }),
        fc.constantFrom<[Method, string]>(...writeRoutes),
        async (bytes, at, [method, url]) => {
          const buf = Buffer.concat([Buffer.from(valid.slice(0, at)), bytes, Buffer.from(valid.slice(at))]);
          await check(method, url, buf);
        },
      ),
      RUNS,
    );
  });

  test('ids in the path with slashes, unicode, encodings or great length never get a 5xx', async () => {
    const id = fc.oneof(
      weirdString.map((s) => s.slice(0, 3_000)),
      fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent),
      fc.constantFrom(
        '%',
        '%E0%A4%A',
        '%FF',
        '%00',
        'a%2Fb',
        'a/b',
        '..',
        '%2e%2e',
        'x'.repeat(2_000),
        '?n=1',
        '#x',
      ),
    );
    const routes: [Method, (id: string) => string, string?][] = [
      ['GET', (i) => `/v1/items/${i}`],
      ['GET', (i) => `/v1/items/${i}/similar?n=5`],
      ['GET', (i) => `/v1/items/${i}/audit`],
      ['GET', (i) => `/v1/users/${i}`],
      ['GET', (i) => `/v1/users/${i}/feed?n=5`],
      ['PUT', (i) => `/v1/items/${i}`, '{"tags":["a"]}'],
      ['PUT', (i) => `/v1/users/${i}`, '{}'],
    ];
    await fc.assert(
      fc.asyncProperty(id, fc.constantFrom(...routes), async (i, [method, url, payload]) => {
        await check(method, url(i), payload);
      }),
      { ...RUNS, numRuns: 150 },
    );
  });

  test('any n on feed and similar never gets a 5xx', async () => {
    const n = fc.oneof(
      fc.string({ maxLength: 10 }).map(encodeURIComponent),
      fc.constantFrom('1e400', '-1', 'NaN', 'Infinity', '0x10', '1&n=2', '', '500', '501', '2.5', '%00'),
    );
    await fc.assert(
      fc.asyncProperty(
        n,
        fc.constantFrom('/v1/users/u1/feed', '/v1/items/v1/similar'),
        async (value, path) => {
          await check('GET', `${path}?n=${value}`);
        },
      ),
      RUNS,
    );
  });

  test('odd content types never get a 5xx', async () => {
    const type = fc.constantFrom(
      'text/plain',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'application/json, text/plain',
      '',
    );
    await fc.assert(
      fc.asyncProperty(type, fc.constantFrom<[Method, string]>(...writeRoutes), async (t, [method, url]) => {
        await check(method, url, '{"events":[]}', t);
      }),
      RUNS,
    );
  });

  test('the server is still up and consistent after the fuzzing', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const feed = await app.inject({ method: 'GET', url: '/v1/users/u1/feed?n=5' });
    assert.equal(feed.statusCode, 200);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
});
