import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { startServer } from '../src/cli/serve.js';
import { tempDbPath } from './helpers.js';

/** A request to `url` under the Host header `host` (fetch will not send a Host of the caller's). */
function send(
  url: string,
  host: string,
  method = 'GET',
  body?: object,
): Promise<{ status: number; json: { error: { code: string; message: string; path?: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { host, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('a server without keys answers loopback names only: no web page reaches it by DNS rebinding', async () => {
  process.env.SETLIST_LOG_LEVEL = 'warn';
  const { app, engine, url } = await startServer({ host: '127.0.0.1', port: 0, db: tempDbPath('hosts') });
  try {
    await engine.putItem('v1', { caption: 'a clip', tags: ['art'] });
    const port = new URL(url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`])
      assert.equal((await send(`${url}/v1/items/v1`, host)).status, 200, host);
    // A rebound name: the page's own host, now resolving to 127.0.0.1.
    const hide = await send(`${url}/v1/items/v1`, `attacker.example:${port}`, 'PATCH', {
      visibility: 'hidden',
      reason: 'rebinding',
    });
    assert.equal(hide.status, 403);
    assert.equal(hide.json.error.code, 'SETLIST_ERR_FORBIDDEN');
    assert.equal(hide.json.error.path, 'host');
    assert.match(hide.json.error.message, /"attacker\.example:\d+" is not this server's.*--allowed-host/);
    assert.equal((await engine.getItem('v1')).visibility, 'visible', 'nothing changed');
    assert.equal((await send(`${url}/v1/status`, 'attacker.example')).status, 403);
  } finally {
    await app.close();
    await engine.close();
  }
});

test('--allowed-host names more hosts a server without keys answers', async () => {
  process.env.SETLIST_LOG_LEVEL = 'warn';
  const { app, engine, url } = await startServer({
    host: '127.0.0.1',
    port: 0,
    db: tempDbPath('allowed-hosts'),
    allowedHost: ['Recs.Internal'],
  });
  try {
    assert.equal((await send(`${url}/v1/status`, 'recs.internal:7733')).status, 200);
    assert.equal((await send(`${url}/v1/status`, 'other.internal')).status, 403);
  } finally {
    await app.close();
    await engine.close();
  }
});
