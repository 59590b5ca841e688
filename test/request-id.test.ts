import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { buildApp } from '../src/server/app.js';
import { parseApiKeysEnv } from '../src/server/auth.js';
import { requestIdOf } from '../src/server/request-id.js';
import { openEngine } from './helpers.js';

const engine = await openEngine();
const logLines: string[] = [];
const app = buildApp({
  engine,
  webRoot: false,
  auth: { keys: parseApiKeysEnv('reader:read:sl_reader-secret-0123456789') },
  logger: { level: 'info', stream: { write: (line: string) => logLines.push(line) } },
});
await app.ready();
after(async () => {
  await app.close();
  await engine.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const read = { authorization: 'Bearer sl_reader-secret-0123456789' };

describe('X-Request-Id', () => {
  test('a well-formed incoming id is echoed on a success', async () => {
    const res = await app.inject({
      url: '/v1/status',
      headers: { ...read, 'x-request-id': 'lb:7f3a-01.b_2' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-request-id'], 'lb:7f3a-01.b_2');
  });

  test('the incoming id is echoed on errors: 401, 404, 400 and a URL that does not decode', async () => {
    const cases = [
      { url: '/v1/status', headers: {}, status: 401 },
      { url: '/v1/nope', headers: read, status: 404 },
      { url: '/v1/trending?n=x', headers: read, status: 400 },
      { url: '/v1/items/%E0%A4%A', headers: read, status: 400 },
    ];
    for (const [k, c] of cases.entries()) {
      const id = `case-${k}`;
      const res = await app.inject({ url: c.url, headers: { ...c.headers, 'x-request-id': id } });
      assert.equal(res.statusCode, c.status, c.url);
      assert.equal(res.headers['x-request-id'], id, c.url);
      assert.ok(res.json().error.code.startsWith('SETLIST_ERR_'), c.url);
    }
  });

  test('without an incoming id, each answer gets a fresh UUID', async () => {
    const a = await app.inject({ url: '/healthz' });
    const b = await app.inject({ url: '/healthz' });
    assert.match(String(a.headers['x-request-id']), UUID);
    assert.match(String(b.headers['x-request-id']), UUID);
    assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
  });

  test('a malformed incoming id is replaced by a fresh one, never an error and never logged', async () => {
    const bad = ['a'.repeat(129), 'has space', 'quote"d', 'semi;colon', 'ünïcode', ''];
    for (const id of bad) {
      const res = await app.inject({ url: '/healthz', headers: { 'x-request-id': id } });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['x-request-id']), UUID, JSON.stringify(id));
    }
    const log = logLines.join('');
    for (const id of bad.filter((b) => b !== '')) assert.ok(!log.includes(id), id);
  });

  test("the request's log lines carry the accepted id as reqId", async () => {
    await app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-42' } });
    const lines = logLines.map((l) => JSON.parse(l)).filter((l) => l.reqId === 'trace-42');
    assert.ok(lines.length >= 2, 'incoming request and request completed');
  });

  test('an id of 128 characters of the allowed set is taken, one of 129 is not', () => {
    const longest = `${'A'.repeat(127)}-`;
    assert.equal(requestIdOf({ headers: { 'x-request-id': longest } }), longest);
    assert.match(requestIdOf({ headers: { 'x-request-id': `${longest}x` } }), UUID);
  });
});
