import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createClock, openApp, T0, tempDbPath } from './helpers.js';

const clock = createClock();
const { app } = await openApp(':memory:', { now: clock.now });
after(() => app.close());

async function counts() {
  const res = await app.inject({ method: 'GET', url: '/v1/status' });
  return res.json().counts;
}

describe('items', () => {
  test('PUT creates an item and GET reads it back', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/items/v1',
      payload: {
        creatorId: 'c1',
        caption: '猫咪 #cats',
        tags: ['猫', 'pets'],
        createdAt: '2026-10-31T12:00:00Z',
      },
    });
    assert.equal(put.statusCode, 200);
    const get = await app.inject({ method: 'GET', url: '/v1/items/v1' });
    assert.equal(get.json().item.createdAt, Date.UTC(2026, 9, 31, 12));
    assert.deepEqual(get.json().item.tags, ['猫', 'pets']);
  });

  test('POST /v1/items writes a batch', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/items',
      payload: {
        items: [
          { id: 'v2', tags: ['a'] },
          { id: 'v3', tags: ['b'], creatorId: 'c2' },
        ],
      },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { upserted: 2 });
  });

  test('an unknown item is a 404 with a code', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/items/nope' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'SETLIST_ERR_NOT_FOUND');
  });

  test('hiding an item needs a reason, keeps an audit trail, and can be undone', async () => {
    const missing = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v2',
      payload: { visibility: 'hidden' },
    });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error.path, 'reason');
    const hide = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v2',
      payload: { visibility: 'hidden', reason: 'flagged as abnormal visual input', actor: 'mod-7' },
    });
    assert.equal(hide.json().item.visibility, 'hidden');
    const restore = await app.inject({
      method: 'PATCH',
      url: '/v1/items/v2',
      payload: { visibility: 'visible', reason: 'appeal accepted: it is a painting' },
    });
    assert.equal(restore.json().item.visibility, 'visible');
    const audit = await app.inject({ method: 'GET', url: '/v1/items/v2/audit' });
    assert.deepEqual(
      audit.json().audit.map((a: { action: string; actor: string }) => [a.action, a.actor]),
      [
        ['hide', 'mod-7'],
        ['restore', 'api'],
      ],
    );
  });
});

describe('bad input is rejected with a code and a path, and changes nothing', () => {
  const cases: {
    name: string;
    method: 'POST' | 'PUT' | 'PATCH';
    url: string;
    payload: string;
    code: string;
    path?: string;
    message?: string;
  }[] = [
    {
      name: 'malformed JSON',
      method: 'POST',
      url: '/v1/events',
      payload: '{"events": [',
      code: 'SETLIST_ERR_MALFORMED_JSON',
    },
    {
      name: 'a missing field',
      method: 'POST',
      url: '/v1/events',
      payload: JSON.stringify({
        events: [
          { userId: 'u1', itemId: 'v1', type: 'view' },
          { userId: 'u1', type: 'view' },
        ],
      }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'events.1.itemId',
      message: 'events.1.itemId is required',
    },
    {
      name: 'a wrongly typed field',
      method: 'PUT',
      url: '/v1/items/v9',
      payload: JSON.stringify({ tags: 'not-a-list' }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'tags',
      message: 'tags must be an array, not a string',
    },
    {
      name: 'an unknown field',
      method: 'PUT',
      url: '/v1/items/v9',
      payload: JSON.stringify({ tags: [], colour: 'red' }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'colour',
      message: 'colour is not a known field',
    },
    {
      name: 'a body that asks for nothing',
      method: 'PATCH',
      url: '/v1/users/u1/profile',
      payload: '{}',
      code: 'SETLIST_ERR_VALIDATION',
      message: 'The body must have at least one of mute, unmute, declare',
    },
    {
      name: 'an unknown event type',
      method: 'POST',
      url: '/v1/events',
      payload: JSON.stringify({ events: [{ userId: 'u1', itemId: 'v1', type: 'teleport' }] }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'events.0.type',
    },
    {
      name: 'a far-future timestamp',
      method: 'POST',
      url: '/v1/events',
      payload: JSON.stringify({ events: [{ userId: 'u1', itemId: 'v1', type: 'view', at: T0 + 1e12 }] }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'events.0.at',
    },
    {
      name: 'an oversized batch',
      method: 'POST',
      url: '/v1/events',
      payload: JSON.stringify({
        events: Array.from({ length: 10_001 }, (_, i) => ({ userId: 'u1', itemId: `v${i}`, type: 'view' })),
      }),
      code: 'SETLIST_ERR_BATCH_TOO_LARGE',
      path: 'events',
    },
    {
      name: 'a __proto__ key',
      method: 'PUT',
      url: '/v1/items/v9',
      payload: '{"tags": [], "__proto__": {"polluted": true}}',
      code: 'SETLIST_ERR_MALFORMED_JSON',
    },
    {
      name: 'an item id "." in a batch',
      method: 'POST',
      url: '/v1/items',
      payload: JSON.stringify({ items: [{ id: 'ok-1' }, { id: '.' }] }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'items.1.id',
      message: 'items.1.id must not be "." or "..": a URL path cannot address them',
    },
    {
      name: 'a creator id ".."',
      method: 'PUT',
      url: '/v1/items/v9',
      payload: JSON.stringify({ creatorId: '..' }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'creatorId',
      message: 'creatorId must not be "." or "..": a URL path cannot address them',
    },
    {
      name: 'an event for user ".."',
      method: 'POST',
      url: '/v1/events',
      payload: JSON.stringify({ events: [{ userId: '..', itemId: 'v1', type: 'like' }] }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'events.0.userId',
      message: 'events.0.userId must not be "." or "..": a URL path cannot address them',
    },
    {
      name: 'an event on item "."',
      method: 'POST',
      url: '/v1/events',
      payload: JSON.stringify({ events: [{ userId: 'u1', itemId: '.', type: 'like' }] }),
      code: 'SETLIST_ERR_VALIDATION',
      path: 'events.0.itemId',
      message: 'events.0.itemId must not be "." or "..": a URL path cannot address them',
    },
    {
      name: 'an id longer than 256 characters',
      method: 'PUT',
      url: `/v1/items/${'x'.repeat(257)}`,
      payload: '{}',
      code: 'SETLIST_ERR_VALIDATION',
      path: 'itemId',
    },
  ];
  for (const c of cases) {
    test(`${c.name} gets ${c.code}`, async () => {
      const before = await counts();
      const res = await app.inject({
        method: c.method,
        url: c.url,
        payload: c.payload,
        headers: { 'content-type': 'application/json' },
      });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`);
      const body = res.json();
      assert.equal(body.error.code, c.code);
      assert.equal(typeof body.error.message, 'string');
      if (c.path !== undefined) assert.equal(body.error.path, c.path);
      if (c.message !== undefined) assert.equal(body.error.message, c.message);
      // The whole body at fault names no field.
      if (c.path === undefined && c.code === 'SETLIST_ERR_VALIDATION')
        assert.equal('path' in body.error, false);
      assert.deepEqual(await counts(), before);
    });
  }

  test('a body of any type but JSON gets 415, text/plain included', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'text/csv', 'application/xml']) {
      const before = await counts();
      const res = await app.inject({
        method: 'PUT',
        url: '/v1/items/typed',
        payload: '{"tags":["a"]}',
        headers: { 'content-type': type },
      });
      assert.equal(res.statusCode, 415, type);
      assert.equal(res.json().error.code, 'SETLIST_ERR_UNSUPPORTED_MEDIA_TYPE', type);
      assert.deepEqual(await counts(), before);
    }
  });

  test('a body over the size limit gets 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: `{"events":[${'"x",'.repeat(3_000_000)}"x"]}`,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'SETLIST_ERR_BODY_TOO_LARGE');
  });

  test('a route asked with a method it does not take gets 405 with the methods it takes in Allow', async () => {
    const cases: [method: 'DELETE' | 'GET' | 'PUT' | 'POST', url: string, allow: string][] = [
      ['DELETE', '/v1/users/u1/feed?n=5', 'GET, HEAD'],
      // A GET that no API route takes reaches the dashboard's catch-all first.
      ['GET', '/v1/events', 'POST'],
      ['PUT', '/v1/items', 'POST'],
      ['DELETE', '/v1/items/a%2Fb', 'GET, HEAD, PATCH, PUT'],
    ];
    for (const [method, url, allow] of cases) {
      const before = await counts();
      const res = await app.inject({ method, url });
      assert.equal(res.statusCode, 405, `${method} ${url}`);
      assert.equal(res.headers.allow, allow);
      assert.equal(res.json().error.code, 'SETLIST_ERR_METHOD_NOT_ALLOWED');
      assert.deepEqual(await counts(), before);
    }
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/v1/users/u1/nothing' });
      assert.equal(res.statusCode, 404, method);
      assert.equal(res.headers.allow, undefined);
    }
  });

  test('an unknown route gets a 404 in the standard shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2/nothing' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'SETLIST_ERR_ROUTE_NOT_FOUND');
  });

  test('a bad n on the feed is a 400 naming n', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/users/u1/feed?n=0' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.path, 'n');
  });
});

describe('query parameters, path ids and times are rejected with messages that say how to fix them', () => {
  const rejects = async (
    method: 'GET' | 'PUT' | 'POST',
    url: string,
    path: string,
    message: string,
    payload?: object,
  ) => {
    const before = await counts();
    const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
    assert.equal(res.statusCode, 400, `${method} ${url.slice(0, 80)}: ${res.body.slice(0, 200)}`);
    assert.deepEqual(res.json().error, { code: 'SETLIST_ERR_VALIDATION', message, path });
    assert.deepEqual(await counts(), before);
  };

  test('an empty n says it must be a number', async () => {
    for (const url of ['/v1/users/u1/feed?n=', '/v1/items/v1/similar?n=', '/v1/trending?n=']) {
      await rejects('GET', url, 'n', 'n must be a number, not empty');
    }
  });

  test('a query parameter given twice says it must be given once', async () => {
    await rejects('GET', '/v1/users/u1/feed?n=3&n=4', 'n', 'n must be given once');
    await rejects('GET', '/v1/trending?n=3&n=3', 'n', 'n must be given once');
    await rejects('GET', '/v1/items/v1/similar?lang=en&lang=zh', 'lang', 'lang must be given once');
    await rejects('POST', '/v1/train?wait=true&wait=true', 'wait', 'wait must be given once');
  });

  test("train's wait is true or false, not anything else taken as false", async () => {
    for (const wait of ['1', 'TRUE', 'banana', ''])
      await rejects('POST', `/v1/train?wait=${wait}`, 'wait', `wait must be true or false, got "${wait}"`);
  });

  test('a path id longer than the router takes is a 400 naming the id and the limit', async () => {
    const long = 'x'.repeat(5_000);
    const message = (name: string) => `${name} must be at most 256 characters`;
    await rejects('GET', `/v1/items/${long}`, 'itemId', message('itemId'));
    await rejects('GET', `/v1/items/${long}/similar?n=3`, 'itemId', message('itemId'));
    await rejects('PUT', `/v1/items/${long}`, 'itemId', message('itemId'), {});
    await rejects('GET', `/v1/users/${long}/feed`, 'userId', message('userId'));
    await rejects('PUT', `/v1/users/${long}`, 'userId', message('userId'), {});
    await rejects('GET', `/v1/creators/${long}/profile`, 'creatorId', message('creatorId'));
    // Encoded ids are measured decoded: 300 CJK characters are 2,700 in the URL and still too long...
    await rejects('GET', `/v1/items/${encodeURIComponent('猫'.repeat(300))}`, 'itemId', message('itemId'));
    // ...while 256 of them are an id like any other.
    const longest = await app.inject({
      method: 'GET',
      url: `/v1/items/${encodeURIComponent('猫'.repeat(256))}`,
    });
    assert.equal(longest.json().error.code, 'SETLIST_ERR_NOT_FOUND');
    // A path no route serves stays a 404, however long.
    const nowhere = await app.inject({ method: 'GET', url: `/v1/nothing/${long}` });
    assert.equal(nowhere.json().error.code, 'SETLIST_ERR_ROUTE_NOT_FOUND');
  });

  test('a time without an offset says an offset is needed, and one in seconds says times are milliseconds', async () => {
    const event = (at: unknown) => ({ events: [{ userId: 'u1', itemId: 'v1', type: 'view', at }] });
    const iso =
      'events.0.at must be an ISO-8601 date-time with an offset (Z or ±hh:mm), such as 2024-05-01T10:00:00Z, or epoch milliseconds';
    await rejects('POST', '/v1/events', 'events.0.at', iso, event('2024-05-01T10:00:00'));
    await rejects('POST', '/v1/events', 'events.0.at', iso, event('2024-05-01'));
    await rejects(
      'POST',
      '/v1/events',
      'events.0.at',
      'events.0.at must not be before 2000-01-01 (times are epoch milliseconds, not seconds)',
      event(1714557600),
    );
    await rejects(
      'PUT',
      '/v1/items/v9',
      'createdAt',
      'createdAt must not be before 2000-01-01 (times are epoch milliseconds, not seconds)',
      { createdAt: 1714557600 },
    );
  });
});

describe('events and feeds', () => {
  test('a retried event id is accepted once', async () => {
    const payload = { events: [{ id: 'e-1', userId: 'u9', itemId: 'v1', type: 'like' }] };
    const first = await app.inject({ method: 'POST', url: '/v1/events', payload });
    const again = await app.inject({ method: 'POST', url: '/v1/events', payload });
    assert.deepEqual(first.json(), { accepted: 1, duplicates: 0 });
    assert.deepEqual(again.json(), { accepted: 0, duplicates: 1 });
  });

  test('a feed item carries an item id, a score and a reason', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/users/u9/feed?n=5' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, JSON.stringify(res.json()));
    const items = res.json().items;
    assert.ok(items.length > 0);
    for (const item of items) {
      assert.equal(typeof item.itemId, 'string');
      assert.equal(typeof item.score, 'number');
      assert.equal(typeof item.reason.source, 'string');
      assert.equal(typeof item.reason.text, 'string');
      assert.equal(item.reason.exploration, false);
    }
    // v1, which u9 liked, comes back only after every unseen item, as seen before.
    const liked = items.findIndex((i: { itemId: string }) => i.itemId === 'v1');
    if (liked >= 0) {
      assert.equal(items[liked].reason.source, 'rewatch');
      assert.ok(
        items.slice(0, liked).every((i: { reason: { source: string } }) => i.reason.source !== 'rewatch'),
      );
    }
  });
});

describe('the language of reasons', () => {
  test("lang writes every reason of a feed and of similar items in the viewer's language", async () => {
    const items = Array.from({ length: 6 }, (_, k) => ({
      id: `zh${k}`,
      caption: `口红试色 第${k}期`,
      tags: ['美妆'],
    }));
    assert.equal(
      (await app.inject({ method: 'POST', url: '/v1/items', payload: { items } })).statusCode,
      200,
    );
    await app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: { events: [{ userId: 'lang-viewer', itemId: 'zh0', type: 'like', at: T0 }] },
    });
    const texts = async (url: string) => {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, res.body);
      const list = res.json().items as { reason: { text: string } }[];
      assert.ok(list.length > 0);
      return list.map((i) => i.reason.text);
    };
    const han = /[\u4e00-\u9fff]/;
    // Quoted titles and the tags after a colon stay as written; the sentence around them is the viewer's.
    const words = (text: string) => text.replace(/「[^」]*」|“[^”]*”|[:：].*$/g, '');
    for (const url of ['/v1/users/lang-viewer/feed?n=5', '/v1/items/zh0/similar?n=3']) {
      for (const text of await texts(`${url}&lang=en`)) assert.equal(han.test(words(text)), false, text);
      for (const text of await texts(`${url}&lang=zh`)) assert.equal(han.test(words(text)), true, text);
    }
  });

  test('an unknown lang is a 400 naming lang', async () => {
    for (const url of ['/v1/users/u9/feed?lang=fr', '/v1/items/v2/similar?lang=EN']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, url);
      assert.deepEqual(res.json().error, {
        code: 'SETLIST_ERR_VALIDATION',
        message: 'lang must be one of "en", "zh"',
        path: 'lang',
      });
    }
  });
});

describe('trending', () => {
  test('GET /v1/trending answers rising items and tags in the contract shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/trending?n=5' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.ok(Array.isArray(body.items));
    assert.ok(Array.isArray(body.tags));
    assert.ok(body.items.length <= 5);
  });

  test('GET /v1/trending rejects a bad n with a path', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/trending?n=0' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.path, 'n');
    const hex = await app.inject({ method: 'GET', url: '/v1/trending?n=0x10' });
    assert.equal(hex.statusCode, 400);
    assert.equal(hex.json().error.path, 'n');
  });

  test("GET /v1/trending takes the reasons' language, and rejects one it does not know", async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/v1/trending?lang=zh' })).statusCode, 200);
    const res = await app.inject({ method: 'GET', url: '/v1/trending?lang=fr' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.path, 'lang');
  });

  test('metrics report the explored impressions', async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(res.body, /setlist_exploration_impressions_total \d+/);
  });
});

describe('system routes', () => {
  test('healthz, status, metrics and openapi answer', async () => {
    assert.deepEqual((await app.inject({ method: 'GET', url: '/healthz' })).json(), { ok: true });
    const status = (await app.inject({ method: 'GET', url: '/v1/status' })).json();
    assert.equal(status.store, 'sqlite');
    assert.equal(status.eventsBehind, 0);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /setlist_http_requests_total/);
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.ok(doc.paths['/v1/users/{userId}/feed']);
  });
});

test('counts in status survive a restart on the same database', async () => {
  const path = tempDbPath();
  const first = await openApp(path);
  await first.app.inject({
    method: 'POST',
    url: '/v1/items',
    payload: { items: [{ id: 'a' }, { id: 'b' }] },
  });
  await first.app.inject({
    method: 'POST',
    url: '/v1/events',
    payload: { events: [{ userId: 'u1', itemId: 'a', type: 'view', watchRatio: 0.9 }] },
  });
  const before = (await first.app.inject({ method: 'GET', url: '/v1/status' })).json().counts;
  await first.app.close();
  await first.engine.close();
  const second = await openApp(path);
  const afterRestart = (await second.app.inject({ method: 'GET', url: '/v1/status' })).json().counts;
  assert.deepEqual(afterRestart, before);
  const feed = (await second.app.inject({ method: 'GET', url: '/v1/users/u1/feed' })).json();
  // The event survived too: the seen item comes after the unseen one, as seen before.
  assert.deepEqual(
    feed.items.map((i: { itemId: string; reason: { source: string } }) => [i.itemId, i.reason.source]),
    [
      ['b', feed.items[0].reason.source],
      ['a', 'rewatch'],
    ],
  );
  assert.notEqual(feed.items[0].reason.source, 'rewatch');
  await second.app.close();
  await second.engine.close();
});
