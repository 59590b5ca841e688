import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openEngine, tempDir } from '../../../test/helpers.js';
import type { Engine } from '../../engine/engine.js';
import { buildApp } from '../app.js';
import { parseApiKeysEnv } from '../auth.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the dashboard route', () => {
  let app: FastifyInstance;
  let engine: Engine;
  const parent = tempDir('setlist-web-');
  const root = join(parent, 'web');

  before(async () => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(join(root, 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'app.css'), 'body{}');
    writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
    writeFileSync(join(parent, 'secret.txt'), 'do not serve');
    engine = await openEngine();
    app = buildApp({ engine, webRoot: root });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await engine.close();
  });

  test('the root serves index.html as HTML', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(res.body, /<title>dash<\/title>/);
  });

  test('assets are served with their content types', async () => {
    const js = await app.inject({ method: 'GET', url: '/app.js' });
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.body, 'console.log(1)');
    const css = await app.inject({ method: 'GET', url: '/app.css?v=2' });
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const svg = await app.inject({ method: 'GET', url: '/assets/logo.svg' });
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
  });

  test('the icon is served at /favicon.ico and /favicon.svg', async () => {
    for (const url of ['/favicon.ico', '/favicon.svg']) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'image/*' } });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'image/svg+xml');
      assert.match(res.body, /^<svg /);
    }
  });

  test('a browser asking for a client route gets the page', async () => {
    const res = await app.inject({ method: 'GET', url: '/users/u1', headers: HTML });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<title>dash<\/title>/);
  });

  test('a client route whose id looks like a file name still gets the page', async () => {
    const res = await app.inject({ method: 'GET', url: '/items/clip.mp4', headers: HTML });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<title>dash<\/title>/);
  });

  test('a missing asset is a JSON 404, not the page', async () => {
    const res = await app.inject({ method: 'GET', url: '/missing.js', headers: { accept: '*/*' } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'SETLIST_ERR_ROUTE_NOT_FOUND');
  });

  test('paths that climb out of the root never serve a file outside it', async () => {
    const urls = ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt'];
    for (const url of urls) {
      for (const accept of ['*/*', HTML.accept]) {
        const res = await app.inject({ method: 'GET', url, headers: { accept } });
        assert.doesNotMatch(res.body, /do not serve/, url);
        if (res.statusCode === 200) assert.match(res.body, /<title>dash<\/title>/, url);
      }
    }
  });

  test('an encoded climb out of the root is a 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/..%2f..%2fsecret.txt', headers: HTML });
    assert.equal(res.statusCode, 404);
  });

  test('API routes, metrics, health and the OpenAPI document keep working', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/v1/status', headers: HTML })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/healthz', headers: HTML })).json().ok, true);
    // Under an API path, a browser gets the API's JSON 404, not the dashboard's page.
    const underReadyz = await app.inject({ method: 'GET', url: '/readyz/x', headers: HTML });
    assert.equal(underReadyz.json().error.code, 'SETLIST_ERR_ROUTE_NOT_FOUND');
    assert.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200);
    assert.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /setlist_http_requests_total/);
  });

  test('an unknown API path is a JSON 404 even for a browser', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing/here', headers: HTML });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'SETLIST_ERR_ROUTE_NOT_FOUND');
  });
});

describe('the dashboard route on a server with API keys', () => {
  test('the icon needs no key, as the page does not', async () => {
    const engine = await openEngine();
    const keys = parseApiKeysEnv('reader:read:sl_reader-secret-0123456789');
    const app = buildApp({ engine, webRoot: join(tmpdir(), 'setlist-no-such-dir'), auth: { keys } });
    const res = await app.inject({ method: 'GET', url: '/favicon.ico' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/svg+xml');
    await app.close();
    await engine.close();
  });
});

describe('the dashboard route without a build', () => {
  test('the root explains how to build the dashboard', async () => {
    const engine = await openEngine();
    const app = buildApp({ engine, webRoot: join(tmpdir(), 'setlist-no-such-dir') });
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build/);
    await app.close();
    await engine.close();
  });
});
